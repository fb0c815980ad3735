// The flights workflows of scenarios 2–4 (windowed means, the airport plate, compute on request)
// and the hand-written loops they are measured against. The loops compute exactly what the
// workflows do — windows (end − width, end] ending at multiples of the step, empty windows
// skipped — so the two can be checked equal before either is timed.

import { firstInstanceAfter } from './first-after.js';
import type { Flight, Flights } from './flights.js';
import { Engine } from '../../src/engine/engine.js';
import type { SessionRecord } from '../../src/storage/session-store.js';
import { StreamId } from '../../src/streams/stream-id.js';
import type { Batch } from '../../src/streams/batch.js';
import { writeBatchTo } from '../../src/channels/stream-access.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import { TimeIntervals } from '../../src/time/time-intervals.js';
import type { Workflow } from '../../src/workflow/workflow.js';
import aggregate from '../../tools/aggregate/2026-11-22_v1.0.0.js';
import splitter from '../../tools/splitter/2026-11-22_v1.0.0.js';
import windowAggregate from '../../tools/window_aggregate/2026-11-22_v1.0.0.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** The plate of origin airports. */
export const AIRPORT_PLATE = 'airport';
/** The raw flights stream every workflow reads. */
export const FLIGHTS_STREAM = 'flights';

/** A series as both sides produce it: window ends and values, in time order. */
export type Series = [number, number][];

/** Whole hours around the flights: (hour before the first, hour of the last]. */
export function hourSpan(flights: Flights): TimeInterval {
  const start = Math.floor((flights.timestamps[0]! - 1) / HOUR) * HOUR;
  const end = Math.ceil(flights.timestamps[flights.count - 1]! / HOUR) * HOUR;
  return new TimeInterval(start, end);
}

/** The origin airports that have flights, sorted. */
export function originAirports(flights: Flights): string[] {
  const seen = new Uint8Array(flights.airports.length);
  for (let i = 0; i < flights.count; i++) seen[flights.origin[i]!] = 1;
  return flights.airports.filter((_, i) => seen[i] === 1);
}

/**
 * A fresh in-memory engine holding the flights as a calculated source stream over `span`, and
 * (with `airports`) one plate value per origin airport on the plate {@link AIRPORT_PLATE}.
 * The flights are written as one column batch (the memory store copies it into its chunks).
 */
export async function flightsEngine(
  flights: Batch,
  span: TimeInterval,
  airports?: readonly string[],
): Promise<Engine> {
  const engine = await Engine.create();
  const memory = engine.channels.get('memory');
  const id = StreamId.of(FLIGHTS_STREAM);
  await writeBatchTo(memory, id, flights);
  await memory.addCalculatedIntervals(id, span);
  if (airports) {
    for (const code of airports) await engine.plates.addMetaData([], AIRPORT_PLATE, code);
    await engine.plates.createPlate({ id: AIRPORT_PLATE, metaKey: AIRPORT_PLATE });
  }
  return engine;
}

/** flights → window_aggregate mean of `delay` → `<id>_means`. */
export function windowWorkflow(
  engine: Engine,
  id: string,
  window: { width: number; step: number },
): Workflow {
  const w = engine.workflow(id);
  w.factor({
    tool: windowAggregate.create({ ...window, stats: 'mean', field: 'delay' }),
    sources: [w.node(FLIGHTS_STREAM)],
    sink: w.node(`${id}_means`),
  });
  return w;
}

/**
 * flights → splitter by origin onto the airport plate → hourly mean delay per airport → mean across
 * airports (`<id>_mean_of_airports`).
 */
export function plateWorkflow(engine: Engine, id: string): Workflow {
  const w = engine.workflow(id);
  const byAirport = w.node(`${id}_by_airport`, { plates: [AIRPORT_PLATE] });
  const airportMeans = w.node(`${id}_airport_means`, { plates: [AIRPORT_PLATE] });
  w.multiOutputFactor({
    tool: splitter.create({ element: 'origin' }),
    source: w.node(FLIGHTS_STREAM),
    sink: byAirport,
  });
  w.factor({
    tool: windowAggregate.create({ width: HOUR, stats: 'mean', field: 'delay' }),
    sources: [byAirport],
    sink: airportMeans,
  });
  w.aggregateFactor({
    tool: aggregate.create({ func: { fn: 'mean' } }),
    sources: [airportMeans],
    sink: w.node(`${id}_mean_of_airports`),
  });
  return w;
}

/** Sink streams of a plate workflow: split and hourly mean per airport, and the overall mean. */
export function plateSinkStreams(airports: number): number {
  return 2 * airports + 1;
}

