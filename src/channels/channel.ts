import type { StreamFilter } from '../storage/stream-store.js';
import type { Stream } from './stream.js';
import type { PurgeOptions, StreamAccess } from './stream-access.js';
import type { StreamIdLike } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import type { TimeInterval } from '../time/time-interval.js';
import type { TimeIntervals } from '../time/time-intervals.js';

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
  close(): Promise<void>;
}
