import type { CalculatedRanges } from '../storage/calculated-ranges.js';
import type { StreamFilter } from '../storage/stream-store.js';
import type { StreamId } from '../streams/stream-id.js';
import type { Stream } from './stream.js';
import type { PurgeOptions, StreamAccess } from './stream-access.js';
import type { StreamIdLike } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import type { TimeInterval } from '../time/time-interval.js';
import type { TimeIntervals } from '../time/time-intervals.js';

/** A write into a stream from outside a piece (user data, late data). */
export interface ExternalWrite {
  readonly channel: string;
  readonly id: StreamId;
  /** What the write touched: `(t - 1, t]` around each written timestamp, merged. */
  readonly intervals: TimeIntervals;
}

/**
 * Hears writes made outside pieces before they are applied (so a crash in between leaves at most
 * an invalidation too many, never stale data claimed current).
 */
export type WriteListener = (write: ExternalWrite) => Promise<void>;

/**
 * A channel owns streams and decides where their data lives. Every backend (memory, read-only
 * memory, database, files, modules, tools, assets) implements this one interface; what a stream
 * handle and a window use of it is {@link StreamAccess}.
 */
export interface Channel extends StreamAccess {
  readonly id: string;
  /** What kind of channel this is, e.g. `memory`, `database`, `file`, `tool`. */
  readonly kind: string;
  readonly writable: boolean;
  /**
   * The latest time up to which this channel can provide data, or `undefined` when it is not
   * limited (writable channels). Asking for more is `StreamNotAvailableError`.
   */
  readonly upToTimestamp: number | undefined;

  /** Creates a stream; `StreamAlreadyExistsError` if it exists. */
  createStream(id: StreamIdLike): Promise<Stream>;
  /** An existing stream; `StreamNotFoundError` if there is none. */
  getStream(id: StreamIdLike): Promise<Stream>;
  getOrCreateStream(id: StreamIdLike): Promise<Stream>;
  hasStream(id: StreamIdLike): Promise<boolean>;
  /** Streams whose name equals `filter.name` (if given) and whose meta-data include `filter.meta`. */
  findStreams(filter?: StreamFilter): Promise<Stream[]>;
  /** Purges every stream of the channel. */
  purgeAll(options?: PurgeOptions): Promise<void>;
  /** A window's instances, lazily, in timestamp order. */
  getResults(id: StreamIdLike, interval: TimeInterval): AsyncIterable<StreamInstance>;
  /** Records that `intervals` are fully written; call only after the data is written. */
  addCalculatedIntervals(
    id: StreamIdLike,
    intervals: TimeIntervals | TimeInterval,
  ): Promise<TimeIntervals>;
  /** The calculated ranges with their stamps (fingerprint, session, invalidated). */
  getCalculatedRanges(id: StreamIdLike): Promise<CalculatedRanges>;
  /** Atomically replaces the calculated ranges with `change(current)` (`change` may run twice). */
  changeCalculatedRanges(
    id: StreamIdLike,
    change: (current: CalculatedRanges) => CalculatedRanges,
  ): Promise<CalculatedRanges>;
  /** Calls `listener` before each write made outside a piece; returns what stops it. */
  watchWrites(listener: WriteListener): () => void;
  close(): Promise<void>;
}
