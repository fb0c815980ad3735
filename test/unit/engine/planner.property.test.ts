// Properties of the planner over random workflows (plain, aggregate and multi-output factors on
// nested plates, with random lookbacks), random calculated intervals and random requests.
import { CalculatedRanges } from '../../../src/storage/calculated-ranges.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Engine } from '../../../src/engine/engine.js';
import type { CalculatedSnapshot, PlanTarget } from '../../../src/engine/planner.js';
import { plan } from '../../../src/engine/planner.js';
import type { Factor } from '../../../src/kinds/index.js';
import { kindOf } from '../../../src/kinds/index.js';
import type { Node } from '../../../src/kinds/node.js';
import { PlateIndex } from '../../../src/kinds/plate-index.js';
import type { WorkPiece } from '../../../src/kinds/work-piece.js';
import { unitKey } from '../../../src/kinds/work-piece.js';
import type { StreamId } from '../../../src/streams/stream-id.js';
import { VirtualClock } from '../../../src/time/clock.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';
import { defineTool } from '../../../src/tools/tool.js';
import type { Workflow } from '../../../src/workflow/workflow.js';

const RUNS = 1000;
const SPAN = 1000;

const lookback = z.strictObject({ lookback: z.number().int().nonnegative() });
const withLookback = (interval: TimeInterval, params: { lookback: number }): TimeInterval =>
  new TimeInterval(interval.start - params.lookback, interval.end);
const plain = defineTool({
  name: 'p_plain',
  version: '1.0.0',
  kind: 'tool',
  params: lookback,
  sourceInterval: withLookback,
  async *execute() {},
});
const aggregate = defineTool({
  name: 'p_aggregate',
  version: '1.0.0',
  kind: 'aggregate',
  params: lookback,
  sourceInterval: withLookback,
  async *execute() {},
});
const split = defineTool({
  name: 'p_split',
  version: '1.0.0',
  kind: 'multi-output',
  params: lookback,
  sourceInterval: withLookback,
  async *execute() {},
});

/** Plate levels: 0 no plate, 1 countries, 2 cities in countries. */
const LEVELS: readonly (readonly string[])[] = [[], ['C'], ['C.C']];

interface FactorPlan {
  readonly kind: 'plain' | 'aggregate' | 'split' | 'none';
  readonly sources: readonly number[];
  readonly lookback: number;
  readonly maxPieceSize: number | undefined;
}

interface Scenario {
  readonly countries: readonly { readonly name: string; readonly cities: readonly string[] }[];
  readonly levels: readonly number[];
  readonly factors: readonly FactorPlan[];
  readonly requested: readonly (readonly [number, number])[];
  readonly calculatedSeeds: readonly (readonly [number, number])[];
  readonly maxPieceSize: number | undefined;
  /** Plan only one factor (a request) instead of every factor (an execute). */
  readonly onlyFactor: number | undefined;
}

const interval = fc
  .tuple(fc.integer({ min: 0, max: SPAN }), fc.integer({ min: 0, max: SPAN }))
  .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    countries: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom('NZ', 'AU', 'JP', 'US'),
        cities: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 3, selector: (c) => c.name },
    ),
    levels: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 6 }),
    choices: fc.array(
      fc.record({
        kind: fc.constantFrom('plain', 'aggregate', 'split', 'none'),
        picks: fc.array(fc.nat(), { maxLength: 3 }),
        lookback: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 200 })),
        maxPieceSize: fc.option(fc.integer({ min: 20, max: 400 }), { nil: undefined }),
      }),
      { minLength: 6, maxLength: 6 },
    ),
    requested: fc.array(interval, { minLength: 1, maxLength: 3 }),
    calculatedSeeds: fc.array(interval, { maxLength: 12 }),
    maxPieceSize: fc.option(fc.integer({ min: 20, max: 400 }), { nil: undefined }),
    onlyFactor: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ countries, levels, choices, ...rest }) => {
    // Each node gets a producing factor that fits its plates, when one can.
    const factors = levels.map((level, i): FactorPlan => {
      const choice = choices[i]!;
      const earlier = levels.slice(0, i).map((l, j) => [l, j] as const);
      const pick = (candidates: readonly (readonly [number, number])[]): number[] =>
        candidates.length === 0
          ? []
          : [...new Set(choice.picks.map((p) => candidates[p % candidates.length]![1]))];
      const base = { lookback: choice.lookback, maxPieceSize: choice.maxPieceSize };
      if (choice.kind === 'aggregate' && level < 2) {
        const sources = pick(earlier.filter(([l]) => l === level + 1));
        if (sources.length) return { kind: 'aggregate', sources, ...base };
      }
      if (choice.kind === 'split' && level > 0) {
        // Onto countries from nothing, or onto cities from a country-level node.
        const sources = pick(earlier.filter(([l]) => l === level - 1)).slice(0, 1);
        if (level === 1 || sources.length) return { kind: 'split', sources, ...base };
      }
      if (choice.kind === 'none') return { kind: 'none', sources: [], ...base };
      return { kind: 'plain', sources: pick(earlier.filter(([l]) => l <= level)), ...base };
    });
    return { countries, levels, factors, ...rest };
  });

