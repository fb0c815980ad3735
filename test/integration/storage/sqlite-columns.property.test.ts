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
import { batchToInstances } from '../../../src/streams/batch.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import {
  Model,
  applyOperations,
  expectOrderedBatches,
  operation,
  windowReads,
} from '../../helpers/batch-model.js';

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
        windowReads(3),
        async (operations, reads) => {
          const store = backend.streams('columns');
          const channel = new StoreChannel('columns', 'sqlite', store);
          const id = StreamId.of(`s${++streams}`);
          const model = new Model();
          await applyOperations(
            operations,
            {
              write: (items) => channel.writeInstances(id, items),
              writeBatch: (batch) => writeBatchTo(channel, id, batch),
              deleteData: (interval) => store.deleteData(id, interval),
            },
            model,
          );
          for (const { interval, limit, batchSize } of reads) {
            const expected = model.window(interval);
            const batches = await collect(
              readColumnsOf(channel, id, interval, { limit, batchSize }),
            );
            expect(batches.flatMap((batch) => batchToInstances(batch))).toEqual(
              limit === undefined ? expected : expected.slice(0, limit),
            );
            expectOrderedBatches(batches, batchSize);
            expect(await collect(channel.getResults(id, interval))).toEqual(expected);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
