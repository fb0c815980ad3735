import type { PurgeOptions, StreamAccess } from './stream-access.js';
import type { IntervalSpec, ParseIntervalOptions } from '../time/parse-interval.js';
import { resolveInterval } from '../time/parse-interval.js';
import type { TimeInterval } from '../time/time-interval.js';
import type { TimeIntervals } from '../time/time-intervals.js';
import type { StreamId } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import type { Batch } from '../streams/batch.js';
import { writeBatchTo } from './stream-access.js';
import { StreamView } from './stream-view.js';

/** Options for {@link Stream.window}. */
export interface WindowOptions extends ParseIntervalOptions {
  /** Reference time for a relative window (default: the clock's now). */
  readonly reference?: number;
}

/**
 * A handle on one stream of a channel: its id, its calculated intervals, windows for reading and
 * a writer. Cheap to create; all state lives in the channel.
 */
export class Stream<T = unknown> {
  readonly id: StreamId;
  readonly channel: StreamAccess;

  constructor(channel: StreamAccess, id: StreamId) {
    this.channel = channel;
    this.id = id;
  }

  /** The canonical key of the stream id. */
  get key(): string {
    return this.id.key;
  }

  /** A window of the stream: a `TimeInterval`, a `RelativeTimeInterval` or an ISO interval string. */
  window(spec: IntervalSpec, options: WindowOptions = {}): StreamView<T> {
    const interval: TimeInterval = resolveInterval(spec, options.reference, options);
    return new StreamView<T>(this.channel, this.id, interval);
  }

  /** The intervals over which this stream's data is complete. */
  async calculatedIntervals(): Promise<TimeIntervals> {
    return await this.channel.getCalculatedIntervals(this.id);
  }

  /** Writes instances (upsert by timestamp). */
  async write(instances: readonly StreamInstance<T>[]): Promise<number> {
    return await this.channel.writeInstances(this.id, instances);
  }

  /** Writes the rows of a column batch (upsert by timestamp): the columnar form of {@link Stream.write}. */
  async writeBatch(batch: Batch): Promise<number> {
    return await writeBatchTo(this.channel, this.id, batch);
  }

  /** Deletes data and calculated intervals (optionally only inside an interval). */
  async purge(options?: PurgeOptions): Promise<void> {
    await this.channel.purgeStream(this.id, options);
  }

  toString(): string {
    return `Stream(${this.id.toString()}, channel=${this.channel.id})`;
  }
}
