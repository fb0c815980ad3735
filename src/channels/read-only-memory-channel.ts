import { CalculatedRanges } from '../storage/calculated-ranges.js';
import { ChannelReadOnlyError, StreamNotAvailableError, StreamNotFoundError } from '../errors.js';
import { MemoryStreamStore } from '../storage/memory/memory-stream-store.js';
import type { ColumnReadOptions, ReadOptions, StreamFilter } from '../storage/stream-store.js';
import type { Batch } from '../streams/batch.js';
import { Stream } from './stream.js';
import type { StreamIdLike } from '../streams/stream-id.js';
import { StreamId } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import { MIN_DATE } from '../time/timestamp.js';
import type { Channel } from './channel.js';
import type { PurgeOptions } from './stream-access.js';

/**
 * A channel whose streams appear only through {@link ReadOnlyMemoryChannel.update}: a subclass
 * implements {@link ReadOnlyMemoryChannel.updateStreams} to produce documents up to a time (from a
 * sensor, a file, a generator). Data is valid up to `upToTimestamp`; reading past it is
 * `StreamNotAvailableError`, and users cannot write.
 */
export abstract class ReadOnlyMemoryChannel implements Channel {
  readonly id: string;
  readonly kind: string = 'read-only-memory';
  readonly writable = false;
  readonly #store = new MemoryStreamStore();
  #upTo: number = MIN_DATE;

  constructor(id: string) {
    this.id = id;
  }

  get upToTimestamp(): number {
    return this.#upTo;
  }

  /**
   * Brings every stream up to `upTo`: calls {@link updateStreams} for `(upToTimestamp, upTo]`,
   * then advances `upToTimestamp`. Asking for an earlier time than the current one does nothing.
   */
  async update(upTo: number): Promise<void> {
    if (upTo <= this.#upTo) return;
    const span = new TimeInterval(this.#upTo, upTo);
    await this.updateStreams(span);
    this.#upTo = upTo;
  }

  /** Produces the documents of `(span.start, span.end]` through {@link ReadOnlyMemoryChannel.emit}. */
  protected abstract updateStreams(span: TimeInterval): Promise<void>;

  /** For subclasses: adds documents to a stream (creating it). */
  protected async emit(idLike: StreamIdLike, instances: readonly StreamInstance[]): Promise<void> {
    const id = StreamId.from(idLike);
    await this.#store.ensureStream(id);
    await this.#store.write(id, instances);
  }

  createStream(_id: StreamIdLike): Promise<Stream> {
    return Promise.reject(new ChannelReadOnlyError(this.id, 'create streams'));
  }

  async getStream(idLike: StreamIdLike): Promise<Stream> {
    const id = StreamId.from(idLike);
    if (!(await this.#store.hasStream(id))) throw new StreamNotFoundError(id.key, this.id);
    return new Stream(this, id);
  }

  async getOrCreateStream(idLike: StreamIdLike): Promise<Stream> {
    return await this.getStream(idLike);
  }

  async hasStream(idLike: StreamIdLike): Promise<boolean> {
    return await this.#store.hasStream(StreamId.from(idLike));
  }

  async findStreams(filter: StreamFilter = {}): Promise<Stream[]> {
    return (await this.#store.listStreams(filter)).map((id) => new Stream(this, id));
  }

  purgeStream(_id: StreamIdLike, _options?: PurgeOptions): Promise<void> {
    return Promise.reject(new ChannelReadOnlyError(this.id, 'purge streams'));
  }

  purgeAll(_options?: PurgeOptions): Promise<void> {
    return Promise.reject(new ChannelReadOnlyError(this.id, 'purge streams'));
  }

  writeInstances(_id: StreamIdLike, _instances: readonly StreamInstance[]): Promise<number> {
    return Promise.reject(new ChannelReadOnlyError(this.id, 'write instances'));
  }

  readBatches(
    idLike: StreamIdLike,
    interval: TimeInterval,
    options?: ReadOptions,
  ): AsyncIterable<readonly StreamInstance[]> {
    const id = StreamId.from(idLike);
    this.#checkAvailable(id, interval);
    return this.#store.read(id, interval, options);
  }

  /** A window as column batches (zero-copy views of the memory store). */
  readColumns(
    idLike: StreamIdLike,
    interval: TimeInterval,
    options?: ColumnReadOptions,
  ): AsyncIterable<Batch> {
    const id = StreamId.from(idLike);
    this.#checkAvailable(id, interval);
    return this.#store.readColumns(id, interval, options);
  }

  async *getResults(idLike: StreamIdLike, interval: TimeInterval): AsyncIterable<StreamInstance> {
    for await (const batch of this.readBatches(idLike, interval)) yield* batch;
  }

  async count(idLike: StreamIdLike, interval: TimeInterval): Promise<number> {
    const id = StreamId.from(idLike);
    this.#checkAvailable(id, interval);
    return await this.#store.count(id, interval);
  }

  async getCalculatedIntervals(idLike: StreamIdLike): Promise<TimeIntervals> {
    if (!(await this.hasStream(idLike)) || this.#upTo === MIN_DATE) return TimeIntervals.EMPTY;
    return TimeIntervals.of(new TimeInterval(MIN_DATE, this.#upTo));
  }

  addCalculatedIntervals(
    _id: StreamIdLike,
    _intervals: TimeIntervals | TimeInterval,
  ): Promise<TimeIntervals> {
    return Promise.reject(new ChannelReadOnlyError(this.id, 'record calculated intervals'));
  }

  /** What is readable, unstamped: nothing here is computed by a factor. */
  async getCalculatedRanges(idLike: StreamIdLike): Promise<CalculatedRanges> {
    return CalculatedRanges.of(await this.getCalculatedIntervals(idLike));
  }

  changeCalculatedRanges(): Promise<CalculatedRanges> {
    return Promise.reject(new ChannelReadOnlyError(this.id, 'record calculated intervals'));
  }

  /** Nothing is written here. */
  watchWrites(): () => void {
    return () => undefined;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #checkAvailable(id: StreamId, interval: TimeInterval): void {
    if (interval.end > this.#upTo) {
      throw new StreamNotAvailableError(id.key, this.id, interval.end, this.#upTo);
    }
  }
}
