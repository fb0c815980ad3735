import type { Batch } from '../streams/batch.js';
import type { StreamId } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import type { TimeInterval } from '../time/time-interval.js';
import type { TimeIntervals } from '../time/time-intervals.js';
import type { CalculatedRanges } from './calculated-ranges.js';

/** How to read a window. */
export interface ReadOptions {
  /** Newest first (for `last`/`tail`). Default false. */
  readonly reverse?: boolean;
  /** At most this many instances. */
  readonly limit?: number;
  /** Instances per yielded batch (a hint). */
  readonly batchSize?: number;
}

/** How to read a window as column batches. */
export interface ColumnReadOptions {
  /** At most this many instances. */
  readonly limit?: number;
  /** Rows per yielded batch at most (a hint; stores yield whole chunks by default). */
  readonly batchSize?: number;
}

/** Which streams to list: a name and/or a partial meta-data match. */
export interface StreamFilter {
  readonly name?: string;
  readonly meta?: Readonly<Record<string, string>>;
}

/** What a store can do, so the engine asks for capabilities and never for a backend type. */
export interface StreamStoreCapabilities {
  /** Calculated-interval merges are atomic across processes. */
  readonly atomicIntervalMerge: boolean;
  /** Data outlives the process. */
  readonly persistent: boolean;
}

/**
 * Where a writable channel keeps its streams: the one contract every backend (memory, MongoDB)
 * implements, in engine language rather than database calls.
 *
 * @remarks
 * - Instances are unique by (stream, timestamp); a later write at a timestamp replaces the value,
 *   so recomputing never duplicates.
 * - `read` yields batches in timestamp order (or reverse) lazily; a window over millions of
 *   instances never sits in memory at once.
 * - Calculated intervals are merged atomically: two writers adding intervals both end up recorded.
 *   Callers add an interval only after the `write` that filled it has resolved.
 * - The columnar methods `writeBatch` and `readColumns` are optional: a store without them is
 *   given instances (`write`) and read as instances (`read`), and channels convert. A store that
 *   has them must keep the same rules: `writeBatch` checks timestamps as `write` does (one pass
 *   over the column, `ValueNotStorableError`), sorts and de-duplicates (last row wins) and upserts;
 *   `readColumns` yields the window oldest first, each batch strictly increasing in time.
 * - Calculated ranges carry a stamp (the fingerprint of the factor that computed them, the
 *   session, whether a late write invalidated them); `getCalculatedIntervals` is the union of the
 *   ranges not invalidated. `changeCalculatedRanges` applies a pure change atomically (a
 *   transaction, or a compare-and-set retried on conflict, so `change` may run more than once).
 */
export interface StreamStore {
  readonly capabilities: StreamStoreCapabilities;
  /** Creates the stream's definition if absent; true when it was created. */
  ensureStream(id: StreamId): Promise<boolean>;
  hasStream(id: StreamId): Promise<boolean>;
  listStreams(filter?: StreamFilter): Promise<StreamId[]>;
  /** Removes the stream's data, calculated intervals and definition. */
  deleteStream(id: StreamId): Promise<void>;
  /** Upserts instances by timestamp; resolves once durably written. Returns the number written. */
  write(id: StreamId, instances: readonly StreamInstance[]): Promise<number>;
  read(
    id: StreamId,
    interval: TimeInterval,
    options?: ReadOptions,
  ): AsyncIterable<readonly StreamInstance[]>;
  /**
   * Optional, columnar: upserts the rows of a batch by timestamp, as `write` does its instances.
   * Resolves once durably written; returns the number of rows. The batch is not kept: the store
   * copies what it stores, so the caller may reuse its arrays.
   */
  writeBatch?(id: StreamId, batch: Batch): Promise<number>;
  /**
   * Optional, columnar: a window as batches of columns, oldest first (memory: zero-copy views).
   * Batches are snapshots: later writes do not change a batch already yielded.
   */
  readColumns?(
    id: StreamId,
    interval: TimeInterval,
    options?: ColumnReadOptions,
  ): AsyncIterable<Batch>;
  count(id: StreamId, interval: TimeInterval): Promise<number>;
  /** Deletes instances inside `interval` (all when omitted); returns how many. */
  deleteData(id: StreamId, interval?: TimeInterval): Promise<number>;
  /** The ranges not invalidated (see {@link CalculatedRanges.intervals}). */
  getCalculatedIntervals(id: StreamId): Promise<TimeIntervals>;
  /** The stream's calculated ranges with their stamps. */
  getCalculatedRanges(id: StreamId): Promise<CalculatedRanges>;
  /**
   * Atomically replaces the stream's calculated ranges with `change(current)`; returns the result.
   * A change from none to some creates the stream's definition.
   */
  changeCalculatedRanges(
    id: StreamId,
    change: (current: CalculatedRanges) => CalculatedRanges,
  ): Promise<CalculatedRanges>;
  /** Atomically unions `intervals` (unstamped) into the stream's calculated ranges; returns the intervals. */
  addCalculatedIntervals(id: StreamId, intervals: TimeIntervals): Promise<TimeIntervals>;
  /** Atomically removes `intervals` from the stream's calculated intervals; returns the result. */
  removeCalculatedIntervals(id: StreamId, intervals: TimeIntervals): Promise<TimeIntervals>;
  close(): Promise<void>;
}
