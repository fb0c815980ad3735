// The shared contract of writable channels: every backend (memory, database…) runs this one suite,
// so they cannot drift apart.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/channels/channel.js';
import {
  StreamAlreadyExistsError,
  StreamNotFoundError,
  ValueNotStorableError,
} from '../../../src/errors.js';
import { collect } from '../../../src/internal/async.js';
import { readColumnsOf, writeBatchTo } from '../../../src/channels/stream-access.js';
import {
  batchFromInstances,
  batchToInstances,
  makeBatch,
  numberColumn,
  objectColumn,
  stringColumn,
  structColumn,
} from '../../../src/streams/batch.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import type { StreamInstance } from '../../../src/streams/stream-instance.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';

const series = (from: number, to: number, scale = 1): StreamInstance[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    timestamp: from + i,
    value: (from + i) * scale,
  }));

const timestamps = (items: readonly StreamInstance[]) => items.map((item) => item.timestamp);

/** What a backend cannot store, which it must then refuse whole (with `ValueNotStorableError`). */
export interface ChannelContractOptions {
  /** Arrays directly inside arrays (FerretDB v1). */
  readonly refusesNestedArrays?: boolean;
  /** -0 reads back as 0 (FerretDB v1: no BSON number it keeps as -0). */
  readonly losesNegativeZero?: boolean;
}

/**
 * Defines the contract tests for a writable channel. `makeChannel` is called before every test
 * and must return a fresh, empty channel; it is closed after the test.
 */
