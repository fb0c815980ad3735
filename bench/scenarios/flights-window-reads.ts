// Scenario 6 (memory part): first, last, tail(10) and one-day windows on the 3,000,000-flight
// stream, against the same reads on a plain sorted array with a hand-written binary search.

import type { Flight } from '../data/flights.js';
import { flightInstances, loadFlights } from '../data/flights.js';
import { firstInstanceAfter } from '../data/first-after.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { assertSame, time } from '../harness.js';
import { MemoryChannel } from '../../src/channels/memory-channel.js';
import type { Stream } from '../../src/channels/stream.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import { TimeInterval } from '../../src/time/time-interval.js';

const DAY = 86_400_000;

type Instance = StreamInstance<Flight>;

interface DayMean {
  readonly count: number;
  readonly meanDelay: number;
}

function dayMeanPlain(items: readonly Instance[], day: TimeInterval): DayMean {
  const to = firstInstanceAfter(items, day.end);
  const from = firstInstanceAfter(items, day.start);
  let sum = 0;
  for (let i = from; i < to; i++) sum += items[i]!.value.delay;
  return { count: to - from, meanDelay: to > from ? sum / (to - from) : NaN };
}

async function dayMeanEngine(stream: Stream<Flight>, day: TimeInterval): Promise<DayMean> {
  let sum = 0;
  let count = 0;
  for await (const batch of stream.window(day).batches()) {
    for (const item of batch) sum += item.value.delay;
    count += batch.length;
  }
  return { count, meanDelay: count > 0 ? sum / count : NaN };
}

async function run(context: BenchContext): Promise<BenchRow[]> {
  const { flights } = await loadFlights(context.tiny ? { sample: 10_000 } : {});
  const plain = flightInstances(flights);
  const stream = (await new MemoryChannel('bench').getOrCreateStream('flights')) as Stream<Flight>;
  await stream.write(plain);
  const n = plain.length;
  const rows: BenchRow[] = [];
  const everything = TimeInterval.allTime();
  const view = stream.window(everything);
  // Single reads take microseconds: time many per sample.
  const calls = context.tiny ? 100 : 10_000;

  const pointReads: [string, () => Promise<unknown>, () => unknown][] = [
    [
      'first',
      async () => (await view.first())?.timestamp,
      () => plain[firstInstanceAfter(plain, everything.start)]?.timestamp,
    ],
    [
      'last',
      async () => (await view.last())?.timestamp,
      () => plain[firstInstanceAfter(plain, everything.end) - 1]?.timestamp,
    ],
    [
      'tail(10)',
      async () => (await view.tail(10)).map((x) => x.timestamp),
      () => {
        const to = firstInstanceAfter(plain, everything.end);
        return plain
          .slice(Math.max(firstInstanceAfter(plain, everything.start), to - 10), to)
          .map((x) => x.timestamp);
      },
    ],
  ];
  for (const [figure, engineRead, baselineRead] of pointReads) {
    const expected = baselineRead();
    assertSame(await engineRead(), expected, figure);
    const engine = await time(
      context.repetitions,
      async () => {
        let result: unknown;
        for (let i = 0; i < calls; i++) result = await engineRead();
        return result;
      },
      { check: (r) => assertSame(r, expected, figure) },
    );
    const baseline = await time(
      context.repetitions,
      () => {
        let result: unknown;
        for (let i = 0; i < calls; i++) result = baselineRead();
        return result;
      },
      { check: (r) => assertSame(r, expected, figure) },
    );
    rows.push({
      figure: `${figure} of ${label(n)} ×${label(calls)}`,
      engineMs: engine.medianMs,
      baselineMs: baseline.medianMs,
      items: calls,
      note: `items = calls; ${((engine.medianMs / calls) * 1000).toFixed(1)} µs per call; baseline: binary search + index`,
    });
  }

  // Every day of the data, one window each: read and take the mean delay.
  const first = plain[0]!.timestamp;
  const dayStart = Math.floor(first / DAY) * DAY;
  const days: TimeInterval[] = [];
  for (let t = dayStart; t < plain[n - 1]!.timestamp; t += DAY)
    days.push(new TimeInterval(t, t + DAY));
  const expected = days.map((d) => dayMeanPlain(plain, d));
  const engineAll: DayMean[] = [];
  for (const d of days) engineAll.push(await dayMeanEngine(stream, d));
  assertSame(engineAll, expected, 'daily mean delay');
  const engine = await time(
    context.repetitions,
    async () => {
      const out: DayMean[] = [];
      for (const d of days) out.push(await dayMeanEngine(stream, d));
      return out;
    },
    { check: (r) => assertSame(r, expected, 'daily mean delay') },
  );
  const baseline = await time(context.repetitions, () => days.map((d) => dayMeanPlain(plain, d)), {
    check: (r) => assertSame(r, expected, 'daily mean delay'),
  });
  const read = expected.reduce((sum, d) => sum + d.count, 0);
  const perDay = read / days.length;
  rows.push({
    figure: `one-day window + mean delay ×${days.length} days`,
    engineMs: engine.medianMs,
    baselineMs: baseline.medianMs,
    items: read,
    note: `items = instances read (~${label(Math.round(perDay))} a day); ${(engine.medianMs / days.length).toFixed(2)} ms per day`,
  });
  return rows;
}

function label(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(2)}M`;
  if (n >= 1000) return `${+(n / 1000).toFixed(1)}k`;
  return String(n);
}

const scenario: BenchScenario = {
  name: 'flights-window-reads',
  description:
    'first, last, tail(10) and one-day windows on the 3M-flight memory stream, vs a plain array',
  run,
};
export default scenario;
