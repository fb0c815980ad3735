import { StreamAlreadyExistsError, StreamNotFoundError, ValueNotStorableError } from '../errors.js';
import type { CalculatedRanges } from '../storage/calculated-ranges.js';
import type {
  ColumnReadOptions,
  ReadOptions,
  StreamFilter,
  StreamStore,
} from '../storage/stream-store.js';
import type { Batch } from '../streams/batch.js';
import { batchFromInstances, batchToInstances, checkBatchTimestamps } from '../streams/batch.js';
import { Stream } from './stream.js';
import type { StreamIdLike } from '../streams/stream-id.js';
import { StreamId } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import { checkInstanceTimestamp } from '../streams/stream-instance.js';
import type { TimeIntervalJSON } from '../time/time-interval.js';
import { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import type { Channel, WriteListener } from './channel.js';
import type { PurgeOptions, WriteOptions } from './stream-access.js';

/**
 * A writable channel whose streams live in a {@link StreamStore}. Memory and database channels are
 * this class over different stores, so they share every behaviour and one contract test suite.
 */
export class StoreChannel implements Channel {
  readonly id: string;
  readonly kind: string;
  readonly writable: boolean = true;
  readonly upToTimestamp: number | undefined = undefined;
  protected readonly store: StreamStore;
  readonly #listeners = new Set<WriteListener>();

  constructor(id: string, kind: string, store: StreamStore) {
    this.id = id;
    this.kind = kind;
    this.store = store;
  }

  async createStream(idLike: StreamIdLike): Promise<Stream> {
    const id = StreamId.from(idLike);
    if (!(await this.store.ensureStream(id))) throw new StreamAlreadyExistsError(id.key, this.id);
    return new Stream(this, id);
  }

  async getStream(idLike: StreamIdLike): Promise<Stream> {
    const id = StreamId.from(idLike);
    if (!(await this.store.hasStream(id))) throw new StreamNotFoundError(id.key, this.id);
    return new Stream(this, id);
  }

  async getOrCreateStream(idLike: StreamIdLike): Promise<Stream> {
    const id = StreamId.from(idLike);
    await this.store.ensureStream(id);
    return new Stream(this, id);
  }

  async hasStream(idLike: StreamIdLike): Promise<boolean> {
    return await this.store.hasStream(StreamId.from(idLike));
  }

  async findStreams(filter: StreamFilter = {}): Promise<Stream[]> {
    return (await this.store.listStreams(filter)).map((id) => new Stream(this, id));
  }

  async purgeStream(idLike: StreamIdLike, options: PurgeOptions = {}): Promise<void> {
    const id = StreamId.from(idLike);
    if (options.removeDefinition && !options.interval) {
      await this.store.deleteStream(id);
      return;
    }
    // Forget the interval first: a reader must never see an interval claimed over deleted data.
    const span = options.interval ?? TimeInterval.allTime();
    await this.store.removeCalculatedIntervals(id, TimeIntervals.of(span));
    await this.store.deleteData(id, options.interval);
  }

  async purgeAll(options: PurgeOptions = {}): Promise<void> {
    for (const id of await this.store.listStreams()) await this.purgeStream(id, options);
  }

  async writeInstances(
    idLike: StreamIdLike,
    instances: readonly StreamInstance[],
    options: WriteOptions = {},
  ): Promise<number> {
    const id = StreamId.from(idLike);
    checkInstanceShapes(id, instances);
    if (!options.piece && this.#listeners.size && instances.length) {
      // Bad timestamps are the store's typed error, not an interval error here.
      for (const { timestamp } of instances) checkInstanceTimestamp(timestamp, id.key);
      const intervals = touched(instances.map((instance) => instance.timestamp));
      for (const listener of this.#listeners) await listener({ channel: this.id, id, intervals });
    }
    return await this.store.write(id, instances);
  }

  /**
   * Upserts the rows of a batch (columnar): the store's own batch write when it has one, else its
   * instances. Timestamps are checked in one pass over the column.
   */
  async writeBatch(
    idLike: StreamIdLike,
    batch: Batch,
    options: WriteOptions = {},
  ): Promise<number> {
    const id = StreamId.from(idLike);
    if (!options.piece && this.#listeners.size && batch.length) {
      checkBatchTimestamps(batch, id.key);
      const intervals = touched(batch.timestamps);
      for (const listener of this.#listeners) await listener({ channel: this.id, id, intervals });
    }
    if (this.store.writeBatch) return await this.store.writeBatch(id, batch);
    checkBatchTimestamps(batch, id.key);
    return await this.store.write(id, batchToInstances(batch));
  }

  /** A window as column batches, oldest first: the store's views when it has them. */
  readColumns(
    idLike: StreamIdLike,
    interval: TimeInterval,
    options: ColumnReadOptions = {},
  ): AsyncIterable<Batch> {
    const id = StreamId.from(idLike);
    if (this.store.readColumns) return this.store.readColumns(id, interval, options);
    return toColumns(
      this.store.read(id, interval, {
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      }),
    );
  }

  watchWrites(listener: WriteListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  readBatches(
    idLike: StreamIdLike,
    interval: TimeInterval,
    options?: ReadOptions,
  ): AsyncIterable<readonly StreamInstance[]> {
    return this.store.read(StreamId.from(idLike), interval, options);
  }

  async *getResults(idLike: StreamIdLike, interval: TimeInterval): AsyncIterable<StreamInstance> {
    for await (const batch of this.readBatches(idLike, interval)) yield* batch;
  }

  async count(idLike: StreamIdLike, interval: TimeInterval): Promise<number> {
    return await this.store.count(StreamId.from(idLike), interval);
  }

  async getCalculatedIntervals(idLike: StreamIdLike): Promise<TimeIntervals> {
    return await this.store.getCalculatedIntervals(StreamId.from(idLike));
  }

  async addCalculatedIntervals(
    idLike: StreamIdLike,
    intervals: TimeIntervals | TimeInterval,
  ): Promise<TimeIntervals> {
    const set = intervals instanceof TimeIntervals ? intervals : TimeIntervals.of(intervals);
    return await this.store.addCalculatedIntervals(StreamId.from(idLike), set);
  }

  async getCalculatedRanges(idLike: StreamIdLike): Promise<CalculatedRanges> {
    return await this.store.getCalculatedRanges(StreamId.from(idLike));
  }

  async changeCalculatedRanges(
    idLike: StreamIdLike,
    change: (current: CalculatedRanges) => CalculatedRanges,
  ): Promise<CalculatedRanges> {
    return await this.store.changeCalculatedRanges(StreamId.from(idLike), change);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

async function* toColumns(batches: AsyncIterable<readonly StreamInstance[]>): AsyncIterable<Batch> {
  for await (const batch of batches) if (batch.length > 0) yield batchFromInstances(batch);
}

/**
 * `(t - 1, t]` around each timestamp, merged (timestamps are whole milliseconds). Batches come
 * sorted as a rule, so a sorted copy is made only for timestamps out of order.
 */
function touched(times: ArrayLike<number>): TimeIntervals {
  const timestamps = inOrder(times) ? times : Float64Array.from(times).sort();
  const intervals: TimeIntervalJSON[] = [];
  let start = timestamps[0]! - 1;
  let end = timestamps[0]!;
  for (let i = 1; i < timestamps.length; i++) {
    const t = timestamps[i]!;
    if (t - 1 > end) {
      intervals.push({ start, end });
      start = t - 1;
    }
    end = t;
  }
  intervals.push({ start, end });
  return TimeIntervals.fromSorted(intervals);
}

function inOrder(times: ArrayLike<number>): boolean {
  for (let i = 1; i < times.length; i++) if (times[i]! < times[i - 1]!) return false;
  return true;
}

/** Rejects anything but an array of `{ timestamp, value }` objects before a store sees it. */
function checkInstanceShapes(id: StreamId, instances: unknown): void {
  if (!Array.isArray(instances)) {
    throw new ValueNotStorableError(
      `cannot write to stream "${id.key}": expected an array of { timestamp, value }, got ${instances === null ? 'null' : typeof instances}`,
      { stream: id.key },
    );
  }
  for (let i = 0; i < instances.length; i++) {
    const item: unknown = instances[i];
    if (typeof item !== 'object' || item === null) {
      throw new ValueNotStorableError(
        `cannot write to stream "${id.key}": item ${i} is ${item === null ? 'null' : typeof item}, not a { timestamp, value } object`,
        { stream: id.key, index: i },
      );
    }
  }
}