export function defineChannelContract(
  name: string,
  makeChannel: () => Channel | Promise<Channel>,
  options: ChannelContractOptions = {},
): void {
  describe(`channel contract: ${name}`, () => {
    let channel: Channel;
    beforeEach(async () => {
      channel = await makeChannel();
    });
    afterEach(async () => {
      await channel.close();
    });

    it('is writable and not limited in time', () => {
      expect(channel.writable).toBe(true);
      expect(channel.upToTimestamp).toBeUndefined();
    });

    it('creates, gets and reports streams; meta-data order does not matter', async () => {
      const id = StreamId.of('temp', { house: '1', resident: 'A' });
      expect(await channel.hasStream(id)).toBe(false);
      const created = await channel.createStream(id);
      expect(created.id.equals(id)).toBe(true);
      expect(created.channel).toBe(channel);
      expect(await channel.hasStream({ name: 'temp', meta: { resident: 'A', house: '1' } })).toBe(
        true,
      );
      await expect(channel.createStream(id)).rejects.toBeInstanceOf(StreamAlreadyExistsError);
      expect(
        (
          await channel.getStream({
            name: 'temp',
            meta: [
              ['resident', 'A'],
              ['house', '1'],
            ],
          })
        ).key,
      ).toBe(id.key);
      await expect(channel.getStream('missing')).rejects.toBeInstanceOf(StreamNotFoundError);
      await expect(channel.getStream('missing')).rejects.toThrow(`channel "${channel.id}"`);
      expect((await channel.getOrCreateStream(id)).key).toBe(id.key);
      expect((await channel.getOrCreateStream('fresh')).key).toBe('fresh');
      expect(await channel.hasStream('fresh')).toBe(true);
    });

    it('finds streams by name and by partial meta-data', async () => {
      await channel.createStream(StreamId.of('temp', { house: '1', resident: 'A' }));
      await channel.createStream(StreamId.of('temp', { house: '1', resident: 'B' }));
      await channel.createStream(StreamId.of('temp', { house: '2', resident: 'A' }));
      await channel.createStream(StreamId.of('humidity', { house: '1' }));
      await channel.createStream('clock');
      const keys = async (filter?: Parameters<Channel['findStreams']>[0]) =>
        (await channel.findStreams(filter)).map((s) => s.key).sort();
      expect(await keys()).toHaveLength(5);
      expect(await keys({ meta: { house: '1' } })).toEqual([
        'humidity[house=1]',
        'temp[house=1,resident=A]',
        'temp[house=1,resident=B]',
      ]);
      expect(await keys({ name: 'temp', meta: { resident: 'A' } })).toEqual([
        'temp[house=1,resident=A]',
        'temp[house=2,resident=A]',
      ]);
      expect(await keys({ name: 'temp', meta: { resident: 'A', house: '2' } })).toEqual([
        'temp[house=2,resident=A]',
      ]);
      expect(await keys({ name: 'clock' })).toEqual(['clock']);
      expect(await keys({ meta: { house: '3' } })).toEqual([]);
      expect(await keys({ name: 'nothing' })).toEqual([]);
      const [found] = await channel.findStreams({ name: 'humidity' });
      expect(found?.id.metaObject()).toEqual({ house: '1' });
    });

    it('writes many instances and reads them back in order with their values', async () => {
      const stream = await channel.createStream('values');
      const values: StreamInstance[] = [
        { timestamp: 1, value: 1.5 },
        { timestamp: 2, value: 'text' },
        { timestamp: 3, value: { nested: { list: [1, 'two', null, true] }, empty: {} } },
        { timestamp: 4, value: [{ list: [1, 2] }, { none: [] }, 3] },
        { timestamp: 5, value: null },
        { timestamp: 6, value: false },
        { timestamp: 7, value: new Date('2016-04-28T20:00:00Z') },
        { timestamp: 8, value: -0.25 },
      ];
      expect(await stream.write(values)).toBe(values.length);
      const many = series(1000, 4999);
      expect(await stream.write(many)).toBe(4000);
      const all = await stream.window(TimeInterval.allTime()).toArray();
      expect(all).toEqual([...values, ...many]);
      expect(await stream.window(TimeInterval.allTime()).count()).toBe(4008);
    });

    it(`stores arrays directly inside arrays${options.refusesNestedArrays ? ' (here: refuses them whole)' : ''}`, async () => {
      const stream = await channel.createStream('nested');
      const values: StreamInstance[] = [
        { timestamp: 1, value: 1 },
        { timestamp: 2, value: [[1, 2], [3]] },
      ];
      if (options.refusesNestedArrays) {
        await expect(stream.write(values)).rejects.toBeInstanceOf(ValueNotStorableError);
        expect(await stream.window(TimeInterval.allTime()).count()).toBe(0);
      } else {
        await stream.write(values);
        expect(await stream.window(TimeInterval.allTime()).toArray()).toEqual(values);
      }
    });

    it('rewrites idempotently: the same timestamps again replace, never duplicate', async () => {
      const stream = await channel.createStream('recomputed');
      await stream.write(series(1, 10));
      await stream.write(series(1, 10, 10));
      await stream.write(series(6, 15, 100));
      const all = await stream.window(new TimeInterval(0, 100)).toArray();
      expect(timestamps(all)).toEqual(series(1, 15).map((i) => i.timestamp));
      expect(all.slice(0, 5).map((i) => i.value)).toEqual([10, 20, 30, 40, 50]);
      expect(all.slice(5).map((i) => i.value)).toEqual(series(6, 15, 100).map((i) => i.value));
      expect(await stream.window(new TimeInterval(0, 100)).count()).toBe(15);
    });

    it('merges out-of-order writes; within one write the last of equal timestamps wins', async () => {
      const stream = await channel.createStream('unordered');
      await stream.write([5, 3, 9, 1].map((t) => ({ timestamp: t, value: t })));
      await stream.write([
        { timestamp: 2, value: 'a' },
        { timestamp: 8, value: 8 },
        { timestamp: 2, value: 'b' },
        { timestamp: 4, value: 4 },
      ]);
      const all = await stream.window(new TimeInterval(0, 10)).toArray();
      expect(all).toEqual([
        { timestamp: 1, value: 1 },
        { timestamp: 2, value: 'b' },
        { timestamp: 3, value: 3 },
        { timestamp: 4, value: 4 },
        { timestamp: 5, value: 5 },
        { timestamp: 8, value: 8 },
        { timestamp: 9, value: 9 },
      ]);
    });

    it('reads windows as (start, end]: the start is out, the end is in', async () => {
      const stream = await channel.createStream('edges');
      await stream.write(series(1, 10));
      const window = async (start: number, end: number) =>
        timestamps(await stream.window(new TimeInterval(start, end)).toArray());
      expect(await window(3, 7)).toEqual([4, 5, 6, 7]);
      expect(await window(0, 10)).toEqual(series(1, 10).map((i) => i.timestamp));
      expect(await window(10, 20)).toEqual([]);
      expect(await window(3, 3)).toEqual([]);
      expect(await window(-5, 1)).toEqual([1]);
      expect(await stream.window(new TimeInterval(3, 7)).count()).toBe(4);
      // Other streams' data never leaks into a window.
      const neighbour = await channel.createStream(StreamId.of('edges', { x: '1' }));
      await neighbour.write(series(1, 10, -1));
      expect(await window(0, 10)).toEqual(series(1, 10).map((i) => i.timestamp));
      expect(await neighbour.window(new TimeInterval(0, 10)).count()).toBe(10);
    });

    it('answers first, last, head, tail and count from the window only', async () => {
      const stream = await channel.createStream('ends');
      await stream.write(series(1, 100));
      const view = stream.window(new TimeInterval(10, 20));
      expect(await view.first()).toEqual({ timestamp: 11, value: 11 });
      expect(await view.last()).toEqual({ timestamp: 20, value: 20 });
      expect(timestamps(await view.head(3))).toEqual([11, 12, 13]);
      expect(timestamps(await view.tail(3))).toEqual([18, 19, 20]);
      expect(timestamps(await view.head(50))).toHaveLength(10);
      expect(await view.head(0)).toEqual([]);
      expect(await view.count()).toBe(10);
      expect(await collect(view.values())).toEqual(series(11, 20).map((i) => i.value));
      expect(await collect(view.timestamps())).toEqual(series(11, 20).map((i) => i.timestamp));
      expect(
        timestamps(await collect(channel.getResults(stream.id, new TimeInterval(95, 200)))),
      ).toEqual([96, 97, 98, 99, 100]);
    });

    it('yields batches no larger than asked, forwards or newest first', async () => {
      const stream = await channel.createStream('batches');
      await stream.write(series(1, 25));
      const forward = await collect(
        channel.readBatches(stream.id, new TimeInterval(0, 25), { batchSize: 4 }),
      );
      expect(forward.every((batch) => batch.length <= 4 && batch.length > 0)).toBe(true);
      expect(forward.flatMap(timestamps)).toEqual(series(1, 25).map((i) => i.timestamp));
      const backward = await collect(
        channel.readBatches(stream.id, new TimeInterval(5, 25), {
          batchSize: 6,
          reverse: true,
          limit: 8,
        }),
      );
      expect(backward.flatMap(timestamps)).toEqual([25, 24, 23, 22, 21, 20, 19, 18]);
      expect(backward.every((batch) => batch.length <= 6)).toBe(true);
    });

    it('treats an empty or unknown stream as empty', async () => {
      const stream = await channel.createStream('empty');
      const view = stream.window(TimeInterval.allTime());
      expect(await view.toArray()).toEqual([]);
      expect(await view.count()).toBe(0);
      expect(await view.first()).toBeUndefined();
      expect(await view.last()).toBeUndefined();
      expect(await stream.calculatedIntervals()).toEqual(TimeIntervals.EMPTY);
      expect(await channel.count('never-created', TimeInterval.allTime())).toBe(0);
      expect(await collect(channel.readBatches('never-created', TimeInterval.allTime()))).toEqual(
        [],
      );
      expect((await channel.getCalculatedIntervals('never-created')).isEmpty).toBe(true);
    });

    it('creates a stream on first write', async () => {
      expect(await channel.writeInstances('implicit', series(1, 3))).toBe(3);
      expect(await channel.hasStream('implicit')).toBe(true);
      expect(await channel.count('implicit', TimeInterval.allTime())).toBe(3);
    });

    it('rejects timestamps that are not whole epoch milliseconds', async () => {
      const stream = await channel.createStream('bad-times');
      await expect(stream.write([{ timestamp: 1.5, value: 1 }])).rejects.toBeInstanceOf(
        ValueNotStorableError,
      );
      await expect(stream.write([{ timestamp: Number.NaN, value: 1 }])).rejects.toBeInstanceOf(
        ValueNotStorableError,
      );
      expect(await stream.window(TimeInterval.allTime()).count()).toBe(0);
    });

    it('adds and merges calculated intervals', async () => {
      const stream = await channel.createStream('calculated');
      expect(await channel.addCalculatedIntervals(stream.id, new TimeInterval(0, 10))).toEqual(
        TimeIntervals.of([0, 10]),
      );
      await channel.addCalculatedIntervals(stream.id, TimeIntervals.of([20, 30], [40, 50]));
      expect((await stream.calculatedIntervals()).toJSON()).toEqual([
        { start: 0, end: 10 },
        { start: 20, end: 30 },
        { start: 40, end: 50 },
      ]);
      // Touching intervals merge; adding what is there changes nothing.
      await channel.addCalculatedIntervals(stream.id, TimeIntervals.of([10, 20], [45, 50]));
      expect((await stream.calculatedIntervals()).toJSON()).toEqual([
        { start: 0, end: 30 },
        { start: 40, end: 50 },
      ]);
      // Intervals are kept per stream.
      const other = await channel.createStream('calculated-other');
      expect((await other.calculatedIntervals()).isEmpty).toBe(true);
    });

    it('purges data and intervals but keeps the stream', async () => {
      const stream = await channel.createStream(StreamId.of('purged', { house: '1' }));
      await stream.write(series(1, 10));
      await channel.addCalculatedIntervals(stream.id, new TimeInterval(0, 10));
      const kept = await channel.createStream(StreamId.of('purged', { house: '2' }));
      await kept.write(series(1, 10));
      await stream.purge();
      expect(await channel.hasStream(stream.id)).toBe(true);
      expect(await stream.window(TimeInterval.allTime()).count()).toBe(0);
      expect((await stream.calculatedIntervals()).isEmpty).toBe(true);
      expect(await kept.window(TimeInterval.allTime()).count()).toBe(10);
    });

    it('purges only inside an interval when given one', async () => {
      const stream = await channel.createStream('partly');
      await stream.write(series(1, 10));
      await channel.addCalculatedIntervals(stream.id, new TimeInterval(0, 10));
      await stream.purge({ interval: new TimeInterval(3, 6) });
      expect(timestamps(await stream.window(TimeInterval.allTime()).toArray())).toEqual([
        1, 2, 3, 7, 8, 9, 10,
      ]);
      expect((await stream.calculatedIntervals()).toJSON()).toEqual([
        { start: 0, end: 3 },
        { start: 6, end: 10 },
      ]);
    });

    it('purges the definition too when asked', async () => {
      const stream = await channel.createStream('forgotten');
      await stream.write(series(1, 5));
      await channel.addCalculatedIntervals(stream.id, new TimeInterval(0, 5));
      await stream.purge({ removeDefinition: true });
      expect(await channel.hasStream('forgotten')).toBe(false);
      expect(await channel.count('forgotten', TimeInterval.allTime())).toBe(0);
      expect((await channel.getCalculatedIntervals('forgotten')).isEmpty).toBe(true);
      await expect(channel.getStream('forgotten')).rejects.toBeInstanceOf(StreamNotFoundError);
      expect((await channel.createStream('forgotten')).key).toBe('forgotten');
    });

    it('purges every stream of the channel, optionally inside an interval', async () => {
      const a = await channel.createStream('a');
      const b = await channel.createStream('b');
      await a.write(series(1, 10));
      await b.write(series(1, 10));
      await channel.addCalculatedIntervals('a', new TimeInterval(0, 10));
      await channel.purgeAll({ interval: new TimeInterval(0, 5) });
      expect(await a.window(TimeInterval.allTime()).count()).toBe(5);
      expect(await b.window(TimeInterval.allTime()).count()).toBe(5);
      expect((await a.calculatedIntervals()).toJSON()).toEqual([{ start: 5, end: 10 }]);
      await channel.purgeAll();
      expect(await a.window(TimeInterval.allTime()).count()).toBe(0);
      expect(await b.window(TimeInterval.allTime()).count()).toBe(0);
      expect((await a.calculatedIntervals()).isEmpty).toBe(true);
      await channel.purgeAll({ removeDefinition: true });
      expect(await channel.findStreams()).toEqual([]);
    });

    it('writes and reads column batches: struct, string, number and object values, last write wins', async () => {
      const id = StreamId.of('columns');
      const flights = makeBatch(
        [10, 20, 30, 40],
        structColumn({
          delay: numberColumn([1, -0, 2.5, -7]),
          origin: stringColumn(['JFK', 'ORD', 'JFK', 'é']),
          extra: objectColumn([null, { a: [1, 2] }, true, 'x']),
        }),
      );
      expect(await writeBatchTo(channel, id, flights)).toBe(4);
      // An overwrite of two rows and an append, out of order and with a repeated timestamp.
      const later = batchFromInstances([
        { timestamp: 50, value: 'appended' },
        { timestamp: 20, value: 'first' },
        { timestamp: 20, value: 'replaced' },
        { timestamp: 30, value: 3 },
      ]);
      await writeBatchTo(channel, id, later);
      const expected = [
        { timestamp: 10, value: { delay: 1, origin: 'JFK', extra: null } },
        { timestamp: 20, value: 'replaced' },
        { timestamp: 30, value: 3 },
        { timestamp: 40, value: { delay: -7, origin: 'é', extra: 'x' } },
        { timestamp: 50, value: 'appended' },
      ];
      const all = new TimeInterval(0, 100);
      const read = (await collect(readColumnsOf(channel, id, all))).flatMap((b) =>
        batchToInstances(b),
      );
      expect(read).toEqual(expected);
      expect(await collect(channel.getResults(id, all))).toEqual(expected);
      const window = (
        await collect(readColumnsOf(channel, id, new TimeInterval(10, 40), { limit: 2 }))
      ).flatMap((b) => batchToInstances(b));
      expect(window).toEqual(expected.slice(1, 3));
    });

    it(`keeps -0${options.losesNegativeZero ? ' (here: reads back 0)' : ''} and refuses bad batches with ValueNotStorableError, writing nothing`, async () => {
      const id = StreamId.of('bad_columns');
      await writeBatchTo(channel, id, makeBatch([5], numberColumn([-0])));
      const [only] = await collect(channel.getResults(id, new TimeInterval(0, 10)));
      expect(Object.is(only!.value, options.losesNegativeZero ? 0 : -0)).toBe(true);
      await expect(
        writeBatchTo(channel, id, makeBatch([7, 8.5], numberColumn([1, 2]))),
      ).rejects.toBeInstanceOf(ValueNotStorableError);
      await expect(
        writeBatchTo(channel, id, {
          length: 2,
          timestamps: new Float64Array([7, 8]),
          values: numberColumn([1]),
        }),
      ).rejects.toBeInstanceOf(ValueNotStorableError);
      expect(await channel.count(id, new TimeInterval(0, 10))).toBe(1);
    });
  });
}
