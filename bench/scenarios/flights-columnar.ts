// The columnar data plane against every baseline, in one process, interleaved: the hourly mean
// delay of the 3M flights, the airport plate workflow, the 24 h sliding mean and compute on
// request (February after January), each by the engine (workflow.execute on memory streams), a
// loop over instance objects (hand-loop), a tight loop over typed columns (columnar-loop) and
// DuckDB on one and two threads. Every answer is checked equal to the hand loop's before timing;
// each repetition runs the systems in a rotated order, each after a forced GC and a pause, so no
// system always runs right after another's garbage. DuckDB runs in processes of its own (its
// threads and allocator slowed the engine's garbage collection when they shared a process) and
// reports its own query time. The hand loop needs 3M instance objects, and a
// heap that holds them makes every garbage collection of the other systems mark them all: it is
// timed first, on its own, and its objects are dropped before the rest is interleaved.

import os from 'node:os';
import type { Flight, Flights } from '../data/flights.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import {
  firstAfter,
  flightInstances,
  flightsBatch,
  loadFlights,
  monthStart,
} from '../data/flights.js';
import type { DuckQuery } from '../data/duck-process.js';
import { DuckProcess } from '../data/duck-process.js';
import {
  airportMeansColumnar,
  hourlyMeansColumnar,
  slidingMeansColumnar,
} from '../data/flights-baselines.js';
import type { Series } from '../data/flights-workflows.js';
import {
  DAY,
  HOUR,
  airportMeansLoop,
  computedIntervals,
  countLabel,
  flightsEngine,
  hourSpan,
  memorySeries,
  originAirports,
  plateSinkStreams,
  plateWorkflow,
  windowMeansLoop,
  windowWorkflow,
} from '../data/flights-workflows.js';
import { collectGarbage } from '../data/gc.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { assertSame, median, pause, peakRssMiB } from '../harness.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Batch } from '../../src/streams/batch.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import { TimeIntervals } from '../../src/time/time-intervals.js';

/** What a system measured itself (DuckDB in its own process: the query time, no message round trip). */
interface SelfTimed {
  readonly ms: number;
  readonly series: Series;
}

/** One system of a figure: prepare untimed, run timed, return the answer (checked once). */
interface Contender {
  readonly name: string;
  prepare?(): Promise<void>;
  run(): Promise<Series | SelfTimed | undefined> | Series | undefined;
  /** Untimed, after the run: close engines, check what was computed. */
  after?(): Promise<void>;
}

/**
 * Medians of `repetitions` interleaved samples per contender (order rotated each repetition),
 * each after a GC and a pause; the first run of each is checked against `expected`.
 */
async function interleave(
  contenders: readonly Contender[],
  repetitions: number,
  expected: Series | undefined,
  what: string,
): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const cpu = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < Math.max(1, repetitions); r++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(k + r) % contenders.length]!;
      await contender.prepare?.();
      collectGarbage();
      await pause();
      const started = performance.now();
      const before = process.cpuUsage();
      const result = await contender.run();
      const wall = performance.now() - started;
      const used = process.cpuUsage(before);
      const self = result !== undefined && !Array.isArray(result) ? result : undefined;
      samples.get(contender.name)!.push(self ? self.ms : wall);
      if (!self) cpu.get(contender.name)!.push((used.user + used.system) / 1000);
      const answer = self ? self.series : (result as Series | undefined);
      if (r === 0 && expected !== undefined && answer !== undefined)
        assertSame(answer, expected, `${what} by ${contender.name}`);
      await contender.after?.();
    }
  }
  lastCpu = new Map(
    [...cpu]
      .filter(([, values]) => values.length > 0)
      .map(([name, values]) => [name, median(values)]),
  );
  return new Map([...samples].map(([name, values]) => [name, median(values)]));
}

/** Median process CPU ms (all threads) per contender of the last {@link interleave}. */
let lastCpu = new Map<string, number>();

/** CPU time beside wall time: on a loaded machine wall time includes waiting for a core. */
function cpuNote(): string {
  return `CPU ms: ${[...lastCpu].map(([name, ms]) => `${name} ${ms.toFixed(0)}`).join(', ')}`;
}

/** January and February 2001, or (tiny) the sample's span cut in two at its middle hour. */
function periods(flights: Flights): { first: TimeInterval; second: TimeInterval } {
  const span = hourSpan(flights);
  if (span.start <= monthStart(1) && span.end >= monthStart(3)) {
    return {
      first: new TimeInterval(monthStart(1), monthStart(2)),
      second: new TimeInterval(monthStart(2), monthStart(3)),
    };
  }
  const middle = Math.ceil(flights.timestamps[flights.count >> 1]! / HOUR) * HOUR;
  return {
    first: new TimeInterval(span.start, middle),
    second: new TimeInterval(middle, span.end),
  };
}

function duckContenders(
  duck: readonly [DuckProcess, DuckProcess],
  query: DuckQuery,
  suffix = '',
): Contender[] {
  return duck.map((d, i) => ({ name: `duckdb-${i + 1}t${suffix}`, run: () => d.query(query) }));
}

const range = (interval: TimeInterval): [number, number] => [interval.start, interval.end];

