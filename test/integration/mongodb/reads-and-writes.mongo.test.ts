// What goes over the wire: bulk writes (never one round trip per document), cursors read in
// batches, first/last as sort + limit.
import type { CommandStartedEvent, CommandSucceededEvent, MongoClient } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatabaseChannel } from '../../../src/channels/database-channel.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { testServer, useTestDatabase } from '../setup/mongo.js';

const database = useTestDatabase();
// FerretDB v1 replaces a document by reading the whole collection (see README, MongoDB), so the
// store rewrites only the values that changed; there the stream is smaller and a rewrite changes
// one value in 50, elsewhere every value.
const { ferretDbV1 } = testServer();
const N = ferretDbV1 ? 2_000 : 6_000;
const WRITE_BATCH = ferretDbV1 ? 500 : 1_500;
const changes = (i: number): boolean => !ferretDbV1 || i % 50 === 0;
const rewritten = (i: number) => (changes(i) ? { i, again: true } : { i });
const BASE = Date.parse('2020-01-01T00:00:00Z');
const id = StreamId.of('many', { sensor: 'a' });
let client: MongoClient;
let channel: DatabaseChannel;
let started: CommandStartedEvent[] = [];
let succeeded: CommandSucceededEvent[] = [];

beforeAll(async () => {
  client = await database.newClient({ monitorCommands: true });
  client.on('commandStarted', (event) => started.push(event));
  client.on('commandSucceeded', (event) => succeeded.push(event));
  channel = new DatabaseChannel({ db: client.db(database.name), writeBatchSize: WRITE_BATCH });
  await channel.init();
});

const watch = () => {
  started = [];
  succeeded = [];
};
const named = (name: string) => started.filter((event) => event.commandName === name);
// The driver sends sort specs as Maps.
const plain = (value: unknown): unknown =>
  value instanceof Map ? (Object.fromEntries(value) as unknown) : value;

