// Two engines (separate MongoClients) on one database, as two processes would be.
import { describe, expect, it } from 'vitest';
import { DatabaseChannel } from '../../../src/channels/database-channel.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';
import { useTestDatabase } from '../setup/mongo.js';

const database = useTestDatabase();

describe('two engines sharing one database', () => {
  it("see each other's streams, data and calculated intervals", async () => {
    const first = new DatabaseChannel({ db: (await database.newClient()).db(database.name) });
    const second = new DatabaseChannel({ db: (await database.newClient()).db(database.name) });
    const id = StreamId.of('temp', { house: '1' });

    const written = await first.createStream(id);
    await written.write(
      [1, 2, 3].map((t) => ({ timestamp: t * 1000, value: { celsius: 20 + t } })),
    );
    await first.addCalculatedIntervals(id, new TimeInterval(0, 3000));

    const [seen] = await second.findStreams({ meta: { house: '1' } });
    expect(seen?.key).toBe(id.key);
    expect(await seen!.window(new TimeInterval(0, 3000)).toArray()).toEqual(
      [1, 2, 3].map((t) => ({ timestamp: t * 1000, value: { celsius: 20 + t } })),
    );
    expect(await second.getCalculatedIntervals(id)).toEqual(TimeIntervals.of([0, 3000]));

    // And back: the second engine extends, the first sees it.
    await second.writeInstances(id, [{ timestamp: 4000, value: { celsius: 24 } }]);
    await second.addCalculatedIntervals(id, new TimeInterval(3000, 4000));
    expect((await first.getCalculatedIntervals(id)).toJSON()).toEqual([{ start: 0, end: 4000 }]);
    expect(await written.window(new TimeInterval(0, 5000)).last()).toEqual({
      timestamp: 4000,
      value: { celsius: 24 },
    });
    await expect(second.createStream(id)).rejects.toThrow(/already exists/);
  });

  it('records every interval when many adders on two clients race on one stream', async () => {
    const channels = [
      new DatabaseChannel({ db: (await database.newClient()).db(database.name) }),
      new DatabaseChannel({ db: (await database.newClient()).db(database.name) }),
    ];
    const id = StreamId.of('raced');
    await channels[0]!.createStream(id);
    const adders = 40;
    const pieces = Array.from({ length: adders }, (_, i) => new TimeInterval(i * 10, i * 10 + 5));
    // All at once, alternating between the two clients, in a shuffled order.
    const order = pieces.map((_, i) => (i * 17) % adders);
    await Promise.all(order.map((i) => channels[i % 2]!.addCalculatedIntervals(id, pieces[i]!)));
    const recorded = await channels[1]!.getCalculatedIntervals(id);
    expect(recorded.size).toBe(adders);
    expect(recorded).toEqual(TimeIntervals.from(pieces));
    // Every effective change inserted exactly one version.
    const newest = await database.db
      .collection<{ _id: { s: string; v: number } }>('stream_definitions_intervals')
      .findOne({ '_id.s': id.key }, { sort: { _id: -1 } });
    expect(newest?._id.v).toBe(adders);
  });

  it('loses no removal either when removals and additions interleave', async () => {
    const a = new DatabaseChannel({ db: (await database.newClient()).db(database.name) });
    const b = new DatabaseChannel({ db: (await database.newClient()).db(database.name) });
    const id = StreamId.of('mixed');
    await a.addCalculatedIntervals(id, new TimeInterval(0, 1000));
    const removals = Array.from({ length: 10 }, (_, i) => new TimeInterval(i * 100, i * 100 + 10));
    const additions = Array.from(
      { length: 10 },
      (_, i) => new TimeInterval(2000 + i * 100, 2000 + i * 100 + 50),
    );
    await Promise.all([
      ...removals.map((piece) => a.purgeStream(id, { interval: piece })),
      ...additions.map((piece) => b.addCalculatedIntervals(id, piece)),
    ]);
    const expected = TimeIntervals.of([0, 1000])
      .difference(TimeIntervals.from(removals))
      .union(TimeIntervals.from(additions));
    expect(await a.getCalculatedIntervals(id)).toEqual(expected);
  });

  it('deletes old interval versions only once they are 10 minutes old, and never the newest', async () => {
    const channel = new DatabaseChannel({ db: (await database.newClient()).db(database.name) });
    const id = StreamId.of('pruned');
    const versions = database.db.collection<{ _id: { s: string; v: number }; at: Date }>(
      'stream_definitions_intervals',
    );
    // Versions 1 to 3 as if written 20 minutes ago, 4 to 15 now; 16 prunes.
    const old = new Date(Date.now() - 20 * 60_000);
    await versions.insertMany(
      [1, 2, 3].map((v) => ({ _id: { s: id.key, v }, intervals: [], at: old })),
    );
    for (let i = 4; i <= 16; i++) {
      await channel.addCalculatedIntervals(id, new TimeInterval(i * 10, i * 10 + 5));
    }
    const left = await versions.find({ '_id.s': id.key }).sort({ _id: 1 }).toArray();
    expect(left.map((doc) => doc._id.v)).toEqual(Array.from({ length: 13 }, (_, i) => i + 4));
    expect((await channel.getCalculatedIntervals(id)).size).toBe(13);
  });
});
