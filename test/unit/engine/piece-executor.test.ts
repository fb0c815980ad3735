// The piece executor, for each kind of factor through the kind registry: pieces planned by the
// planner, sent through a JSON round trip (as a worker would receive them), then run.
import { CalculatedRanges } from '../../../src/storage/calculated-ranges.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Engine } from '../../../src/engine/engine.js';
import type {
  JournalEntry,
  PieceJournal,
  PieceRunOptions,
} from '../../../src/engine/piece-executor.js';
import { PieceExecutor } from '../../../src/engine/piece-executor.js';
import { plan } from '../../../src/engine/planner.js';
import {
  ExecutionAbortedError,
  StreamNotAvailableError,
  ToolTimeoutError,
  WorkflowDefinitionError,
} from '../../../src/errors.js';
import { factorKinds, kindOf } from '../../../src/kinds/index.js';
import { PlateIndex } from '../../../src/kinds/plate-index.js';
import type { WorkPiece } from '../../../src/kinds/work-piece.js';
import { ReadOnlyMemoryChannel } from '../../../src/channels/read-only-memory-channel.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { VirtualClock } from '../../../src/time/clock.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';
import type { ToolInstance } from '../../../src/tools/tool.js';
import { ToolKind, defineTool } from '../../../src/tools/tool.js';
import type { Workflow } from '../../../src/workflow/workflow.js';
import { fanout, mean, pick, platesFromList, scale } from '../../helpers/workflow-tools.js';

const H = 3_600_000;
const iv = (a: number, b: number): TimeInterval => new TimeInterval(a * H, b * H);

let engine: Engine;
let executor: PieceExecutor;
let index: PlateIndex;

beforeEach(async () => {
  engine = await Engine.create({ clock: new VirtualClock(0) });
  index = new PlateIndex(() => engine.plates.tree.version);
  executor = new PieceExecutor({ channels: engine.channels, plates: engine.plates, index });
  for (const country of ['NZ', 'AU']) {
    await engine.plates.addMetaData([], 'country', country);
    for (const city of ['a', 'b'])
      await engine.plates.addMetaData([['country', country]], 'city', `${country}-${city}`);
  }
  await engine.plates.createPlate({ id: 'C', metaKey: 'country' });
  await engine.plates.createPlate({ id: 'C.C', metaKey: 'city', parent: 'C' });
});
afterEach(async () => {
  await engine.close();
});

const memory = (): ReturnType<Engine['channels']['get']> => engine.channels.get('memory');

/** Writes hourly values `value(t)` at hours 1…10 of a raw stream, calculated over (0, 10 h]. */
async function raw(name: string, meta: Record<string, string>, value: (h: number) => unknown) {
  const id = StreamId.of(name, meta);
  await memory().writeInstances(
    id,
    Array.from({ length: 10 }, (_, i) => ({ timestamp: (i + 1) * H, value: value(i + 1) })),
  );
  await memory().addCalculatedIntervals(id, iv(0, 10));
}

async function values(name: string, meta: Record<string, string> = {}): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of memory().getResults(StreamId.of(name, meta), iv(0, 100)))
    out.push([item.timestamp / H, item.value]);
  return out;
}

const runOptions: PieceRunOptions = {
  signal: new AbortController().signal,
  pull: () => Promise.reject(new Error('no pull expected')),
};

/** The pieces of one factor over (0, 10 h], as a worker receives them (JSON). */
function piecesOf(workflow: Workflow, factorId: string, interval = iv(0, 10)): WorkPiece[] {
  const calculated = {
    get: () => CalculatedRanges.EMPTY,
  };
  const result = plan({
    graph: workflow.graph,
    targets: [{ factor: workflow.getFactor(factorId), intervals: TimeIntervals.of(interval) }],
    calculated,
    plates: index,
  });
  return result.pieces
    .filter((p) => p.factor === factorId)
    .map((p) => JSON.parse(JSON.stringify(p)) as WorkPiece);
}

async function runAll(workflow: Workflow, pieces: readonly WorkPiece[]): Promise<number[]> {
  const documents: number[] = [];
  for (const piece of pieces) {
    const outcome = await executor.run(piece, workflow.graph, runOptions);
    documents.push(outcome.status === 'done' ? outcome.documents : -1);
  }
  return documents;
}

describe('the kind registry', () => {
  it('has one factor kind per tool kind, named as it', () => {
    expect(
      factorKinds()
        .map((k) => k.name)
        .sort(),
    ).toEqual(Object.values(ToolKind).sort());
  });
});

