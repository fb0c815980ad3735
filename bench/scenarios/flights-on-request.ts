// Scenario 4: compute on request. The plate workflow of scenario 3 executed over January, then
// over January–February (only February is computed, checked from the session's pieces), then over
// January–February again (nothing is computed: the cost is the calculated-interval check alone).
// Baselines: the hand-written Map loop over the flights the execute had to compute.

import type { Flights } from '../data/flights.js';
import {
  firstAfter,
  flightInstances,
  flightsBatch,
  loadFlights,
  monthStart,
} from '../data/flights.js';
import {
  CpuMeter,
  HOUR,
  airportMeansLoop,
  computedIntervals,
  countLabel,
  cpuNote,
  flightsEngine,
  hourSpan,
  memorySeries,
  originAirports,
  plateSinkStreams,
  plateWorkflow,
} from '../data/flights-workflows.js';
import { collectGarbage } from '../data/gc.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { assertSame, time } from '../harness.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import { TimeIntervals } from '../../src/time/time-intervals.js';
import type { SessionRecord } from '../../src/storage/session-store.js';

/**
 * January and February 2001; tiny: the sample's span cut in two at the hour of its middle flight
 * (the start of the file is not in date order: its flights spread over a day or two).
 */
function periods(flights: Flights): { first: TimeInterval; second: TimeInterval } {
  const span = hourSpan(flights);
  if (span.start >= monthStart(1) && span.end > monthStart(3)) {
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

/**
 * Throws unless each factor of the session computed exactly what `expected` gives for it, and no
 * other factor computed anything (`expected` undefined: nothing at all was computed).
 */
function assertComputed(
  session: SessionRecord,
  expected: ((factor: string) => TimeInterval) | undefined,
  factors: number,
  what: string,
): void {
  if (expected === undefined) {
    assertSame(session.pieces.length, 0, `pieces computed by ${what}`);
    return;
  }
  const computed = computedIntervals(session);
  assertSame(computed.size, factors, `factors that computed pieces in ${what}`);
  for (const [factor, intervals] of computed) {
    const interval = expected(factor);
    if (!intervals.equals(TimeIntervals.of(interval))) {
      throw new Error(
        `benchmark check failed for ${what}: factor ${factor} computed ${intervals.toString()}, expected ${interval.toString()}`,
      );
    }
  }
}

async function run(context: BenchContext): Promise<BenchRow[]> {
  const { flights } = await loadFlights(context.tiny ? { sample: 10_000 } : {});
  const { first, second } = periods(flights);
  const both = new TimeInterval(first.start, second.end);
  const instances = flightInstances(flights);
  const columns = flightsBatch(flights);
  const airports = originAirports(flights);
  const streams = plateSinkStreams(airports.length);
  const inFirst =
    firstAfter(flights.timestamps, first.end) - firstAfter(flights.timestamps, first.start);
  const inSecond =
    firstAfter(flights.timestamps, second.end) - firstAfter(flights.timestamps, second.start);
  const expected = airportMeansLoop(instances, both);
  const factors = 3;

  // Each repetition: a fresh engine, then the three executes in order, each timed on its own.
  const samples: Record<'first' | 'both' | 'again', number[]> = { first: [], both: [], again: [] };
  const cpu = { first: new CpuMeter(), both: new CpuMeter(), again: new CpuMeter() };
  const repetitions = Math.max(1, context.repetitions);
  for (let r = 0; r < repetitions; r++) {
    collectGarbage();
    const engine = await flightsEngine(columns, hourSpan(flights), airports);
    try {
      const workflow = plateWorkflow(engine, 'on_request');
      collectGarbage();
      const execute = async (
        key: keyof typeof samples,
        interval: TimeInterval,
      ): Promise<SessionRecord> => {
        const started = performance.now();
        const session = await cpu[key].wrap(() => workflow.execute(interval))();
        samples[key].push(performance.now() - started);
        return session;
      };
      // The hourly means read an hour before their interval: the splitter computes that hour too.
      const withLookback = (factor: string): TimeInterval =>
        factor.startsWith('splitter') ? new TimeInterval(first.start - HOUR, first.end) : first;
      assertComputed(await execute('first', first), withLookback, factors, 'the first execute');
      assertComputed(await execute('both', both), () => second, factors, 'the second execute');
      assertComputed(await execute('again', both), undefined, factors, 'the repeated execute');
      if (r === 0) {
        assertSame(
          await memorySeries(engine, 'on_request_mean_of_airports', both),
          expected,
          'hourly mean across airports over both periods',
        );
      }
    } finally {
      await engine.close();
    }
  }

  const loopCpu = { first: new CpuMeter(), second: new CpuMeter() };
  const loopFirst = await time(
    context.repetitions,
    loopCpu.first.wrap(() => airportMeansLoop(instances, first)),
    { setup: collectGarbage },
  );
  const loopSecond = await time(
    context.repetitions,
    loopCpu.second.wrap(() => airportMeansLoop(instances, second)),
    { setup: collectGarbage },
  );
  const median = (values: readonly number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const againMs = median(samples.again);
  const name = context.tiny ? ['first half', 'both halves'] : ['January', 'January–February'];
  return [
    {
      figure: `execute ${name[0]} (${countLabel(inFirst)} flights, fresh)`,
      engineMs: median(samples.first),
      baselineMs: loopFirst.medianMs,
      items: inFirst,
      note: `${cpuNote(cpu.first, loopCpu.first)}; baseline: the Map loop over the same flights`,
    },
    {
      figure: `execute ${name[1]} (only ${name[1] === 'both halves' ? 'the second half' : 'February'} computed, ${countLabel(inSecond)} flights)`,
      engineMs: median(samples.both),
      baselineMs: loopSecond.medianMs,
      items: inSecond,
      note: `${cpuNote(cpu.both, loopCpu.second)}; every factor's pieces cover exactly ${second.toString()}; baseline: the Map loop over those flights`,
    },
    {
      figure: `execute ${name[1]} again (nothing computed, ${streams} sink streams)`,
      engineMs: againMs,
      baselineMs: undefined,
      items: streams,
      note: `${cpuNote(cpu.again)}; items = sink streams checked; ${((againMs * 1000) / streams).toFixed(1)} µs per stream; no pieces in the session`,
    },
  ];
}

const scenario: BenchScenario = {
  name: 'flights-on-request',
  description:
    'compute on request: the airport plate workflow over January, January–February (only February computed), and again (nothing computed)',
  run,
};
export default scenario;
