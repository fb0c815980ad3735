import type { ReadOptions } from '../storage/stream-store.js';
import type { StreamIdLike } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import type { TimeInterval } from '../time/time-interval.js';
import type { TimeIntervals } from '../time/time-intervals.js';

/** Options for purging a stream. */
export interface PurgeOptions {
  /** Also forget the stream itself (its definition), not only its data and intervals. */
  readonly removeDefinition?: boolean;
  /** Purge only this part of time (data inside it and the calculated intervals over it). */
  readonly interval?: TimeInterval;
}

/** Options of {@link StreamAccess.writeInstances}. */
export interface WriteOptions {
  /**
   * The write is a piece's output (the engine's own): its consumers are not invalidated, since
   * the planner already recomputes everything downstream of a recomputed piece.
   */
  readonly piece?: boolean;
}

/** What a window reads a stream through (a channel). */
export interface StreamReader {
  readonly id: string;
  /** A window's instances as lazy batches, in timestamp order (or newest first). */
  readBatches(
    id: StreamIdLike,
    interval: TimeInterval,
    options?: ReadOptions,
  ): AsyncIterable<readonly StreamInstance[]>;
  /** Number of instances in a window. */
  count(id: StreamIdLike, interval: TimeInterval): Promise<number>;
}

/** What a stream handle reads and writes its stream through (a channel). */
export interface StreamAccess extends StreamReader {
  /** Deletes a stream's data and calculated intervals (and its definition when asked). */
  purgeStream(id: StreamIdLike, options?: PurgeOptions): Promise<void>;
  /** Writes many instances at once (upsert by timestamp). Returns how many were written. */
  writeInstances(
    id: StreamIdLike,
    instances: readonly StreamInstance[],
    options?: WriteOptions,
  ): Promise<number>;
  getCalculatedIntervals(id: StreamIdLike): Promise<TimeIntervals>;
}
