// view.toColumns() reads the store's column batches (the memory store's chunks without copies;
// SQLite's rows converted), and must give what the window's instances give: the oracle is the
// instance path (the shape of toArray()'s values, and those values as columns), on memory and on
// an SQLite file, for numbers, objects sharing their fields (numbers, strings, nulls), objects
// whose keys come in another order, and mixed values, written in one or several writes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/channels/channel.js';
import { ShapeAccumulator, columnsOf, readColumns } from '../../../src/channels/columns.js';
import { MemoryChannel } from '../../../src/channels/memory-channel.js';
import { StoreChannel } from '../../../src/channels/store-channel.js';
import type { SqliteBackend } from '../../../src/storage/sqlite/sqlite-backend.js';
import { createSqliteBackend } from '../../../src/storage/sqlite/sqlite-backend.js';
import type { StreamInstance } from '../../../src/streams/stream-instance.js';
import { TimeInterval } from '../../../src/time/time-interval.js';

const flight = fc.record({
  delay: fc.double(),
  origin: fc.constantFrom('LAX', 'ORD', 'SFO'),
  late: fc.oneof(fc.boolean(), fc.constant(null)),
});
const VALUES: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  numbers: fc.double(),
  numberFields: fc.record({ x: fc.double(), y: fc.integer() }),
  flights: flight,
  // The same keys in another order now and then: the struct column does not hold them.
  reordered: fc.oneof(
    flight,
    flight.map(({ late, origin, delay }) => ({ late, origin, delay })),
  ),
  strings: fc.string({ maxLength: 4 }),
  mixed: fc.oneof(
    fc.integer(),
    fc.string({ maxLength: 3 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.record({ a: fc.integer() }),
  ),
};

/** What the instances say the columns are: the shape of their values, and those values as columns. */
function expected(instances: readonly StreamInstance[]) {
  const accumulator = new ShapeAccumulator();
  for (const item of instances) accumulator.add(item.value);
  const shape = accumulator.shape();
  return { columns: columnsOf(instances, shape), shape };
}

let dir: string;
let sqlite: SqliteBackend;
const channels: Record<string, () => Channel> = {
  memory: () => new MemoryChannel(),
  sqlite: () => new StoreChannel('sqlite', 'sqlite', sqlite.streams('sqlite')),
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hs-to-columns-'));
  sqlite = await createSqliteBackend(join(dir, 'columns.db'));
});
afterAll(async () => {
  await sqlite?.close();
  await rm(dir, { recursive: true, force: true });
});

describe.each(Object.keys(channels))('view.toColumns() on %s', (name) => {
  for (const [kind, values] of Object.entries(VALUES)) {
    it(`equals the columns of toArray() for ${kind}`, async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { maxLength: 300 }),
          fc.array(values, { minLength: 300, maxLength: 300 }),
          fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 3 }),
          fc.integer({ min: 0, max: 10_000 }),
          fc.integer({ min: 0, max: 10_000 }),
          fc.integer({ min: 1, max: 120 }),
          async (times, vs, cuts, a, b, batchSize) => {
            const channel = channels[name]!();
            const stream = `s${String(run++)}`;
            const instances = [...times]
              .sort((x, y) => x - y)
              .map((timestamp, i) => ({ timestamp, value: vs[i] }));
            // Several writes: several chunks (memory), several batches.
            const bounds = [0, ...[...cuts].sort((x, y) => x - y), instances.length];
            for (let i = 1; i < bounds.length; i++)
              await channel.writeInstances(stream, instances.slice(bounds[i - 1], bounds[i]));
            const view = (await channel.getStream(stream)).window(
              new TimeInterval(Math.min(a, b), Math.max(a, b)),
            );
            const oracle = expected(await view.toArray());
            expect(await view.toColumns()).toEqual(oracle.columns);
            // In batches of any size (several to join), with the shape too (what toArrow and the
            // exports type their columns by).
            expect(await readColumns(view.columns({ batchSize }))).toEqual(oracle);
          },
        ),
        { numRuns: 100 },
      );
    });
  }
});
