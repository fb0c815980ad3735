// Security: names, meta-data and values from users cannot inject MongoDB operators (`$`-prefixed
// keys, dotted paths) into the Database channel. The Memory channel is the oracle: same calls,
// same answers. Run with test/integration/setup/vitest.mongo.config.ts (needs the test server).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatabaseChannel } from '../../../src/channels/database-channel.js';
import { MemoryChannel } from '../../../src/channels/memory-channel.js';
import {
  InvalidArgumentError,
  InvalidStreamIdError,
  ValueNotStorableError,
} from '../../../src/errors.js';
import { collect } from '../../../src/internal/async.js';
import type { StreamFilter } from '../../../src/storage/stream-store.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { outcomeAsync } from '../../unit/bad-input/typed-error.js';
import { testServer, useTestDatabase } from '../setup/mongo.js';

const database = useTestDatabase();
// FerretDB v1 stores -0 as 0 (documented in README, MongoDB); every other number comes back exactly.
const { ferretDbV1 } = testServer();
const asStored = (value: unknown): unknown => (ferretDbV1 ? withoutNegativeZero(value) : value);

function withoutNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  )
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNegativeZero(v)]));
  return value;
}
let collections = 0;

function databaseChannel(): DatabaseChannel {
  const n = ++collections;
  return new DatabaseChannel({
    db: database.db,
    collections: { instances: `inj_streams_${n}`, definitions: `inj_definitions_${n}` },
  });
}

/** Text that would mean something to MongoDB if it reached a query or update unescaped. */
const OPERATOR_TEXT = [
  '$gt',
  '$ne',
  '$where',
  '$set',
  '$regex',
  'a.b',
  '.',
  '$',
  'x.$y',
  '{"$gt":""}',
  "'; db.dropDatabase(); '",
  'system.users',
  '..',
  '_id',
  '__proto__',
];
const text = fc.oneof(fc.constantFrom(...OPERATOR_TEXT), fc.string({ minLength: 1, maxLength: 4 }));
const ids = fc.uniqueArray(
  fc.tuple(text, fc.dictionary(text, text, { maxKeys: 2 })).map(([name, meta]) => {
    try {
      return StreamId.of(name, meta);
    } catch (error) {
      if (error instanceof InvalidStreamIdError) return StreamId.of('plain');
      throw error;
    }
  }),
  { selector: (id) => id.key, minLength: 1, maxLength: 5 },
);
const ALL = TimeInterval.allTime();

describe('MongoDB operator injection (security)', { timeout: 120_000 }, () => {
  it('stream names and meta-data with "$" and "." are stored as data and found only by themselves', async () => {
    await fc.assert(
      fc.asyncProperty(ids, async (list) => {
        const db = databaseChannel();
        const memory = new MemoryChannel();
        for (const [i, id] of list.entries()) {
          for (const channel of [db, memory]) {
            await channel.createStream(id);
            await channel.writeInstances(id, [{ timestamp: 1000, value: i }]);
          }
        }
        for (const [i, id] of list.entries()) {
          expect(await collect(db.getResults(id, ALL))).toEqual([{ timestamp: 1000, value: i }]);
          const filters: StreamFilter[] = [{ name: id.name }, { meta: id.metaObject() }];
          for (const filter of filters) {
            const found = (await db.findStreams(filter)).map((s) => s.key).sort();
            const expected = (await memory.findStreams(filter)).map((s) => s.key).sort();
            expect(found).toEqual(expected);
          }
        }
        expect((await db.findStreams()).map((s) => s.key).sort()).toEqual(
          list.map((id) => id.key).sort(),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('values with "$"-prefixed or dotted keys are stored unchanged or refused whole, never run as operators', async () => {
    const key = fc.oneof(fc.constantFrom(...OPERATOR_TEXT), fc.string({ maxLength: 3 }));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 0 }),
        fc.dictionary(key, tie('node'), { maxKeys: 3 }),
        fc.array(tie('node'), { maxLength: 3 }),
      ),
    })).node;
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 3 }), async (values) => {
        const channel = databaseChannel();
        await channel.writeInstances('before', [{ timestamp: 1, value: 'kept' }]);
        const batch = values.map((v, i) => ({ timestamp: 1000 + i, value: v }));
        const result = await outcomeAsync(
          async () => await channel.writeInstances('s', batch),
          [ValueNotStorableError],
        );
        const stored = await collect(channel.getResults('s', ALL));
        if (result.ok) {
          // What was written is what is read. (Not a JSON round trip as reference: BSON keeps -0,
          // which JSON turns into 0.)
          expect(stored).toEqual(asStored(batch));
        } else {
          expect(stored).toEqual([]);
        }
        // Nothing else in the database changed.
        expect(await collect(channel.getResults('before', ALL))).toEqual([
          { timestamp: 1, value: 'kept' },
        ]);
      }),
      { numRuns: 100 },
    );
  });

  it(`numbers come back exactly, -0 included (found by the property above)${ferretDbV1 ? '; FerretDB v1 gives 0 for -0' : ''}`, async () => {
    const channel = databaseChannel();
    await channel.writeInstances('zeros', [{ timestamp: 1, value: { a: -0, b: [0, -0] } }]);
    const [stored] = await collect(channel.getResults('zeros', ALL));
    expect(stored).toEqual({ timestamp: 1, value: asStored({ a: -0, b: [0, -0] }) });
    expect(Object.is((stored!.value as { a: number }).a, -0)).toBe(!ferretDbV1);
  });

  it('a stream named like a query document is just a name', async () => {
    const channel = databaseChannel();
    await channel.createStream('{"$gt":""}');
    await channel.createStream('other');
    await channel.writeInstances('{"$gt":""}', [{ timestamp: 5, value: '$gt' }]);
    expect((await channel.findStreams({ name: '{"$gt":""}' })).map((s) => s.key)).toEqual([
      '{"$gt":""}',
    ]);
    expect(await channel.count('other', ALL)).toBe(0);
    expect(await collect(channel.getResults('{"$gt":""}', ALL))).toEqual([
      { timestamp: 5, value: '$gt' },
    ]);
  });

  // An object such as { $gt: '' } (possible from JavaScript or JSON input) must be matched as a
  // value ($eq), never run as an operator that would list every stream.
  it('a filter value that is an operator object lists no stream, as in memory', async () => {
    const channel = databaseChannel();
    await channel.createStream({ name: 'a', meta: { house: '1' } });
    await channel.createStream({ name: 'b', meta: { house: '2' } });
    const injected = { name: { $gt: '' } } as unknown as StreamFilter;
    const memory = new MemoryChannel();
    await memory.createStream('a');
    expect(await memory.findStreams(injected)).toEqual([]);
    const result = await outcomeAsync(
      async () => await channel.findStreams(injected),
      [InvalidArgumentError, InvalidStreamIdError],
    );
    if (result.ok) expect(result.value).toEqual([]);
  });
});
