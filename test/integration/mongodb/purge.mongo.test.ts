// Purge on the server: documents and intervals inside the interval go, everything else stays.
import { describe, expect, it } from 'vitest';
import { DatabaseChannel } from '../../../src/channels/database-channel.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';
import { useTestDatabase } from '../setup/mongo.js';

const database = useTestDatabase();
const hour = 3_600_000;
const series = (hours: number) =>
  Array.from({ length: hours }, (_, i) => ({ timestamp: (i + 1) * hour, value: i + 1 }));

describe('purge by interval', () => {
  it('deletes only the documents and intervals inside (start, end] of one stream', async () => {
    const channel = new DatabaseChannel({ db: database.db });
    const target = StreamId.of('load', { house: '1' });
    const other = StreamId.of('load', { house: '2' });
    for (const id of [target, other]) {
      await channel.writeInstances(id, series(24));
      await channel.addCalculatedIntervals(id, new TimeInterval(0, 24 * hour));
    }
    await channel.purgeStream(target, { interval: new TimeInterval(6 * hour, 12 * hour) });

    const instances = database.db.collection('streams');
    const left = await instances
      .find({ '_id.s': target.key })
      .sort({ _id: 1 })
      .map((doc) => (doc._id as unknown as { t: Date }).t.getTime() / hour)
      .toArray();
    expect(left).toEqual([1, 2, 3, 4, 5, 6, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    expect(await instances.countDocuments({ '_id.s': other.key })).toBe(24);
    expect(await channel.getCalculatedIntervals(target)).toEqual(
      TimeIntervals.of([0, 6 * hour], [12 * hour, 24 * hour]),
    );
    expect(await channel.getCalculatedIntervals(other)).toEqual(TimeIntervals.of([0, 24 * hour]));

    // The definition is kept unless asked; then it goes with all of the data.
    await channel.purgeStream(target, { removeDefinition: true });
    expect(
      await database.db
        .collection('stream_definitions')
        .countDocuments({ _id: target.key as never }),
    ).toBe(0);
    expect(await instances.countDocuments({ '_id.s': target.key })).toBe(0);
    expect(await instances.countDocuments({ '_id.s': other.key })).toBe(24);
  });
});