describe('piece executor, per kind', () => {
  it('plain: reads its sources over the declared lookback, writes its sink, then records the piece', async () => {
    await raw('ticks', {}, (h) => h);
    const w = engine.workflow('plain');
    const ticks = w.node('ticks');
    const out = w.node('out');
    w.factor({
      id: 'f',
      tool: scale.create({ factor: 10, lookback: 2 * H }),
      sources: [ticks],
      sink: out,
    });
    const pieces = piecesOf(w, 'f', iv(4, 6));
    expect(pieces).toHaveLength(1);
    expect(kindOf(w.getFactor('f')).name).toBe('tool');
    expect(pieces[0]!.inputs[0]!.window).toEqual(iv(2, 6).toJSON());
    expect(await runAll(w, pieces)).toEqual([2]);
    expect(await values('out')).toEqual([
      [5, 10 * (4 + 5)],
      [6, 10 * (5 + 6)],
    ]);
    expect((await memory().getCalculatedIntervals(StreamId.of('out'))).toJSON()).toEqual([
      iv(4, 6).toJSON(),
    ]);
  });

  it('multi-output: splits the source onto the output plate values under the unit, one sink each', async () => {
    for (const country of ['NZ', 'AU']) await raw('country_raw', { country }, (h) => h);
    const w = engine.workflow('split');
    const source = w.node('country_raw', { plates: ['C'] });
    const cities = w.node('city_out', { plates: ['C.C'] });
    w.multiOutputFactor({ id: 'f', tool: fanout.create({}), source, sink: cities });
    const pieces = piecesOf(w, 'f');
    expect(pieces.map((p) => p.plateValue)).toEqual([[['country', 'NZ']], [['country', 'AU']]]);
    expect(pieces[0]!.sinks.map((s) => s.keyValue)).toEqual(['NZ-a', 'NZ-b']);
    expect(await runAll(w, pieces)).toEqual([20, 20]);
    expect((await values('city_out', { country: 'NZ', city: 'NZ-b' })).slice(0, 2)).toEqual([
      [1, 2],
      [2, 4],
    ]);
    for (const city of ['AU-a', 'AU-b']) {
      const calc = await memory().getCalculatedIntervals(
        StreamId.of('city_out', { country: 'AU', city }),
      );
      expect(calc.toJSON()).toEqual([iv(0, 10).toJSON()]);
    }
  });

  it('aggregate: reads the streams of the aggregated key under the unit, writes the parent', async () => {
    for (const [city, k] of [
      ['NZ-a', 1],
      ['NZ-b', 3],
    ] as const)
      await raw('temp', { country: 'NZ', city }, (h) => h * k);
    const w = engine.workflow('aggregate');
    const temp = w.node('temp', { plates: ['C.C'] });
    const avg = w.node('avg', { plates: ['C'] });
    w.aggregateFactor({ id: 'f', tool: mean.create({}), sources: [temp], sink: avg });
    const pieces = piecesOf(w, 'f');
    const nz = pieces.find((p) => p.plateValue[0]![1] === 'NZ')!;
    expect(nz.inputs.map((i) => i.keyValue)).toEqual(['NZ-a', 'NZ-b']);
    await runAll(w, [nz]);
    expect((await values('avg', { country: 'NZ' })).slice(0, 2)).toEqual([
      [1, 2],
      [2, 4],
    ]);
  });

  it('selector: copies the selected source to the sink, refusing a source index that does not exist', async () => {
    await raw('temp', { country: 'AU', city: 'AU-b' }, (h) => -h);
    const w = engine.workflow('selector');
    const temp = w.node('temp', { plates: ['C.C'] });
    const chosen = w.node('chosen', { plates: ['C'] });
    w.selectorFactor({
      id: 'f',
      tool: pick.create({ value: 'AU-b' }),
      sources: [temp],
      sink: chosen,
    });
    const au = piecesOf(w, 'f').find((p) => p.plateValue[0]![1] === 'AU')!;
    expect(await runAll(w, [au])).toEqual([10]);
    expect((await values('chosen', { country: 'AU' }))[0]).toEqual([1, -1]);
  });

  it('plate creation: adds the values the tool yields under the unit, and records the scan', async () => {
    await raw('names', {}, (h) => (h === 10 ? ['x', 'y'] : []));
    const w = engine.workflow('creation');
    const names = w.node('names');
    await w.plateCreationFactor({
      id: 'f',
      tool: platesFromList.create({}),
      source: names,
      outputPlate: { id: 'X', metaKey: 'x' },
    });
    const pieces = piecesOf(w, 'f');
    expect(pieces.map((p) => p.sinks[0]!.stream)).toEqual(['_plates.X']);
    expect(await runAll(w, pieces)).toEqual([2]);
    expect(engine.plates.values('X')).toEqual([[['x', 'x']], [['x', 'y']]]);
    expect((await memory().getCalculatedIntervals(StreamId.of('_plates.X'))).toJSON()).toEqual([
      iv(0, 10).toJSON(),
    ]);
  });
});

