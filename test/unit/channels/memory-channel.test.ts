import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChannelManager } from '../../../src/channels/channel-manager.js';
import { MemoryChannel } from '../../../src/channels/memory-channel.js';
import {
  ChannelAlreadyExistsError,
  ChannelNotFoundError,
  StreamAlreadyExistsError,
  StreamNotFoundError,
  ValueNotStorableError,
} from '../../../src/errors.js';
import { collect } from '../../../src/internal/async.js';
import { makeBatch, numberColumn } from '../../../src/streams/batch.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { RelativeTimeInterval } from '../../../src/time/relative-time-interval.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';

const series = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ timestamp: from + i, value: from + i }));

async function streamWith(values = series(1, 10)) {
  const channel = new MemoryChannel();
  const stream = await channel.createStream(StreamId.of('s', { house: '1' }));
  await stream.write(values);
  return { channel, stream };
}

describe('MemoryChannel', () => {
  it('creates, gets and finds streams; errors name the stream and channel', async () => {
    const channel = new MemoryChannel('mem');
    await channel.createStream(StreamId.of('temp', { house: '1' }));
    await channel.getOrCreateStream(StreamId.of('temp', { house: '2' }));
    await channel.getOrCreateStream('other');
    await expect(channel.createStream(StreamId.of('temp', { house: '1' }))).rejects.toThrow(
      StreamAlreadyExistsError,
    );
    await expect(channel.getStream('missing')).rejects.toThrow(
      /"missing" not found in channel "mem"/,
    );
    await expect(channel.getStream('missing')).rejects.toBeInstanceOf(StreamNotFoundError);
    expect((await channel.getStream({ name: 'temp', meta: { house: '2' } })).id.get('house')).toBe(
      '2',
    );
    expect(await channel.hasStream('other')).toBe(true);
    expect((await channel.findStreams({ name: 'temp' })).length).toBe(2);
    expect((await channel.findStreams({ meta: { house: '1' } })).map((s) => s.key)).toEqual([
      'temp[house=1]',
    ]);
    expect((await channel.findStreams()).length).toBe(3);
  });

  it('reads windows as (start, end] with lazy batches', async () => {
    const { stream } = await streamWith();
    const view = stream.window(new TimeInterval(3, 7));
    expect(await collect(view.timestamps())).toEqual([4, 5, 6, 7]);
    expect(await collect(view.values())).toEqual([4, 5, 6, 7]);
    expect((await collect(view.items())).length).toBe(4);
    expect(await view.count()).toBe(4);
    const batches = await collect(view.batches(3));
    expect(batches.map((b) => b.length)).toEqual([3, 1]);
  });

  it('answers first, last, head and tail', async () => {
    const { stream } = await streamWith();
    const view = stream.window(new TimeInterval(0, 10));
    expect(await view.first()).toEqual({ timestamp: 1, value: 1 });
    expect(await view.last()).toEqual({ timestamp: 10, value: 10 });
    expect((await view.head(3)).map((i) => i.timestamp)).toEqual([1, 2, 3]);
    expect((await view.tail(3)).map((i) => i.timestamp)).toEqual([8, 9, 10]);
    expect(await view.head(0)).toEqual([]);
    expect((await view.tail(100)).length).toBe(10);
    const empty = stream.window(new TimeInterval(10, 20));
    expect(await empty.first()).toBeUndefined();
    expect(await empty.last()).toBeUndefined();
    expect(await empty.count()).toBe(0);
  });

  it('takes windows as ISO strings and relative intervals', async () => {
    const { stream } = await streamWith();
    expect(await stream.window('1970-01-01T00:00:00.005Z/PT0.002S').count()).toBe(2);
    expect(await stream.window(RelativeTimeInterval.of(-3, 0), { reference: 10 }).count()).toBe(3);
  });

  it('replaces values written again at the same timestamp (idempotent recompute)', async () => {
    const { stream } = await streamWith();
    await stream.write([{ timestamp: 5, value: 'five' }]);
    await stream.write(series(1, 10));
    const all = await stream.window(new TimeInterval(0, 100)).toArray();
    expect(all.length).toBe(10);
    await stream.write([{ timestamp: 5, value: 'again' }]);
    expect((await stream.window(new TimeInterval(4, 5)).first())?.value).toBe('again');
  });

  it('keeps out-of-order writes sorted; the last write of a timestamp in one batch wins', async () => {
    const { stream } = await streamWith([]);
    await stream.write([
      { timestamp: 30, value: 'a' },
      { timestamp: 10, value: 'b' },
      { timestamp: 30, value: 'c' },
    ]);
    await stream.write([
      { timestamp: 20, value: 'd' },
      { timestamp: 5, value: 'e' },
    ]);
    const all = await stream.window(new TimeInterval(0, 100)).toArray();
    expect(all).toEqual([
      { timestamp: 5, value: 'e' },
      { timestamp: 10, value: 'b' },
      { timestamp: 20, value: 'd' },
      { timestamp: 30, value: 'c' },
    ]);
  });

  it('rejects bad timestamps without writing anything of the batch', async () => {
    const { stream } = await streamWith(series(1, 3));
    await expect(
      stream.write([
        { timestamp: 4, value: 1 },
        { timestamp: Number.NaN, value: 2 },
      ]),
    ).rejects.toThrow(ValueNotStorableError);
    await expect(stream.write([{ timestamp: 1.5, value: 1 }])).rejects.toThrow(
      ValueNotStorableError,
    );
    expect(await stream.window(new TimeInterval(0, 100)).count()).toBe(3);
  });

  it('records calculated intervals and merges them', async () => {
    const { channel, stream } = await streamWith();
    await channel.addCalculatedIntervals(stream.id, new TimeInterval(0, 5));
    await channel.addCalculatedIntervals(stream.id, TimeIntervals.of([5, 10], [20, 30]));
    expect((await stream.calculatedIntervals()).toJSON()).toEqual([
      { start: 0, end: 10 },
      { start: 20, end: 30 },
    ]);
  });

  it('purges data and intervals, all or inside an interval, with or without the definition', async () => {
    const { channel, stream } = await streamWith();
    await channel.addCalculatedIntervals(stream.id, new TimeInterval(0, 10));
    await stream.purge({ interval: new TimeInterval(2, 5) });
    expect(await collect(stream.window(new TimeInterval(0, 10)).timestamps())).toEqual([
      1, 2, 6, 7, 8, 9, 10,
    ]);
    expect((await stream.calculatedIntervals()).toJSON()).toEqual([
      { start: 0, end: 2 },
      { start: 5, end: 10 },
    ]);
    await stream.purge();
    expect(await stream.window(new TimeInterval(0, 10)).count()).toBe(0);
    expect((await stream.calculatedIntervals()).isEmpty).toBe(true);
    expect(await channel.hasStream(stream.id)).toBe(true);
    await stream.purge({ removeDefinition: true });
    expect(await channel.hasStream(stream.id)).toBe(false);
  });

  it('purgeAll empties every stream', async () => {
    const { channel } = await streamWith();
    await (await channel.getOrCreateStream('b')).write(series(1, 3));
    await channel.purgeAll();
    for (const s of await channel.findStreams())
      expect(await s.window(new TimeInterval(0, 100)).count()).toBe(0);
  });

  it('reads newest-first with a limit for tails of huge streams', async () => {
    const { channel, stream } = await streamWith(series(1, 10_000));
    const batches = await collect(
      channel.readBatches(stream.id, new TimeInterval(0, 10_000), { reverse: true, limit: 5 }),
    );
    expect(batches.flat().map((i) => i.timestamp)).toEqual([10_000, 9999, 9998, 9997, 9996]);
    expect(
      await collect(channel.getResults(stream.id, new TimeInterval(9998, 10_000))),
    ).toHaveLength(2);
  });
});