/** The medians with the hand loop's (timed alone) placed first among the baselines. */
function withHandLoop(medians: Map<string, number>, handLoopMs: number): Map<string, number> {
  return new Map([['engine', medians.get('engine')!], ['hand-loop', handLoopMs], ...medians]);
}

/** The load average and the live JS heap (after a GC): what the engine's collections must mark. */
function load(): string {
  collectGarbage();
  const heap = process.memoryUsage().heapUsed / 2 ** 20;
  return `${os.loadavg()[0]!.toFixed(1)}; live heap ${heap.toFixed(0)} MiB`;
}

/** Median ms of `repetitions` runs of `fn`, each after a GC and a pause. */
async function timeAlone(repetitions: number, fn: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r < Math.max(1, repetitions); r++) {
    collectGarbage();
    await pause();
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** The expected answers (hand loop over instance objects) and the hand loop's median times. */
async function handLoopPhase(
  flights: Flights,
  span: TimeInterval,
  second: TimeInterval,
  both: TimeInterval,
  reps: number,
) {
  const items: StreamInstance<Flight>[] = flightInstances(flights);
  const expected = {
    hourly: windowMeansLoop(items, span, HOUR, HOUR),
    sliding: windowMeansLoop(items, span, DAY, HOUR),
    plates: airportMeansLoop(items, span),
    second: airportMeansLoop(items, second),
    both: airportMeansLoop(items, both),
  };
  const handLoop = {
    hourly: await timeAlone(reps, () => windowMeansLoop(items, span, HOUR, HOUR)),
    sliding: await timeAlone(reps, () => windowMeansLoop(items, span, DAY, HOUR)),
    plates: await timeAlone(reps, () => airportMeansLoop(items, span)),
    second: await timeAlone(reps, () => airportMeansLoop(items, second)),
  };
  return { expected, handLoop };
}

async function run(context: BenchContext): Promise<BenchRow[]> {
  const { flights } = await loadFlights(context.tiny ? { sample: 10_000 } : {});
  const columns: Batch = flightsBatch(flights);
  const span = hourSpan(flights);
  const airports = originAirports(flights);
  const n = flights.count;
  const reps = context.repetitions;
  const { first, second } = periods(flights);
  const both = new TimeInterval(first.start, second.end);

  // Phase 1: the hand loop over instance objects gives the expected answers, and is timed alone;
  // its objects are garbage once it returns.
  const { expected, handLoop } = await handLoopPhase(flights, span, second, both, reps);
  collectGarbage();

  // Phase 2: everything else, interleaved.
  // DuckDB runs in processes of its own (one per thread count), loaded with the same flights.
  const selection = context.tiny ? { sample: 10_000 } : {};
  const duck = [
    await DuckProcess.start(1, selection),
    await DuckProcess.start(2, selection),
  ] as const;
  const rows: BenchRow[] = [];
  const row = (
    figure: string,
    medians: Map<string, number>,
    items: number,
    note: string,
    cpu = cpuNote(),
  ): BenchRow => {
    const baselines = Object.fromEntries([...medians].filter(([name]) => name !== 'engine'));
    return {
      figure,
      engineMs: medians.get('engine')!,
      baselineMs: Object.values(baselines)[0],
      baselines,
      items,
      peakRssMiB: peakRssMiB(),
      note: `${note}; ${cpu} (DuckDB in its own processes, peak RSS ${duck.map((d) => d.peakRssMiB.toFixed(0)).join(' and ')} MiB); load average ${load()}`,
    };
  };

  try {
    // A fresh engine per sample (a second execute would compute nothing), made untimed.
    let engine: Engine | undefined;
    const engineContender = (
      execute: (engine: Engine) => Promise<unknown>,
      answer: (engine: Engine) => Promise<Series>,
      withAirports = false,
    ): Contender => {
      let series: Series | undefined;
      return {
        name: 'engine',
        prepare: async () => {
          await engine?.close();
          engine = undefined;
          collectGarbage();
          engine = await flightsEngine(columns, span, withAirports ? airports : undefined);
        },
        run: async () => {
          await execute(engine!);
          return undefined;
        },
        after: async () => {
          series ??= await answer(engine!);
          await engine?.close();
          engine = undefined;
        },
      };
    };

    for (const [label, width, key] of [
      ['hourly mean delay (tumbling 1 h)', HOUR, 'hourly'],
      ['24 h sliding mean delay, advanced hourly', DAY, 'sliding'],
    ] as const) {
      const answer = expected[key];
      let checked = false;
      const engineSide = engineContender(
        (e) => windowWorkflow(e, 'w', { width, step: HOUR }).execute(span),
        async (e) => {
          const series = await memorySeries(e, 'w_means', span);
          if (!checked) assertSame(series, answer, `${label} by the engine`);
          checked = true;
          return series;
        },
      );
      const medians = await interleave(
        [
          engineSide,
          {
            name: 'columnar-loop',
            run: () =>
              width === HOUR
                ? hourlyMeansColumnar(flights, span)
                : slidingMeansColumnar(flights, span, width),
          },
          ...duckContenders(
            duck,
            width === HOUR
              ? { kind: 'hourly', interval: range(span) }
              : { kind: 'sliding', interval: range(span), width },
          ),
        ],
        reps,
        answer,
        label,
      );
      rows.push(
        row(
          `${label}, ${countLabel(n)} flights`,
          withHandLoop(medians, handLoop[key]),
          n,
          `${answer.length} window means checked equal for every system; hand-loop timed alone, before`,
        ),
      );
    }

    {
      const answer = expected.plates;
      let checked = false;
      const engineSide = engineContender(
        (e) => plateWorkflow(e, 'p').execute(span),
        async (e) => {
          const series = await memorySeries(e, 'p_mean_of_airports', span);
          if (!checked) assertSame(series, answer, 'plates by the engine');
          checked = true;
          return series;
        },
        true,
      );
      const medians = await interleave(
        [
          engineSide,
          { name: 'columnar-loop', run: () => airportMeansColumnar(flights, span) },
          ...duckContenders(duck, { kind: 'airports', interval: range(span) }),
        ],
        reps,
        answer,
        'hourly mean across airports',
      );
      rows.push(
        row(
          `${countLabel(n)} flights → ${airports.length} airports, hourly mean each, mean across`,
          withHandLoop(medians, handLoop.plates),
          n,
          `${answer.length} hourly means checked equal; engine: splitter → window_aggregate → aggregate; hand-loop timed alone, before`,
        ),
      );
    }

    {
      // Compute on request: the engine computes only the second period, after the first.
      const inSecond =
        firstAfter(flights.timestamps, second.end) - firstAfter(flights.timestamps, second.start);
      const expectedSecond = expected.second;
      const expectedBoth = expected.both;
      const again: number[] = [];
      const againCpu: number[] = [];
      let checked = false;
      const streams = plateSinkStreams(airports.length);
      let workflow: ReturnType<typeof plateWorkflow> | undefined;
      const incremental: Contender = {
        name: 'engine',
        prepare: async () => {
          await engine?.close();
          engine = undefined;
          collectGarbage();
          engine = await flightsEngine(columns, span, airports);
          workflow = plateWorkflow(engine, 'r');
          await workflow.execute(first);
        },
        run: async () => {
          const session = await workflow!.execute(both);
          for (const intervals of computedIntervals(session).values()) {
            if (!intervals.equals(TimeIntervals.of(second))) {
              throw new Error(
                `benchmark check failed: the second execute computed ${intervals.toString()}, expected ${second.toString()}`,
              );
            }
          }
          return undefined;
        },
        after: async () => {
          if (!checked) {
            assertSame(
              await memorySeries(engine!, 'r_mean_of_airports', both),
              expectedBoth,
              'both periods by the engine',
            );
            checked = true;
          }
          // The no-op re-execute: only the calculated-interval checks.
          collectGarbage();
          await pause();
          const started = performance.now();
          const before = process.cpuUsage();
          const session = await workflow!.execute(both);
          const used = process.cpuUsage(before);
          again.push(performance.now() - started);
          againCpu.push((used.user + used.system) / 1000);
          assertSame(session.pieces.length, 0, 'pieces of the repeated execute');
          await engine?.close();
          engine = undefined;
        },
      };
      const medians = await interleave(
        [
          incremental,
          { name: 'columnar-loop', run: () => airportMeansColumnar(flights, second) },
          ...duckContenders(duck, { kind: 'airports', interval: range(second) }),
        ],
        reps,
        expectedSecond,
        'the second period',
      );
      const cpu = cpuNote();
      // DuckDB has no calculated intervals: asking for both periods recomputes both.
      const recompute = await interleave(
        duckContenders(duck, { kind: 'airports', interval: range(both) }, '-recompute'),
        reps,
        expectedBoth,
        'both periods',
      );
      const name = context.tiny ? ['first half', 'second half'] : ['January', 'February'];
      rows.push(
        row(
          `execute ${name[0]}–${name[1]} after ${name[0]} (only ${name[1]} computed, ${countLabel(inSecond)} flights)`,
          withHandLoop(new Map([...medians, ...recompute]), handLoop.second),
          inSecond,
          `every factor computed exactly ${second.toString()}; baselines compute ${name[1]} only, *-recompute both periods`,
          cpu,
        ),
      );
      const againMs = median(again);
      rows.push({
        figure: `execute ${name[0]}–${name[1]} again (nothing computed, ${streams} sink streams)`,
        engineMs: againMs,
        baselineMs: undefined,
        baselines: {},
        items: streams,
        peakRssMiB: peakRssMiB(),
        note: `${((againMs * 1000) / streams).toFixed(2)} µs per stream (CPU ${((median(againCpu) * 1000) / streams).toFixed(2)} µs); no pieces; load average ${load()}`,
      });
    }
    await engine?.close();
  } finally {
    for (const d of duck) await d.close();
  }
  return rows;
}

const scenario: BenchScenario = {
  name: 'flights-columnar',
  description:
    'hourly, plates, sliding and compute on request: the engine vs a hand loop, a columnar loop and DuckDB (1 and 2 threads), interleaved',
  run,
};
export default scenario;