async function build(
  s: Scenario,
): Promise<{ engine: Engine; workflow: Workflow; nodes: Node[]; index: PlateIndex }> {
  const engine = await Engine.create({ clock: new VirtualClock(0) });
  for (const country of s.countries) {
    await engine.plates.addMetaData([], 'country', country.name);
    for (const city of country.cities)
      await engine.plates.addMetaData([['country', country.name]], 'city', city);
  }
  await engine.plates.createPlate({ id: 'C', metaKey: 'country' });
  await engine.plates.createPlate({ id: 'C.C', metaKey: 'city', parent: 'C' });
  const workflow = engine.workflow('planned');
  const nodes = s.levels.map((level, i) => workflow.node(`n${i}`, { plates: LEVELS[level]! }));
  s.factors.forEach((f, i) => {
    const options = {
      id: `f${i}`,
      ...(f.maxPieceSize !== undefined ? { maxPieceSize: f.maxPieceSize } : {}),
    };
    const sources = f.sources.map((j) => nodes[j]!);
    if (f.kind === 'plain') {
      workflow.factor({
        ...options,
        tool: plain.create({ lookback: f.lookback }),
        sources,
        sink: nodes[i]!,
      });
    } else if (f.kind === 'aggregate') {
      workflow.aggregateFactor({
        ...options,
        tool: aggregate.create({ lookback: f.lookback }),
        sources,
        sink: nodes[i]!,
      });
    } else if (f.kind === 'split') {
      workflow.multiOutputFactor({
        ...options,
        tool: split.create({ lookback: f.lookback }),
        ...(sources[0] ? { source: sources[0] } : {}),
        sink: nodes[i]!,
      });
    }
  });
  return { engine, workflow, nodes, index: new PlateIndex(() => engine.plates.tree.version) };
}

/** Calculated intervals per stream: what a store would hold. */
class Snapshot implements CalculatedSnapshot {
  readonly byStream = new Map<string, TimeIntervals>();
  get(channel: string, id: StreamId): CalculatedRanges {
    return CalculatedRanges.of(this.byStream.get(`${channel}|${id.key}`) ?? TimeIntervals.EMPTY);
  }
  add(channel: string, key: string, intervals: TimeIntervals): void {
    const k = `${channel}|${key}`;
    this.byStream.set(k, (this.byStream.get(k) ?? TimeIntervals.EMPTY).union(intervals));
  }
  /** What the store holds once the pieces ran. */
  apply(pieces: readonly WorkPiece[]): void {
    for (const piece of pieces) {
      for (const sink of piece.sinks)
        this.add(sink.channel, sink.stream, TimeIntervals.of(piece.interval));
    }
  }
}

function targetsOf(s: Scenario, workflow: Workflow, index: PlateIndex): PlanTarget[] {
  const intervals = TimeIntervals.from(s.requested);
  const factors = workflow.graph.order;
  if (s.onlyFactor === undefined || factors.length === 0)
    return factors.map((factor) => ({ factor, intervals }));
  const factor = factors[s.onlyFactor % factors.length]!;
  const units = kindOf(factor).units(factor, index);
  return [{ factor, units: units.filter((_, i) => i % 2 === 0), intervals }];
}

function seed(s: Scenario, workflow: Workflow, index: PlateIndex, snapshot: Snapshot): void {
  let n = 0;
  for (const factor of workflow.graph.factors) {
    for (const unit of kindOf(factor).units(factor, index)) {
      for (const sink of kindOf(factor).sinks(factor, unit, index)) {
        const seedInterval = s.calculatedSeeds[n++ % Math.max(1, s.calculatedSeeds.length)];
        if (seedInterval) snapshot.add(sink.channel, sink.id.key, TimeIntervals.of(seedInterval));
      }
    }
  }
}