describe('piece executor, guarantees', () => {
  async function chain(
    tool: ToolInstance<'tool'> = scale.create({ factor: 2 }),
  ): Promise<Workflow> {
    await raw('ticks', {}, (h) => h);
    const w = engine.workflow('guarantees');
    w.factor({ id: 'f', tool, sources: [w.node('ticks')], sink: w.node('out') });
    return w;
  }

  it('refuses a piece planned for another tool identity, writing nothing', async () => {
    const w = await chain();
    const [piece] = piecesOf(w, 'f');
    const stale = { ...piece!, tool: { ...piece!.tool, params: '{"factor":3,"lookback":0}' } };
    await expect(executor.run(stale, w.graph, runOptions)).rejects.toThrow(WorkflowDefinitionError);
    expect(await values('out')).toEqual([]);
  });

  it('skips a piece whose interval got calculated meanwhile', async () => {
    const w = await chain();
    const [piece] = piecesOf(w, 'f');
    expect((await executor.run(piece!, w.graph, runOptions)).status).toBe('done');
    expect(await executor.run(piece!, w.graph, runOptions)).toEqual({ status: 'skipped' });
  });

  it('journals what a piece wrote before recording it; a later attempt that finds it calculated reports that', async () => {
    const w = await chain();
    const [piece] = piecesOf(w, 'f');
    const entries = new Map<string, JournalEntry>();
    const order: string[] = [];
    const journal: PieceJournal = {
      written: async (p, entry) => {
        // The interval is not recorded yet when the journal hears of the piece.
        const recorded = await memory().getCalculatedIntervals(StreamId.of('out'));
        order.push(
          recorded.covers(new TimeInterval(p.interval.start, p.interval.end)) ? 'late' : 'before',
        );
        entries.set(p.id, entry);
      },
      find: async (p) => await Promise.resolve(entries.get(p.id)),
    };
    const first = await executor.run(piece!, w.graph, { ...runOptions, journal });
    expect(first).toEqual({ status: 'done', documents: 10 });
    expect(order).toEqual(['before']);
    // The attempt that recorded it died before reporting it: the next one reports its work.
    expect(await executor.run(piece!, w.graph, { ...runOptions, journal })).toEqual({
      status: 'done',
      documents: 10,
      durationMs: entries.get(piece!.id)!.durationMs,
    });
    // Calculated by another session (not in this one's journal): skipped.
    entries.clear();
    expect(await executor.run(piece!, w.graph, { ...runOptions, journal })).toEqual({
      status: 'skipped',
    });
  });

  it('with its journal lost, a later attempt finds the piece stamped with its session and counts what the sinks hold', async () => {
    const w = await chain();
    const [piece] = piecesOf(w, 'f');
    const lost: PieceJournal = {
      written: async () => await Promise.resolve(),
      find: async () => await Promise.resolve(undefined),
    };
    await executor.run(piece!, w.graph, { ...runOptions, journal: lost, session: 's1' });
    expect(
      await executor.run(piece!, w.graph, { ...runOptions, journal: lost, session: 's1' }),
    ).toEqual({ status: 'done', documents: 10, durationMs: 0 });
    // Another session's attempt, or a local run (no journal): calculated by someone else.
    expect(
      await executor.run(piece!, w.graph, { ...runOptions, journal: lost, session: 's2' }),
    ).toEqual({ status: 'skipped' });
    expect(await executor.run(piece!, w.graph, { ...runOptions, session: 's1' })).toEqual({
      status: 'skipped',
    });
  });

  it('records nothing for a piece aborted while its tool runs', async () => {
    const controller = new AbortController();
    const stopping = defineTool({
      name: 'stopping',
      version: '1.0.0',
      kind: 'tool',
      params: z.strictObject({}),
      async *execute({ interval }) {
        yield { timestamp: interval.end, value: 1 };
        controller.abort();
      },
    });
    const w = await chain(stopping.create({}));
    const [piece] = piecesOf(w, 'f');
    await expect(
      executor.run(piece!, w.graph, { ...runOptions, signal: controller.signal }),
    ).rejects.toThrow(ExecutionAbortedError);
    expect((await memory().getCalculatedIntervals(StreamId.of('out'))).isEmpty).toBe(true);
  });

  it('abandons a tool that outlives the piece timeout, recording nothing', async () => {
    const hanging = defineTool({
      name: 'hanging',
      version: '1.0.0',
      kind: 'tool',
      params: z.strictObject({}),
      // eslint-disable-next-line require-yield
      async *execute() {
        await new Promise(() => undefined);
      },
    });
    const w = await chain(hanging.create({}));
    const [piece] = piecesOf(w, 'f');
    await expect(
      executor.run(piece!, w.graph, { ...runOptions, pieceTimeout: 50 }),
    ).rejects.toThrow(ToolTimeoutError);
    expect((await memory().getCalculatedIntervals(StreamId.of('out'))).isEmpty).toBe(true);
  });

  it('refuses to read a read-only source beyond what it can give', async () => {
    class Sensor extends ReadOnlyMemoryChannel {
      protected async updateStreams(): Promise<void> {}
    }
    const sensor = new Sensor('sensor');
    await sensor.update(5 * H);
    engine.channels.add(sensor);
    const w = engine.workflow('sensor');
    w.factor({
      id: 'f',
      tool: scale.create({ factor: 1 }),
      sources: [w.node('reading', { channel: 'sensor' })],
      sink: w.node('out'),
    });
    const [piece] = piecesOf(w, 'f');
    await expect(executor.run(piece!, w.graph, runOptions)).rejects.toThrow(
      StreamNotAvailableError,
    );
  });
});