describe('DatabaseChannel on the wire', () => {
  it('writes in unordered bulk batches, never one round trip per document', async () => {
    watch();
    const instances = Array.from({ length: N }, (_, i) => ({
      timestamp: BASE + i * 1000,
      value: { i },
    }));
    expect(await channel.writeInstances(id, instances)).toBe(N);
    // The driver may split a batch further by the server's limits (999 per command on mongo-java-server).
    const inserts = named('insert');
    expect(inserts.length).toBeLessThan(N / 200);
    expect(inserts.every((event) => event.command.ordered === false)).toBe(true);
    const sent = inserts.reduce(
      (sum, event) => sum + (event.command.documents as unknown[]).length,
      0,
    );
    expect(sent).toBe(N);
    expect(started.length).toBeLessThan(inserts.length + 5);

    // A rewrite replaces in bulk: one failed insert round, then replace-only batches (on FerretDB
    // v1, of what changed only, after one read of each batch's range, in commands of at most 8).
    watch();
    const rewrite = instances.map(({ timestamp }, i) => ({ timestamp, value: rewritten(i) }));
    await channel.writeInstances(id, rewrite);
    const updates = named('update').filter((event) => event.command.update === 'streams');
    expect(
      named('insert').reduce(
        (sum, event) => sum + (event.command.documents as unknown[]).length,
        0,
      ),
    ).toBe(WRITE_BATCH);
    if (ferretDbV1) {
      expect(named('find')).toHaveLength(N / WRITE_BATCH);
      expect(updates.every((event) => (event.command.updates as unknown[]).length <= 8)).toBe(true);
    } else {
      expect(updates.length).toBeLessThan(N / 200);
    }
    expect(updates.every((event) => event.command.ordered === false)).toBe(true);
    expect(
      updates.reduce((sum, event) => sum + (event.command.updates as unknown[]).length, 0),
    ).toBe(instances.filter((_, i) => changes(i)).length);
    expect(
      updates.every((event) =>
        (event.command.updates as { upsert: boolean }[]).every((u) => u.upsert),
      ),
    ).toBe(true);
    expect(await channel.count(id, TimeInterval.allTime())).toBe(N);
    const stored = await client.db(database.name).collection('streams').countDocuments();
    expect(stored).toBe(N);
  });

  it('streams a large window through a cursor, batch by batch, in timestamp order', async () => {
    watch();
    let seen = 0;
    let previous = -Infinity;
    let batches = 0;
    for await (const batch of channel.readBatches(id, TimeInterval.allTime(), {
      batchSize: 1_000,
    })) {
      batches++;
      expect(batch.length).toBeLessThanOrEqual(1_000);
      for (const { timestamp, value } of batch) {
        expect(timestamp).toBeGreaterThan(previous);
        expect(value).toEqual(rewritten(seen));
        previous = timestamp;
        seen++;
      }
    }
    expect(seen).toBe(N);
    expect(batches).toBe(N / 1_000);
    const [find] = named('find');
    expect(plain(find?.command.sort)).toEqual({ _id: 1 });
    expect(find?.command.batchSize).toBe(1_000);
    // One round trip per batch, and no reply larger than a batch: memory stays bounded.
    const replies = succeeded
      .filter((event) => event.commandName === 'find' || event.commandName === 'getMore')
      .map((event) => {
        const cursor = (
          event.reply as { cursor: { firstBatch?: unknown[]; nextBatch?: unknown[] } }
        ).cursor;
        return (cursor.firstBatch ?? cursor.nextBatch ?? []).length;
      });
    expect(replies.length).toBeGreaterThanOrEqual(N / 1_000);
    expect(Math.max(...replies)).toBe(1_000);
    expect(named('getMore').every((event) => Number(event.command.batchSize) === 1_000)).toBe(true);
  });

  it('pulls only what the consumer takes and closes the cursor when it stops', async () => {
    watch();
    for await (const batch of channel.readBatches(id, TimeInterval.allTime(), { batchSize: 500 })) {
      expect(batch).toHaveLength(500);
      break;
    }
    expect(named('getMore').length).toBeLessThanOrEqual(1);
    expect(named('killCursors')).toHaveLength(1);
  });

  it('answers first and last with sort + limit 1', async () => {
    const stream = await channel.getStream(id);
    const view = stream.window(new TimeInterval(BASE + 5_000, BASE + 10_000));
    watch();
    expect(await view.first()).toEqual({ timestamp: BASE + 6_000, value: rewritten(6) });
    expect(await view.last()).toEqual({ timestamp: BASE + 10_000, value: rewritten(10) });
    const finds = named('find');
    expect(
      finds.map((event): unknown[] => [plain(event.command.sort), event.command.limit as unknown]),
    ).toEqual([
      [{ _id: 1 }, 1],
      [{ _id: -1 }, 1],
    ]);
    const replies = succeeded.filter((event) => event.commandName === 'find');
    for (const reply of replies) {
      expect((reply.reply as { cursor: { firstBatch: unknown[] } }).cursor.firstBatch).toHaveLength(
        1,
      );
    }
    expect(named('getMore')).toHaveLength(0);
  });

  it('keeps instances in one collection with a compound _id, definitions in another and interval versions in a third', async () => {
    const db = client.db(database.name);
    const doc = await db.collection('streams').findOne({}, { sort: { _id: 1 } });
    expect(doc).toEqual({ _id: { s: id.key, t: new Date(BASE) }, v: { i: 0, again: true } });
    const definition = await db.collection('stream_definitions').findOne({ _id: id.key as never });
    expect(definition).toMatchObject({
      _id: id.key,
      name: 'many',
      meta: [{ k: 'sensor', v: 'a' }],
      channel: 'mongo',
    });
    expect(definition?.createdAt).toBeInstanceOf(Date);
    expect(definition?.lastUpdated).toBeInstanceOf(Date);
    expect(definition?.lastAccessed).toBeInstanceOf(Date);
    // Each change of the calculated intervals is a new version.
    const versions = db.collection('stream_definitions_intervals');
    expect(await versions.countDocuments()).toBe(0);
    await channel.addCalculatedIntervals(id, new TimeInterval(BASE, BASE + 1000));
    await channel.addCalculatedIntervals(id, new TimeInterval(BASE + 1000, BASE + 2000));
    expect(await versions.find().sort({ _id: 1 }).toArray()).toEqual([
      {
        _id: { s: id.key, v: 1 },
        intervals: [{ start: new Date(BASE), end: new Date(BASE + 1000) }],
        at: expect.any(Date) as unknown,
      },
      {
        _id: { s: id.key, v: 2 },
        intervals: [{ start: new Date(BASE), end: new Date(BASE + 2000) }],
        at: expect.any(Date) as unknown,
      },
    ]);
    const indexes = (await db.collection('stream_definitions').listIndexes().toArray()).map(
      (index: { name?: unknown }) => String(index.name),
    );
    expect(indexes).toEqual(expect.arrayContaining(['_id_', 'name_1', 'meta_1']));
    // Creating the indexes again on another start is harmless.
    await new DatabaseChannel({ db }).init();
    expect(await db.collection('stream_definitions').listIndexes().toArray()).toHaveLength(
      indexes.length,
    );
  });
});