describe('planner (properties)', () => {
  it(`covers exactly what is missing, never overlaps a sink, respects the DAG, and has nothing left to plan once executed (${RUNS} random workflows)`, async () => {
    // How much the random cases exercise, checked at the end so the property cannot pass vacuously.
    const seen = { withPieces: 0, withDependencies: 0, withLookbackPulls: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { engine, workflow, index } = await build(s);
        try {
          const graph = workflow.graph;
          const snapshot = new Snapshot();
          seed(s, workflow, index, snapshot);
          const before = new Snapshot();
          for (const [k, v] of snapshot.byStream) before.byStream.set(k, v);
          const targets = targetsOf(s, workflow, index);
          const request = {
            graph,
            targets,
            calculated: snapshot,
            plates: index,
            ...(s.maxPieceSize !== undefined ? { maxPieceSize: s.maxPieceSize } : {}),
          };
          const result = plan(request);
          expect(result.unknown).toEqual([]);
          expect(result.deferred).toEqual([]);
          const pieces = result.pieces;
          if (pieces.length) seen.withPieces++;
          if (pieces.some((p) => p.dependsOn.length)) seen.withDependencies++;
          if (pieces.some((p) => p.inputs.some((i) => i.window.start < p.interval.start)))
            seen.withLookbackPulls++;

          // Every piece is plain JSON that survives a round trip unchanged.
          for (const piece of pieces) expect(JSON.parse(JSON.stringify(piece))).toEqual(piece);

          // Ids are unique; dependencies name earlier pieces.
          const position = new Map(pieces.map((p, i) => [p.id, i]));
          expect(position.size).toBe(pieces.length);
          pieces.forEach((piece, i) => {
            for (const dep of piece.dependsOn) expect(position.get(dep)).toBeLessThan(i);
          });

          // What each unit needs: what it is asked for, plus what planned consumers read from it.
          const byUnit = new Map<string, WorkPiece[]>();
          for (const piece of pieces) {
            const key = unitKey(piece.workflow, piece.factor, piece.plateValue);
            byUnit.set(key, [...(byUnit.get(key) ?? []), piece]);
          }
          const needs = new Map<string, { factor: Factor; intervals: TimeIntervals }>();
          const need = (
            factor: Factor,
            unit: readonly (readonly [string, string])[],
            i: TimeIntervals,
          ): void => {
            const key = unitKey(graph.id, factor.id, unit);
            const had = needs.get(key)?.intervals ?? TimeIntervals.EMPTY;
            needs.set(key, { factor, intervals: had.union(i) });
          };
          for (const target of targets) {
            for (const unit of target.units ?? kindOf(target.factor).units(target.factor, index))
              need(target.factor, unit, target.intervals);
          }
          for (const piece of pieces) {
            for (const input of piece.inputs) {
              const producer = graph.producerOf(input.node);
              if (!producer) continue;
              const read = TimeIntervals.of(input.needs ?? input.window);
              need(producer, kindOf(producer).unitOf(producer, input.plateValue), read);
              // The pieces it depends on are exactly those of that unit overlapping what it reads.
              const upstream = byUnit.get(
                unitKey(graph.id, producer.id, kindOf(producer).unitOf(producer, input.plateValue)),
              );
              for (const other of upstream ?? []) {
                const overlaps = !read.intersection(TimeIntervals.of(other.interval)).isEmpty;
                if (overlaps) expect(piece.dependsOn).toContain(other.id);
              }
            }
          }
          // Pieces of a unit cover exactly its needs minus what its sinks have calculated.
          for (const [key, { factor, intervals }] of needs) {
            const unit = kindOf(factor)
              .units(factor, index)
              .find((u) => unitKey(graph.id, factor.id, u) === key);
            const sinks = unit ? kindOf(factor).sinks(factor, unit, index) : [];
            let missing = TimeIntervals.EMPTY;
            for (const sink of sinks)
              missing = missing.union(
                intervals.difference(before.get(sink.channel, sink.id).intervals),
              );
            const planned = TimeIntervals.from((byUnit.get(key) ?? []).map((p) => p.interval));
            expect(planned.toJSON()).toEqual(missing.toJSON());
            byUnit.delete(key);
          }
          expect([...byUnit.keys()]).toEqual([]);

          // A sink is never written by two overlapping pieces; pieces respect the size limit.
          const bySink = new Map<string, TimeInterval[]>();
          for (const piece of pieces) {
            const factor = graph.getFactor(piece.factor);
            const size = factor.maxPieceSize ?? s.maxPieceSize;
            if (size !== undefined)
              expect(piece.interval.end - piece.interval.start).toBeLessThanOrEqual(size);
            for (const sink of piece.sinks) {
              const key = `${sink.channel}|${sink.stream}`;
              bySink.set(key, [...(bySink.get(key) ?? []), TimeInterval.fromJSON(piece.interval)]);
            }
          }
          for (const intervals of bySink.values()) {
            const sorted = [...intervals].sort((a, b) => a.start - b.start);
            for (let i = 1; i < sorted.length; i++)
              expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end);
          }

          // Once the pieces ran, everything a piece reads is calculated upstream, and planning
          // again finds nothing to do.
          snapshot.apply(pieces);
          for (const piece of pieces) {
            for (const input of piece.inputs) {
              const producer = graph.producerOf(input.node);
              if (!producer) continue;
              const unit = kindOf(producer).unitOf(producer, input.plateValue);
              const read = TimeInterval.fromJSON(input.needs ?? input.window);
              for (const sink of kindOf(producer).sinks(producer, unit, index)) {
                if (read.isEmpty) continue;
                expect(snapshot.get(sink.channel, sink.id).intervals.covers(read)).toBe(true);
              }
            }
          }
          expect(plan(request).pieces).toEqual([]);
        } finally {
          await engine.close();
        }
      }),
      { numRuns: RUNS },
    );
    expect(seen.withPieces).toBeGreaterThan(RUNS / 2);
    expect(seen.withDependencies).toBeGreaterThan(RUNS / 5);
    expect(seen.withLookbackPulls).toBeGreaterThan(RUNS / 10);
  }, 120_000);

  it('reports the streams it was not told about instead of guessing, and plans them once loaded', async () => {
    const s: Scenario = {
      countries: [{ name: 'NZ', cities: ['a', 'b'] }],
      levels: [2, 2, 1],
      factors: [
        { kind: 'plain', sources: [], lookback: 0, maxPieceSize: undefined },
        { kind: 'plain', sources: [0], lookback: 50, maxPieceSize: undefined },
        { kind: 'aggregate', sources: [1], lookback: 0, maxPieceSize: undefined },
      ],
      requested: [[100, 200]],
      calculatedSeeds: [],
      maxPieceSize: undefined,
      onlyFactor: 2,
    };
    const { engine, workflow, index } = await build(s);
    try {
      const known = new Map<string, TimeIntervals>();
      const calculated: CalculatedSnapshot = {
        get: (channel, id) => {
          const intervals = known.get(`${channel}|${id.key}`);
          return intervals && CalculatedRanges.of(intervals);
        },
      };
      const targets = [
        { factor: workflow.getFactor('f2'), intervals: TimeIntervals.of([100, 200]) },
      ];
      let rounds = 0;
      let result = plan({ graph: workflow.graph, targets, calculated, plates: index });
      while (result.unknown.length) {
        rounds++;
        expect(
          result.pieces.filter((p) => result.unknown.some((u) => u.id.key === p.sinks[0]!.stream)),
        ).toEqual([]);
        for (const sink of result.unknown)
          known.set(`${sink.channel}|${sink.id.key}`, TimeIntervals.EMPTY);
        result = plan({ graph: workflow.graph, targets, calculated, plates: index });
      }
      // The aggregate, then the two cities of its source, then their source: three rounds.
      expect(rounds).toBe(3);
      expect(result.pieces.map((p) => [p.factor, p.plateValue, p.interval])).toEqual([
        [
          'f0',
          [
            ['country', 'NZ'],
            ['city', 'a'],
          ],
          { start: 50, end: 200 },
        ],
        [
          'f0',
          [
            ['country', 'NZ'],
            ['city', 'b'],
          ],
          { start: 50, end: 200 },
        ],
        [
          'f1',
          [
            ['country', 'NZ'],
            ['city', 'a'],
          ],
          { start: 100, end: 200 },
        ],
        [
          'f1',
          [
            ['country', 'NZ'],
            ['city', 'b'],
          ],
          { start: 100, end: 200 },
        ],
        ['f2', [['country', 'NZ']], { start: 100, end: 200 }],
      ]);
    } finally {
      await engine.close();
    }
  });
});