/** The numeric instances of a memory stream of `engine` within `interval`. */
export async function memorySeries(
  engine: Engine,
  name: string,
  interval: TimeInterval,
): Promise<Series> {
  const out: Series = [];
  for await (const { timestamp, value } of engine.channels
    .get('memory')
    .getResults(StreamId.of(name), interval)) {
    out.push([timestamp, value as number]);
  }
  return out;
}

/**
 * The baseline of scenario 2: mean delay of every non-empty window (end − width, end] with end a
 * multiple of `step` in `interval`, in one pass over the sorted instances with a running sum.
 */
export function windowMeansLoop(
  items: readonly StreamInstance<Flight>[],
  interval: TimeInterval,
  width: number,
  step: number,
): Series {
  const out: Series = [];
  let lo = firstInstanceAfter(items, interval.start - width);
  let hi = lo;
  let sum = 0;
  for (
    let end = Math.floor(interval.start / step) * step + step;
    end <= interval.end;
    end += step
  ) {
    while (hi < items.length && items[hi]!.timestamp <= end) sum += items[hi++]!.value.delay;
    while (lo < hi && items[lo]!.timestamp <= end - width) sum -= items[lo++]!.value.delay;
    if (hi > lo) out.push([end, sum / (hi - lo)]);
  }
  return out;
}

/**
 * The baseline of scenario 3: a Map of hourly (sum, count) per origin airport over the instances
 * in `interval`, then per hour the mean of the airports' means.
 */
export function airportMeansLoop(
  items: readonly StreamInstance<Flight>[],
  interval: TimeInterval,
): Series {
  const perAirport = new Map<string, Map<number, { sum: number; n: number }>>();
  const to = firstInstanceAfter(items, interval.end);
  for (let i = firstInstanceAfter(items, interval.start); i < to; i++) {
    const { timestamp, value } = items[i]!;
    let hours = perAirport.get(value.origin);
    if (!hours)
      perAirport.set(value.origin, (hours = new Map<number, { sum: number; n: number }>()));
    // Keyed by hour number (a small integer, hashed fast), not by the end in ms.
    const hour = Math.ceil(timestamp / HOUR);
    const bucket = hours.get(hour);
    if (bucket) {
      bucket.sum += value.delay;
      bucket.n++;
    } else hours.set(hour, { sum: value.delay, n: 1 });
  }
  const across = new Map<number, { sum: number; n: number }>();
  for (const hours of perAirport.values()) {
    for (const [hour, { sum, n }] of hours) {
      const bucket = across.get(hour);
      if (bucket) {
        bucket.sum += sum / n;
        bucket.n++;
      } else across.set(hour, { sum: sum / n, n: 1 });
    }
  }
  return [...across]
    .sort((a, b) => a[0] - b[0])
    .map(([hour, { sum, n }]) => [hour * HOUR, sum / n]);
}

/**
 * Per factor of a session, the union of the intervals its pieces computed (factors without pieces
 * are absent): what an execute actually computed.
 */
export function computedIntervals(session: SessionRecord): Map<string, TimeIntervals> {
  const out = new Map<string, TimeIntervals>();
  for (const piece of session.pieces) {
    const interval = new TimeInterval(piece.interval.start, piece.interval.end);
    out.set(piece.factor, (out.get(piece.factor) ?? TimeIntervals.EMPTY).union(interval));
  }
  return out;
}

/** A count for a figure's label: 3M, 20k, 512. */
export function countLabel(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(2)}M`;
  if (n >= 1000) return `${+(n / 1000).toFixed(1)}k`;
  return String(n);
}

/**
 * Process CPU time (all threads, user + system) of the calls it wraps, reported beside the wall
 * time: on a shared, overloaded machine wall time includes waiting for a core, CPU time does not.
 */
export class CpuMeter {
  readonly #samples: number[] = [];

  wrap<T>(fn: () => T | Promise<T>): () => Promise<T> {
    return async () => {
      const before = process.cpuUsage();
      const result = await fn();
      const used = process.cpuUsage(before);
      this.#samples.push((used.user + used.system) / 1000);
      return result;
    };
  }

  /** Median CPU milliseconds of the wrapped calls so far. */
  medianMs(): number {
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }
}

/** The note part comparing CPU times: on a loaded machine the fairer ratio. */
export function cpuNote(engine: CpuMeter, baseline?: CpuMeter): string {
  const e = engine.medianMs();
  if (!baseline) return `CPU ${e.toFixed(0)} ms`;
  const b = baseline.medianMs();
  return `CPU ${e.toFixed(0)} ms vs ${b.toFixed(0)} ms (${(e / b).toFixed(2)}×)`;
}
