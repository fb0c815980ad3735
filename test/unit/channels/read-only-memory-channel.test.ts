import { describe, expect, it } from 'vitest';
import { ReadOnlyMemoryChannel } from '../../../src/channels/read-only-memory-channel.js';
import {
  ChannelReadOnlyError,
  StreamNotAvailableError,
  StreamNotFoundError,
} from '../../../src/errors.js';
import { collect } from '../../../src/internal/async.js';
import type { TimeInterval as TimeIntervalType } from '../../../src/time/time-interval.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { MIN_DATE } from '../../../src/time/timestamp.js';

/** A sensor that ticks every 10 ms with value = timestamp / 10. */
class TickChannel extends ReadOnlyMemoryChannel {
  readonly spans: TimeIntervalType[] = [];
  protected override async updateStreams(span: TimeIntervalType): Promise<void> {
    this.spans.push(span);
    const from = Math.max(0, Math.floor(span.start / 10) + 1);
    const instances = [];
    for (let k = from; k * 10 <= span.end; k++) instances.push({ timestamp: k * 10, value: k });
    await this.emit('ticks', instances);
  }
}

describe('ReadOnlyMemoryChannel', () => {
  it('has data only up to upToTimestamp, produced by updateStreams', async () => {
    const channel = new TickChannel('sensor');
    expect(channel.upToTimestamp).toBe(MIN_DATE);
    await channel.update(100);
    expect(channel.upToTimestamp).toBe(100);
    const stream = await channel.getStream('ticks');
    expect(await collect(stream.window(new TimeInterval(0, 100)).values())).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect((await stream.calculatedIntervals()).toJSON()).toEqual([{ start: MIN_DATE, end: 100 }]);
  });

  it('refuses reads past upToTimestamp with StreamNotAvailableError', async () => {
    const channel = new TickChannel('sensor');
    await channel.update(50);
    const stream = await channel.getStream('ticks');
    await expect(collect(stream.window(new TimeInterval(0, 60)))).rejects.toThrow(
      StreamNotAvailableError,
    );
    await expect(stream.window(new TimeInterval(0, 60)).count()).rejects.toThrow(/available up to/);
  });

  it('updates incrementally and ignores updates to the past', async () => {
    const channel = new TickChannel('sensor');
    await channel.update(50);
    await channel.update(30);
    await channel.update(80);
    expect(channel.spans.map((s) => [s.start, s.end])).toEqual([
      [MIN_DATE, 50],
      [50, 80],
    ]);
    const stream = await channel.getStream('ticks');
    expect(await stream.window(new TimeInterval(0, 80)).count()).toBe(8);
  });

  it('refuses writes, purges and stream creation', async () => {
    const channel = new TickChannel('sensor');
    await channel.update(10);
    await expect(channel.writeInstances('ticks', [])).rejects.toThrow(ChannelReadOnlyError);
    await expect(channel.createStream('x')).rejects.toThrow(ChannelReadOnlyError);
    await expect(channel.purgeStream('ticks')).rejects.toThrow(/read-only/);
    await expect(channel.purgeAll()).rejects.toThrow(ChannelReadOnlyError);
    await expect(channel.addCalculatedIntervals('ticks', new TimeInterval(0, 1))).rejects.toThrow(
      ChannelReadOnlyError,
    );
    await expect(channel.getStream('nope')).rejects.toThrow(StreamNotFoundError);
    await expect(channel.getOrCreateStream('nope')).rejects.toThrow(StreamNotFoundError);
    expect(channel.writable).toBe(false);
    expect((await channel.findStreams()).map((s) => s.key)).toEqual(['ticks']);
  });
});
