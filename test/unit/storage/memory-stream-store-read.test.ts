import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStreamStore } from '../../../src/storage/memory/memory-stream-store.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import type { StreamInstance } from '../../../src/streams/stream-instance.js';
import { TimeInterval } from '../../../src/time/time-interval.js';

/** What a read must give: the window's instances, limited from the start (or the end when reversed). */
function expected(
  all: readonly StreamInstance[],
  interval: TimeInterval,
  reverse: boolean,
  limit: number | undefined,
): StreamInstance[] {
  const inside = all.filter((item) => interval.contains(item.timestamp));
  if (reverse) inside.reverse();
  return limit === undefined ? inside : inside.slice(0, Math.max(0, limit));
}

describe('MemoryStreamStore.read', () => {
  it('gives the window in order or reversed, limited, in batches of at most batchSize', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 25 }),
        fc.integer({ min: 0, max: 62 }),
        fc.integer({ min: 0, max: 62 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
        fc.integer({ min: 1, max: 6 }),
        async (times, a, b, reverse, limit, batchSize) => {
          const store = new MemoryStreamStore();
          const id = StreamId.of('s');
          const all = [...times].sort((x, y) => x - y).map((t) => ({ timestamp: t, value: t * 2 }));
          await store.write(id, all);
          const interval = new TimeInterval(Math.min(a, b), Math.max(a, b));
          const batches: (readonly StreamInstance[])[] = [];
          for await (const batch of store.read(id, interval, { reverse, limit, batchSize }))
            batches.push(batch);
          expect(batches.flat()).toEqual(expected(all, interval, reverse, limit));
          for (const batch of batches) {
            expect(batch.length).toBeGreaterThan(0);
            expect(batch.length).toBeLessThanOrEqual(batchSize);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads nothing from an unknown stream, and stops early when the reader does', async () => {
    const store = new MemoryStreamStore();
    const id = StreamId.of('s');
    const none: unknown[] = [];
    for await (const batch of store.read(id, TimeInterval.allTime())) none.push(batch);
    expect(none).toEqual([]);
    await store.write(
      id,
      Array.from({ length: 10 }, (_, i) => ({ timestamp: i + 1, value: i })),
    );
    const batches = store.read(id, TimeInterval.allTime(), { batchSize: 3 });
    const iterator = batches[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toHaveLength(3);
    await iterator.return?.();
    expect((await iterator.next()).done).toBe(true);
  });

  it('finds the window when reading starts, not when read is called', async () => {
    const store = new MemoryStreamStore();
    const id = StreamId.of('s');
    const reading = store.read(id, new TimeInterval(0, 10));
    await store.write(id, [{ timestamp: 5, value: 'late' }]);
    const got: StreamInstance[] = [];
    for await (const batch of reading) got.push(...batch);
    expect(got).toEqual([{ timestamp: 5, value: 'late' }]);
  });
});
