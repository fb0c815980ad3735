// Column batches on SQLite: its stream store has no columnar methods, so the channel converts
// (batches to instances on write, instance batches to columns on read). Random batches written,
// overwritten and deleted read back through any window as the object-per-instance model holds.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreChannel } from '../../../src/channels/store-channel.js';
import { readColumnsOf, writeBatchTo } from '../../../src/channels/stream-access.js';
import { collect } from '../../../src/internal/async.js';
import type { SqliteBackend } from '../../../src/storage/sqlite/sqlite-backend.js';
import { createSqliteBackend } from '../../../src/storage/sqlite/sqlite-backend.js';
import { batchFromInstances, batchToInstances } from '../../../src/streams/batch.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { Model, operation, timestamps } from '../../helpers/batch-model.js';

let backend: SqliteBackend;
let streams = 0;

beforeAll(async () => {
  backend = await createSqliteBackend(':memory:');
});
afterAll(async () => {
  await backend.close();
});

describe('column batches on a SQLite stream (through the instance adapter)', () => {
  it('read back what an object-per-instance model holds, through any window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { minLength: 1, maxLength: 6 }),
        fc.array(
          fc.record({
            a: fc.integer({ min: 0, max: 400 }),
            b: fc.integer({ min: 0, max: 400 }),
            limit: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
            batchSize: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        async (operations, reads) => {
          const store = backend.streams('columns');
          const channel = new StoreChannel('columns', 'sqlite', store);
          const id = StreamId.of(`s${++streams}`);
          const model = new Model();
          for (const op of operations) {
            if (op.kind === 'delete') {
              const interval = op.all
                ? undefined
                : new TimeInterval(Math.min(op.a, op.b), Math.max(op.a, op.b));
              expect(await store.deleteData(id, interval)).toBe(model.delete(interval));
              continue;
            }
            const ts = timestamps(op.values.length, op.start, op.shuffle, op.seed);
            const items = ts.map((timestamp, i) => ({ timestamp, value: op.values[i] }));
            if (op.kind === 'batch') await writeBatchTo(channel, id, batchFromInstances(items));
            else await channel.writeInstances(id, items);
            model.write(items);
          }
          for (const { a, b, limit, batchSize } of reads) {
            const interval = new TimeInterval(Math.min(a, b), Math.max(a, b));
            const expected = model.window(interval);
            const batches = await collect(
              readColumnsOf(channel, id, interval, { limit, batchSize }),
            );
            expect(batches.flatMap((batch) => batchToInstances(batch))).toEqual(
              limit === undefined ? expected : expected.slice(0, limit),
            );
            for (const batch of batches) {
              if (batchSize !== undefined) expect(batch.length).toBeLessThanOrEqual(batchSize);
              for (let i = 1; i < batch.length; i++)
                expect(batch.timestamps[i]!).toBeGreaterThan(batch.timestamps[i - 1]!);
            }
            expect(await collect(channel.getResults(id, interval))).toEqual(expected);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
