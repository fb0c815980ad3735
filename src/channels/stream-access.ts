import type { ColumnReadOptions, ReadOptions } from '../storage/stream-store.js';
import type { Batch } from '../streams/batch.js';
import { batchFromInstances, batchToInstances } from '../streams/batch.js';
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
  /**
   * Optional, columnar: a window as batches of columns, oldest first. Readers without it are read
   * through {@link readColumnsOf}, which converts their instance batches.
   */
  readColumns?(
    id: StreamIdLike,
    interval: TimeInterval,
    options?: ColumnReadOptions,
  ): AsyncIterable<Batch>;
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
  /**
   * Optional, columnar: upserts the rows of a batch by timestamp. Channels without it are written
   * through {@link writeBatchTo}, which converts the batch to instances.
   */
  writeBatch?(id: StreamIdLike, batch: Batch, options?: WriteOptions): Promise<number>;
}

/** A window of a stream as column batches, from any reader (converting instance batches when it has no columnar read). */
export function readColumnsOf(
  reader: StreamReader,
  id: StreamIdLike,
  interval: TimeInterval,
  options: ColumnReadOptions = {},
): AsyncIterable<Batch> {
  if (reader.readColumns) return reader.readColumns(id, interval, options);
  return convertBatches(
    reader.readBatches(id, interval, {
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    }),
  );
}

async function* convertBatches(
  batches: AsyncIterable<readonly StreamInstance[]>,
): AsyncIterable<Batch> {
  for await (const batch of batches) if (batch.length > 0) yield batchFromInstances(batch);
}

/** Writes a batch to any writable stream access (converting it to instances when it has no columnar write). */
export async function writeBatchTo(
  access: StreamAccess,
  id: StreamIdLike,
  batch: Batch,
  options: WriteOptions = {},
): Promise<number> {
  if (access.writeBatch) return await access.writeBatch(id, batch, options);
  return await access.writeInstances(id, batchToInstances(batch), options);
}
