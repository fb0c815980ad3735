// The columnar memory store against an object-per-instance reference model: random batches (of
// numbers, strings, struct-like objects or a mix, unsorted, with repeated timestamps) written,
// overwritten and deleted, then read back through random windows, as columns and as instances.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueNotStorableError } from '../../../src/errors.js';
import { MemoryStreamStore } from '../../../src/storage/memory/memory-stream-store.js';
import type { Batch } from '../../../src/streams/batch.js';
import { batchToInstances, makeBatch, numberColumn } from '../../../src/streams/batch.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import type { StreamInstance } from '../../../src/streams/stream-instance.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import {
  Model,
  applyOperations,
  expectOrderedBatches,
  operation,
  values,
  windowReads,
} from '../../helpers/batch-model.js';

const id = StreamId.of('s');

async function columns(
  store: MemoryStreamStore,
  interval: TimeInterval,
  limit?: number,
  batchSize?: number,
) {
  const batches: Batch[] = [];
  for await (const batch of store.readColumns(id, interval, { limit, batchSize }))
    batches.push(batch);
  return batches;
}

describe('MemoryStreamStore, columnar', () => {
  it('reads back what an object-per-instance model holds, through any window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { minLength: 1, maxLength: 8 }),
        windowReads(4),
        async (operations, reads) => {
          const store = new MemoryStreamStore();
          const model = new Model();
          await applyOperations(
            operations,
            {
              write: (items) => store.write(id, items),
              writeBatch: (batch) => store.writeBatch(id, batch),
              deleteData: (interval) => store.deleteData(id, interval),
            },
            model,
          );
          for (const { interval, limit, batchSize } of reads) {
            const expected = model.window(interval);
            const limited = limit === undefined ? expected : expected.slice(0, limit);
            const batches = await columns(store, interval, limit, batchSize);
            expect(batches.flatMap((batch) => batchToInstances(batch))).toEqual(limited);
            expectOrderedBatches(batches, batchSize);
            const instances: StreamInstance[] = [];
            for await (const batch of store.read(id, interval, { batchSize }))
              instances.push(...batch);
            expect(instances).toEqual(expected);
            const reversed: StreamInstance[] = [];
            for await (const batch of store.read(id, interval, { reverse: true, limit }))
              reversed.push(...batch);
            const tail = [...expected].reverse();
            expect(reversed).toEqual(limit === undefined ? tail : tail.slice(0, limit));
            expect(await store.count(id, interval)).toBe(expected.length);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('hands out snapshots: a batch read before an overwrite keeps its values', async () => {
    await fc.assert(
      fc.asyncProperty(
        values,
        values,
        fc.integer({ min: 1, max: 30 }),
        async (first, second, shift) => {
          const store = new MemoryStreamStore();
          const items = first.map((value, i) => ({ timestamp: 1 + i, value }));
          await store.write(id, items);
          const before = await columns(store, TimeInterval.allTime());
          const copy = before.flatMap((batch) => batchToInstances(batch));
          await store.write(
            id,
            second.map((value, i) => ({ timestamp: shift + i, value })),
          );
          await store.deleteData(id, new TimeInterval(0, shift + 1));
          expect(before.flatMap((batch) => batchToInstances(batch))).toEqual(copy);
          expect(copy).toEqual(items);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps rows beyond a chunk and merges a write that overlaps several chunks', async () => {
    const store = new MemoryStreamStore();
    const n = 200_000;
    const ts = Float64Array.from({ length: n }, (_, i) => i + 1);
    await store.writeBatch(id, makeBatch(ts, numberColumn(ts.map((t) => t * 2))));
    // Overwrite every third row across chunk boundaries.
    const over = Float64Array.from({ length: 40_000 }, (_, i) => 60_000 + 3 * i);
    await store.writeBatch(id, makeBatch(over, numberColumn(over.map(() => -1))));
    const all = await columns(store, TimeInterval.allTime());
    const flat = all.flatMap((batch) => batchToInstances(batch));
    expect(flat.length).toBe(n);
    for (const { timestamp, value } of flat) {
      const overwritten =
        timestamp >= 60_000 && timestamp < 180_000 && (timestamp - 60_000) % 3 === 0;
      expect(value).toBe(overwritten ? -1 : timestamp * 2);
    }
    expect(Math.max(...all.map((b) => b.length))).toBeLessThanOrEqual(65_536);
  }, 60_000);

  it('refuses bad timestamps and inconsistent batches with ValueNotStorableError, writing nothing', async () => {
    const store = new MemoryStreamStore();
    await expect(
      store.writeBatch(id, makeBatch([1, 2.5], numberColumn([1, 2]))),
    ).rejects.toBeInstanceOf(ValueNotStorableError);
    await expect(
      store.writeBatch(id, {
        length: 2,
        timestamps: new Float64Array([1, 2]),
        values: numberColumn([1]),
      }),
    ).rejects.toBeInstanceOf(ValueNotStorableError);
    await expect(
      store.writeBatch(id, makeBatch([1, NaN], numberColumn([1, 2]))),
    ).rejects.toBeInstanceOf(ValueNotStorableError);
    expect(await store.count(id, TimeInterval.allTime())).toBe(0);
  });
});
