// Values that cannot be stored are refused before anything is written; corrupt documents found
// while loading are reported with their collection and _id, and skipped.
import { describe, expect, it } from 'vitest';
import { DatabaseChannel } from '../../../src/channels/database-channel.js';
import { StorageError, ValueNotStorableError } from '../../../src/errors.js';
import type { InvalidDocumentReport } from '../../../src/storage/mongodb/mongo-documents.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { useTestDatabase } from '../setup/mongo.js';

const database = useTestDatabase();
let n = 0;

function fresh(reports: InvalidDocumentReport[] = []) {
  const suffix = ++n;
  const collections = {
    instances: `docs_streams_${suffix}`,
    definitions: `docs_definitions_${suffix}`,
  };
  const channel = new DatabaseChannel({
    db: database.db,
    collections,
    onInvalidDocument: (report) => reports.push(report),
  });
  return { channel, collections, reports };
}

describe('storable values', () => {
  it('rejects a bad value in the middle of a write and writes none of it', async () => {
    const { channel } = fresh();
    const write = channel.writeInstances('s', [
      { timestamp: 1, value: { ok: 1 } },
      { timestamp: 2, value: { nested: { 'a.b': 1 } } },
      { timestamp: 3, value: 3 },
    ]);
    await expect(write).rejects.toBeInstanceOf(ValueNotStorableError);
    await expect(write).rejects.toThrow('stream "s" at 1970-01-01T00:00:00.002Z at "nested.a.b"');
    expect(await channel.count('s', TimeInterval.allTime())).toBe(0);
  });

  it('round-trips what it accepts: dates, binary, nested data; undefined properties are dropped', async () => {
    const { channel } = fresh();
    const value = {
      when: new Date(5),
      bytes: Buffer.from([1, 2, 3]),
      list: [{ a: null }],
      gone: undefined,
    };
    await channel.writeInstances('s', [{ timestamp: 10, value }]);
    const [stored] = await (await channel.getStream('s')).window(TimeInterval.allTime()).toArray();
    expect(stored?.value).toEqual({
      when: new Date(5),
      bytes: Buffer.from([1, 2, 3]),
      list: [{ a: null }],
    });
    expect(Buffer.isBuffer((stored?.value as { bytes: unknown }).bytes)).toBe(true);
  });
});

describe('corrupt documents', () => {
  it('reports and skips corrupt stream definitions; the rest still load', async () => {
    const { channel, collections, reports } = fresh();
    await channel.createStream(StreamId.of('good', { house: '1' }));
    const definitions = database.db.collection(collections.definitions);
    await definitions.insertMany([
      { _id: 'no-name' as never, meta: [], channel: 'mongo', createdAt: new Date() },
      {
        _id: 'bad-meta' as never,
        name: 'bad-meta',
        meta: 'house=1',
        channel: 'mongo',
        createdAt: new Date(),
      },
      {
        _id: 'wrong-key' as never,
        name: 'other',
        meta: [{ k: 'house', v: '1' }],
        channel: 'mongo',
        createdAt: new Date(),
      },
    ]);
    const found = await channel.findStreams();
    expect(found.map((stream) => stream.key)).toEqual(['good[house=1]']);
    expect(reports.map((report) => [report.collection, report.id])).toEqual([
      [collections.definitions, 'no-name'],
      [collections.definitions, 'bad-meta'],
      [collections.definitions, 'wrong-key'],
    ]);
    expect(reports[0]?.problem).toMatch(/name/);
    expect(reports[1]?.problem).toMatch(/meta/);
    expect(reports[2]?.problem).toMatch(/not the key/);
  });

  it('refuses to use corrupt calculated intervals: an error naming the document, never "empty"', async () => {
    const { channel, collections } = fresh();
    const versions = `${collections.definitions}_intervals`;
    await channel.addCalculatedIntervals('bad-interval', new TimeInterval(0, 10));
    await database.db.collection(versions).insertOne({
      _id: { s: 'bad-interval', v: 2 } as never,
      intervals: [{ start: 'yesterday', end: new Date() }],
      at: new Date(),
    });
    const error = await channel.getCalculatedIntervals('bad-interval').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(
      `calculated intervals of stream "bad-interval" in collection "${versions}" are corrupt`,
    );
    // Nor is a change made over them.
    await expect(
      channel.addCalculatedIntervals('bad-interval', new TimeInterval(10, 20)),
    ).rejects.toThrow(StorageError);
  });

  it('reports and skips instance documents without a value; other types never enter a window', async () => {
    const { channel, collections, reports } = fresh();
    await channel.writeInstances('s', [
      { timestamp: 1, value: 'a' },
      { timestamp: 4, value: 'd' },
    ]);
    const instances = database.db.collection(collections.instances);
    await instances.insertMany([
      { _id: { s: 's', t: new Date(2) } as never },
      { _id: { s: 's', t: 3 } as never, v: 'a number is not a time' },
    ]);
    const items = await (await channel.getStream('s')).window(TimeInterval.allTime()).toArray();
    expect(items).toEqual([
      { timestamp: 1, value: 'a' },
      { timestamp: 4, value: 'd' },
    ]);
    expect(reports).toEqual([
      {
        collection: collections.instances,
        id: { s: 's', t: new Date(2) },
        problem: 'no value (field "v")',
      },
    ]);
  });

  it('fails with a clear StorageError when the server cannot be reached', async () => {
    const client = await database.newClient();
    const channel = new DatabaseChannel({ db: client.db(database.name) });
    await client.close();
    const error = await channel
      .writeInstances('s', [{ timestamp: 1, value: 1 }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(/^MongoDB (index creation|write) failed/);
  });
});
