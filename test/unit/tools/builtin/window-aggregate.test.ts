import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ToolParameterError } from '../../../../src/errors.js';
import type { StreamInstance } from '../../../../src/streams/stream-instance.js';
import type { TimeInterval } from '../../../../src/time/time-interval.js';
import windowAggregate from '../../../../tools/window_aggregate/2026-11-22_v1.0.0.js';
import { docs, interval, runPlain } from '../../../helpers/tool-harness.js';

type Params = Parameters<typeof windowAggregate.create>[0];

const run = async (params: Params, iv: TimeInterval, input: StreamInstance[]) =>
  await runPlain(windowAggregate.create(params), iv, [input]);

// Values 1…10 at 1 s … 10 s.
const data = docs(
  ...Array.from({ length: 10 }, (_, i): [number, unknown] => [(i + 1) * 1000, i + 1]),
);

describe('window_aggregate', () => {
  it('computes tumbling-window means (step defaults to width)', async () => {
    expect(await run({ width: 'PT3S' }, interval(0, 12_000), data)).toEqual(
      docs([3000, 2], [6000, 5], [9000, 8], [12_000, 10]),
    );
  });

  it('computes sliding windows, looking back before the interval', async () => {
    const out = await run(
      { width: 3000, step: 1000, stats: ['count', 'sum', 'min', 'max'] },
      interval(4000, 7000),
      data,
    );
    expect(out).toEqual(
      docs(
        [5000, { count: 3, sum: 12, min: 3, max: 5 }],
        [6000, { count: 3, sum: 15, min: 4, max: 6 }],
        [7000, { count: 3, sum: 18, min: 5, max: 7 }],
      ),
    );
  });

  it('includes a document at the window end and excludes one at its start', async () => {
    const out = await run(
      { width: 2000, stats: 'count' },
      interval(0, 4000),
      docs([2000, 1], [2001, 1], [4000, 1]),
    );
    expect(out).toEqual(docs([2000, 1], [4000, 2]));
  });

  it('gives variance, stddev, median and percentiles', async () => {
    const input = docs([1, 2], [2, 4], [3, 4], [4, 4], [5, 5], [6, 5], [7, 7], [8, 9]);
    const [population] = await run(
      { width: 10, stats: ['mean', 'variance', 'stddev', 'median'], percentiles: [25, 100] },
      interval(0, 10),
      input,
    );
    expect(population).toEqual({
      timestamp: 10,
      value: { mean: 5, variance: 4, stddev: 2, median: 4.5, p25: 4, p100: 9 },
    });
    const [sample] = await run({ width: 10, stats: 'variance', ddof: 1 }, interval(0, 10), input);
    expect(sample!.value).toBeCloseTo(32 / 7, 12);
  });

  it('skips empty windows by default, or emits count 0 and nulls', async () => {
    const sparse = docs([1000, 1], [9000, 3]);
    expect(
      await run({ width: 2000, stats: ['count', 'mean'] }, interval(0, 10_000), sparse),
    ).toEqual(docs([2000, { count: 1, mean: 1 }], [10_000, { count: 1, mean: 3 }]));
    const all = await run(
      {
        width: 2000,
        stats: ['count', 'sum', 'mean', 'min', 'max', 'stddev'],
        emptyWindows: 'emit',
      },
      interval(0, 6000),
      sparse,
    );
    expect(all).toEqual(
      docs(
        [2000, { count: 1, sum: 1, mean: 1, min: 1, max: 1, stddev: 0 }],
        [4000, { count: 0, sum: 0, mean: null, min: null, max: null, stddev: null }],
        [6000, { count: 0, sum: 0, mean: null, min: null, max: null, stddev: null }],
      ),
    );
    expect(await run({ width: 1000 }, interval(0, 5000), [])).toEqual([]);
  });

  it('aggregates value[field] and ignores values that are not numbers', async () => {
    const input = docs(
      [1, { t: 10 }],
      [2, { t: 20, u: 1 }],
      [3, { u: 5 }],
      [4, 'x'],
      [5, null],
      [6, Number.NaN],
    );
    expect(
      await run({ width: 10, field: 't', stats: ['count', 'mean'] }, interval(0, 10), input),
    ).toEqual(docs([10, { count: 2, mean: 15 }]));
    expect(await run({ width: 10, stats: 'count' }, interval(0, 10), input)).toEqual([]);
  });

  it('aligns windows to origin and leaves gaps between hopping windows', async () => {
    // Windows of 1 s every 3 s ending at 0.5 s + 3k s: (−0.5, 0.5], (2.5, 3.5], (5.5, 6.5], (8.5, 9.5].
    const out = await run(
      { width: 1000, step: 3000, origin: 500, stats: 'sum' },
      interval(0, 10_000),
      data,
    );
    expect(out).toEqual(docs([3500, 3], [6500, 6], [9500, 9]));
  });

  it('gives the same output however the interval is split', async () => {
    const params: Params = {
      width: 2500,
      step: 500,
      stats: ['count', 'mean', 'max'],
      percentiles: [50],
    };
    const whole = await run(params, interval(0, 12_000), data);
    const pieces = [
      ...(await run(params, interval(0, 3700), data)),
      ...(await run(params, interval(3700, 3800), data)),
      ...(await run(params, interval(3800, 12_000), data)),
    ];
    expect(pieces).toEqual(whole);
  });

  it('rejects bad parameters', () => {
    expect(() => windowAggregate.create({} as never)).toThrow(ToolParameterError);
    expect(() => windowAggregate.create({ width: 0 })).toThrow(ToolParameterError);
    expect(() => windowAggregate.create({ width: 10, step: -1 })).toThrow(ToolParameterError);
    expect(() => windowAggregate.create({ width: 10, stats: 'mode' } as never)).toThrow(
      ToolParameterError,
    );
    expect(() => windowAggregate.create({ width: 10, stats: [] })).toThrow(ToolParameterError);
    expect(() => windowAggregate.create({ width: 10, percentiles: [120] })).toThrow(
      ToolParameterError,
    );
    expect(() => windowAggregate.create({ width: 10, ddof: 2 })).toThrow(ToolParameterError);
  });

  it('matches a direct per-window computation on random data', async () => {
    const stats = ['count', 'sum', 'mean', 'min', 'max', 'variance', 'median'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 60 }),
        fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), {
          minLength: 60,
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 150 }),
        fc.boolean(),
        async (times, values, width, step, origin, start, length, emitEmpty) => {
          const sortedTimes = [...times].sort((a, b) => a - b);
          const input = sortedTimes.map((timestamp, i) => ({ timestamp, value: values[i]! }));
          const iv = interval(start, start + length);
          const out = await run(
            { width, step, origin, stats: [...stats], emptyWindows: emitEmpty ? 'emit' : 'skip' },
            iv,
            input,
          );
          const expected: StreamInstance[] = [];
          for (
            let end = origin + Math.ceil((start + 1 - origin) / step) * step;
            end <= iv.end;
            end += step
          ) {
            if (end <= iv.start) continue;
            const inside = input
              .filter((item) => item.timestamp > end - width && item.timestamp <= end)
              .map((item) => item.value);
            if (inside.length === 0 && !emitEmpty) continue;
            const n = inside.length;
            const sum = inside.reduce((a, b) => a + b, 0);
            const mean = n ? sum / n : null;
            const sorted = [...inside].sort((a, b) => a - b);
            const mid = (n - 1) / 2;
            expected.push({
              timestamp: end,
              value: {
                count: n,
                sum,
                mean,
                min: n ? sorted[0]! : null,
                max: n ? sorted[n - 1]! : null,
                variance: n ? inside.reduce((a, x) => a + (x - mean!) ** 2, 0) / n : null,
                median: n ? (sorted[Math.floor(mid)]! + sorted[Math.ceil(mid)]!) / 2 : null,
              },
            });
          }
          expect(out.map((item) => item.timestamp)).toEqual(expected.map((item) => item.timestamp));
          for (let i = 0; i < out.length; i++) {
            const got = out[i]!.value as Record<string, number | null>;
            const want = expected[i]!.value as Record<string, number | null>;
            for (const key of stats) {
              if (want[key] === null) expect(got[key]).toBeNull();
              else expect(got[key]).toBeCloseTo(want[key]!, 6);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives on its calendar path (P1D in a time zone) what its fixed path gives for 24 h days in UTC', async () => {
    const DAY = 86_400_000;
    const stats = ['count', 'sum', 'mean', 'min', 'max', 'variance', 'median'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 40 * 24 }), { maxLength: 80 }),
        fc.array(fc.oneof(fc.double({ min: -100, max: 100, noNaN: true }), fc.constant('x')), {
          minLength: 80,
          maxLength: 80,
        }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 25 }),
        fc.boolean(),
        fc.boolean(),
        async (hours, values, widthDays, stepDays, startDay, days, emitEmpty, asField) => {
          // Struct values (one column per field) or plain values; strings are skipped on both paths.
          const input = [...hours]
            .sort((a, b) => a - b)
            .map((h, i) => ({
              timestamp: h * 3_600_000,
              value: asField ? { delay: values[i], origin: 'JFK' } : values[i],
            }));
          const iv = interval(startDay * DAY, (startDay + days) * DAY);
          const common = {
            stats: [...stats],
            emptyWindows: emitEmpty ? ('emit' as const) : ('skip' as const),
            ...(asField ? { field: 'delay' } : {}),
          };
          const calendar = await run(
            { ...common, width: `P${widthDays}D`, step: `P${stepDays}D`, timeZone: 'UTC' },
            iv,
            input,
          );
          const fixed = await run(
            { ...common, width: widthDays * DAY, step: stepDays * DAY },
            iv,
            input,
          );
          expect(calendar.map((o) => o.timestamp)).toEqual(fixed.map((o) => o.timestamp));
          for (let i = 0; i < fixed.length; i++) {
            const got = calendar[i]!.value as Record<string, number | null>;
            const want = fixed[i]!.value as Record<string, number | null>;
            for (const key of stats) {
              if (want[key] === null) expect(got[key]).toBeNull();
              else expect(got[key]).toBeCloseTo(want[key]!, 9);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
