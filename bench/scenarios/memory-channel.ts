// MemoryChannel writes and window reads against the same work on a plain sorted array.

import { seededRandom } from '../data/random.js';
import { collectGarbage } from '../data/gc.js';
import { firstInstanceAfter } from '../data/first-after.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { assertSame, time } from '../harness.js';
import { MemoryChannel } from '../../src/channels/memory-channel.js';
import type { Stream } from '../../src/channels/stream.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import { TimeInterval } from '../../src/time/time-interval.js';

const T0 = Date.UTC(2001, 0, 1);
const SECOND = 1000;
const BATCH = 10_000;

type Instance = StreamInstance<number>;

/** One instance a second with a random value. */
function makeInstances(n: number): Instance[] {
  const random = seededRandom(7);
  const out: Instance[] = new Array<Instance>(n);
  for (let i = 0; i < n; i++) out[i] = { timestamp: T0 + (i + 1) * SECOND, value: random() };
  return out;
}

// --- the baseline: a plain sorted array and a hand-written binary search

function windowSumPlain(
  items: readonly Instance[],
  interval: TimeInterval,
): { count: number; sum: number } {
  const to = firstInstanceAfter(items, interval.end);
  let sum = 0;
  let count = 0;
  for (let i = firstInstanceAfter(items, interval.start); i < to; i++) {
    sum += items[i]!.value;
    count++;
  }
  return { count, sum };
}

async function windowSumEngine(
  stream: Stream<number>,
  interval: TimeInterval,
): Promise<{ count: number; sum: number }> {
  let sum = 0;
  let count = 0;
  for await (const batch of stream.window(interval).batches()) {
    for (const item of batch) sum += item.value;
    count += batch.length;
  }
  return { count, sum };
}

async function run(context: BenchContext): Promise<BenchRow[]> {
  const n = context.tiny ? 10_000 : 1_000_000;
  const instances = makeInstances(n);
  const rows: BenchRow[] = [];

  // Writes: a fresh stream per sample, appended in batches.
  let channel = new MemoryChannel('bench');
  let stream = (await channel.getOrCreateStream('values')) as Stream<number>;
  const engineWrite = await time(
    context.repetitions,
    async () => {
      for (let i = 0; i < n; i += BATCH) await stream.write(instances.slice(i, i + BATCH));
      return await stream.window(TimeInterval.allTime()).count();
    },
    {
      setup: async () => {
        collectGarbage();
        channel = new MemoryChannel('bench');
        stream = (await channel.getOrCreateStream('values')) as Stream<number>;
      },
      check: (count) => assertSame(count, n, 'instances written'),
    },
  );
  let plain: Instance[] = [];
  const baselineWrite = await time(
    context.repetitions,
    () => {
      for (let i = 0; i < n; i += BATCH) {
        const batch = instances.slice(i, i + BATCH);
        for (const item of batch) plain.push({ timestamp: item.timestamp, value: item.value });
      }
      return plain.length;
    },
    {
      setup: () => {
        plain = [];
        collectGarbage();
      },
      check: (count) => assertSame(count, n, 'instances pushed'),
    },
  );
  rows.push({
    figure: `write ${label(n)} in batches of ${label(BATCH)}`,
    engineMs: engineWrite.medianMs,
    baselineMs: baselineWrite.medianMs,
    items: n,
    note: 'baseline: copy each instance into a plain array',
  });

  // Reads on the stream written by the last sample.
  const full = new TimeInterval(T0, T0 + n * SECOND);
  const onePercentStart = T0 + Math.floor(n * 0.42) * SECOND;
  const onePercent = new TimeInterval(
    onePercentStart,
    onePercentStart + Math.floor(n / 100) * SECOND,
  );
  for (const [figure, interval] of [
    [`full window (${label(n)})`, full],
    [`1% window (${label(n / 100)})`, onePercent],
  ] as const) {
    const expected = windowSumPlain(plain, interval);
    assertSame(await windowSumEngine(stream, interval), expected, figure);
    const engine = await time(context.repetitions, () => windowSumEngine(stream, interval), {
      check: (r) => assertSame(r, expected, figure),
    });
    const baseline = await time(context.repetitions, () => windowSumPlain(plain, interval), {
      check: (r) => assertSame(r, expected, figure),
    });
    rows.push({
      figure: `read + sum ${figure}`,
      engineMs: engine.medianMs,
      baselineMs: baseline.medianMs,
      items: expected.count,
      note: 'async batches vs binary search + loop',
    });
  }

  // Point reads: too quick to time one by one, so many per sample over shifting windows.
  const calls = context.tiny ? 100 : 10_000;
  const windows = Array.from({ length: calls }, (_, i) => {
    const start = T0 + Math.floor(((i * 7919) % calls) * (n / calls)) * SECOND;
    return new TimeInterval(start, start + 3600 * SECOND);
  });
  const pointReads: [
    string,
    (i: TimeInterval) => Promise<unknown>,
    (i: TimeInterval) => unknown,
  ][] = [
    [
      'first',
      async (w) => (await stream.window(w).first())?.timestamp,
      (w) => plain[firstInstanceAfter(plain, w.start)]?.timestamp,
    ],
    [
      'last',
      async (w) => (await stream.window(w).last())?.timestamp,
      (w) => plain[firstInstanceAfter(plain, w.end) - 1]?.timestamp,
    ],
    [
      'tail(10)',
      async (w) => (await stream.window(w).tail(10)).map((x) => x.timestamp),
      (w) => {
        const to = firstInstanceAfter(plain, w.end);
        return plain
          .slice(Math.max(firstInstanceAfter(plain, w.start), to - 10), to)
          .map((x) => x.timestamp);
      },
    ],
  ];
  for (const [figure, engineRead, baselineRead] of pointReads) {
    assertSame(await engineRead(windows[0]!), baselineRead(windows[0]!), figure);
    const engine = await time(context.repetitions, async () => {
      const out: unknown[] = [];
      for (const w of windows) out.push(await engineRead(w));
      return out;
    });
    let expected: unknown[] = [];
    const baseline = await time(
      context.repetitions,
      () => (expected = windows.map(baselineRead)),
      {},
    );
    const got: unknown[] = [];
    for (const w of windows) got.push(await engineRead(w));
    assertSame(got, expected, figure);
    rows.push({
      figure: `${figure} of a 1 h window ×${label(calls)}`,
      engineMs: engine.medianMs,
      baselineMs: baseline.medianMs,
      items: calls,
      note: `items = calls; ${formatMicros(engine.medianMs / calls)} per call`,
    });
  }
  return rows;
}

function label(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1000 && n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}

function formatMicros(ms: number): string {
  return `${(ms * 1000).toFixed(1)} µs`;
}

const scenario: BenchScenario = {
  name: 'memory-channel',
  description: 'MemoryChannel writes and window reads of 1M instances, vs a plain sorted array',
  run,
};
export default scenario;