describe('ChannelManager', () => {
  it('holds channels by id and names the known ones when one is missing', () => {
    const manager = new ChannelManager([new MemoryChannel('memory')]);
    manager.add(new MemoryChannel('other'));
    expect(manager.get('memory').kind).toBe('memory');
    expect(() => manager.add(new MemoryChannel('memory'))).toThrow(ChannelAlreadyExistsError);
    expect(() => manager.get('mongo')).toThrow(ChannelNotFoundError);
    expect(() => manager.get('mongo')).toThrow(/known channels: memory, other/);
    expect([...manager].map((c) => c.id)).toEqual(['memory', 'other']);
    expect(manager.remove('other')).toBe(true);
    expect(manager.has('other')).toBe(false);
  });
});

describe('MemoryChannel write boundary', () => {
  it('rejects malformed batches with ValueNotStorableError and writes nothing', async () => {
    const channel = new MemoryChannel();
    const stream = await channel.getOrCreateStream('s');
    await expect(channel.writeInstances('s', null as never)).rejects.toThrow(ValueNotStorableError);
    await expect(
      channel.writeInstances('s', [{ timestamp: 1, value: 1 }, null] as never),
    ).rejects.toThrow(/item 1 is null/);
    expect(await stream.window(new TimeInterval(0, 10)).count()).toBe(0);
  });
});

describe('MemoryChannel outside writes', () => {
  it('tell watchers the ms each write touches, in or out of order, leaving the batch as it was', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        async (times, asBatch) => {
          const channel = new MemoryChannel();
          const seen: TimeIntervals[] = [];
          channel.watchWrites(async (write) => {
            seen.push(write.intervals);
          });
          const expected = TimeIntervals.from(times.map((t) => new TimeInterval(t - 1, t)));
          if (asBatch) {
            const timestamps = Float64Array.from(times);
            await channel.writeBatch('s', makeBatch(timestamps, numberColumn(times)));
            expect([...timestamps]).toEqual(times);
          } else {
            await channel.writeInstances(
              's',
              times.map((t) => ({ timestamp: t, value: t })),
            );
          }
          expect(seen.map(String)).toEqual([String(expected)]);
        },
      ),
      { numRuns: 200 },
    );
  });
});
