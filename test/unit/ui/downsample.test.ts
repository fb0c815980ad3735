// Min/max downsampling for stream plots: one pass, bounded output, extremes kept.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import type { Batch } from '../../../src/streams/batch.js';
import { batchFromInstances, makeBatch, objectColumn } from '../../../src/streams/batch.js';
import type { StreamInstance } from '../../../src/streams/stream-instance.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { MAX_BUCKETS, MAX_POINTS, downsample } from '../../../src/ui/downsample.js';

/** Column batches of `size` rows, each holding its values in the column that suits them best. */
async function* batchesOf(
  instances: readonly StreamInstance[],
  size = 1000,
): AsyncGenerator<Batch> {
  for (let i = 0; i < instances.length; i += size)
    yield batchFromInstances(instances.slice(i, i + size));
}

describe('downsample', () => {
  it('returns every point when they fit in 2 × buckets', async () => {
    const data = [1, 2, 3, 4].map((v) => ({ timestamp: v * 10, value: v * v }));
    const out = await downsample(batchesOf(data), {
      window: new TimeInterval(0, 40),
      buckets: 2,
    });
    expect(out).toMatchObject({
      count: 4,
      numeric: 4,
      downsampled: false,
      timestamps: [10, 20, 30, 40],
      values: [1, 4, 9, 16],
      min: 1,
      max: 16,
    });
  });

  it('keeps the minimum and maximum of each bucket, in time order, and marks empty stretches', async () => {
    // Buckets of 10 ms over (0, 40]: 0 → t 1..9, 1 → t 10..19, 2 → empty, 3 → t 30..39.
    const data: StreamInstance[] = [];
    for (let t = 1; t < 20; t++)
      data.push({ timestamp: t, value: t === 7 ? -5 : t === 3 ? 50 : t });
    for (let t = 30; t < 40; t++) data.push({ timestamp: t, value: 100 - t });
    const out = await downsample(batchesOf(data, 4), {
      window: new TimeInterval(0, 40),
      buckets: 4,
    });
    expect(out.downsampled).toBe(true);
    expect(out.timestamps).toEqual([3, 7, 10, 19, 25, 30, 39]);
    expect(out.values).toEqual([50, -5, 10, 19, null, 70, 61]);
    expect(out).toMatchObject({ count: 29, numeric: 29, min: -5, max: 70, buckets: 4 });
  });

  it('plots a field of object values, lists numeric fields and counts what has no number', async () => {
    const data: StreamInstance[] = [
      { timestamp: 1, value: { delay: 5, distance: 300, origin: 'LAX', nested: { x: 1 } } },
      { timestamp: 2, value: { delay: 'late', distance: 10 } },
      { timestamp: 3, value: { delay: Number.NaN } },
      { timestamp: 4, value: null },
      { timestamp: 5, value: { delay: -3 } },
    ];
    const out = await downsample(batchesOf(data), {
      window: new TimeInterval(0, 5),
      buckets: 10,
      field: 'delay',
    });
    expect(out).toMatchObject({ count: 5, numeric: 2, timestamps: [1, 5], values: [5, -3] });
    expect(out.fields).toEqual(['delay', 'distance', 'nested.x']);
    const nested = await downsample(batchesOf(data), {
      window: new TimeInterval(0, 5),
      buckets: 10,
      field: 'nested.x',
    });
    expect(nested.values).toEqual([1]);
  });

  it('refuses a number of buckets out of range', async () => {
    for (const buckets of [0, -1, 1.5, MAX_BUCKETS + 1, Number.NaN]) {
      await expect(
        downsample(batchesOf([]), { window: new TimeInterval(0, 1), buckets }),
      ).rejects.toThrow(InvalidArgumentError);
    }
  });

  it('never returns more than 2 × buckets points, only points of the input (or gap markers), in time order, with the extremes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            t: fc.integer({ min: 1, max: 100_000 }),
            v: fc.oneof(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), fc.constant('x')),
          }),
          { maxLength: 3000 },
        ),
        fc.integer({ min: 1, max: 200 }),
        async (raw, buckets) => {
          const byTime = new Map(raw.map((r) => [r.t, r.v]));
          const data = [...byTime]
            .sort((a, b) => a[0] - b[0])
            .map(([timestamp, value]) => ({ timestamp, value }));
          const out = await downsample(batchesOf(data, 97), {
            window: new TimeInterval(0, 100_000),
            buckets,
          });
          expect(out.timestamps.length).toBe(out.values.length);
          expect(out.timestamps.length).toBeLessThanOrEqual(Math.min(2 * buckets, MAX_POINTS));
          for (let i = 1; i < out.timestamps.length; i++)
            expect(out.timestamps[i]!).toBeGreaterThan(out.timestamps[i - 1]!);
          const numeric = data.filter((d) => typeof d.value === 'number');
          expect(out.numeric).toBe(numeric.length);
          out.timestamps.forEach((t, i) => {
            const v = out.values[i];
            if (v === null) {
              expect(out.downsampled).toBe(true);
              expect(byTime.has(t)).toBe(false);
            } else {
              expect(byTime.get(t)).toBe(v);
            }
          });
          if (numeric.length) {
            const values = numeric.map((d) => d.value as number);
            expect(out.values).toContain(Math.min(...values));
            expect(out.values).toContain(Math.max(...values));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads a field the same from a struct column (zero-copy) as from the objects themselves', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: 50_000 }), { maxLength: 2000 }),
        fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6 }), fc.constant(Number.NaN)), {
          minLength: 2000,
          maxLength: 2000,
        }),
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom('delay', 'origin', 'missing'),
        async (times, delays, buckets, field) => {
          const data = [...times]
            .sort((a, b) => a - b)
            .map((timestamp, i) => ({
              timestamp,
              value: { delay: delays[i]!, origin: 'LAX' },
            }));
          const options = { window: new TimeInterval(0, 50_000), buckets, field };
          const asStruct = await downsample(batchesOf(data, 300), options);
          async function* asObjects(): AsyncGenerator<Batch> {
            for (let i = 0; i < data.length; i += 300) {
              const part = data.slice(i, i + 300);
              yield makeBatch(
                part.map((d) => d.timestamp),
                objectColumn(part.map((d) => d.value)),
              );
            }
          }
          if (data.length) expect(batchFromInstances(data).values.type).toBe('struct');
          expect(asStruct).toEqual(await downsample(asObjects(), options));
        },
      ),
      { numRuns: 200 },
    );
  });
});
