import type { Table } from 'apache-arrow';
import type { Batch } from '../streams/batch.js';
import type { StreamReader } from './stream-access.js';
import { readColumnsOf } from './stream-access.js';
import { arrowTable, loadArrow } from './arrow.js';
import type { Columns } from './columns.js';
import { readColumns } from './columns.js';
import type { TimeInterval } from '../time/time-interval.js';
import type { StreamId } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';

/**
 * A window `(start, end]` of a stream. Reads are lazy: iterating pulls batches from the channel
 * (a cursor for databases); `first`/`last`/`head`/`tail` read only what they return.
 *
 * @example
 * const view = stream.window('2016-04-28T20:00:00Z/PT1H');
 * for await (const { timestamp, value } of view) console.log(timestamp, value);
 * const latest = await view.last();
 */
export class StreamView<T = unknown> implements AsyncIterable<StreamInstance<T>> {
  readonly channel: StreamReader;
  readonly streamId: StreamId;
  readonly interval: TimeInterval;

  constructor(channel: StreamReader, streamId: StreamId, interval: TimeInterval) {
    this.channel = channel;
    this.streamId = streamId;
    this.interval = interval;
  }

  /** Instances in batches (fastest way to consume a large window). */
  batches(batchSize?: number): AsyncIterable<readonly StreamInstance<T>[]> {
    return this.channel.readBatches(
      this.streamId,
      this.interval,
      batchSize ? { batchSize } : {},
    ) as AsyncIterable<readonly StreamInstance<T>[]>;
  }

  /**
   * The window as batches of typed columns, oldest first: zero-copy views of a memory stream, and
   * the way hot tools read (no object per instance). Other channels' instances are converted.
   */
  columns(
    options: { readonly batchSize?: number; readonly limit?: number } = {},
  ): AsyncIterable<Batch> {
    return readColumnsOf(this.channel, this.streamId, this.interval, options);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamInstance<T>> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** Lazy iterable of the instances. */
  items(): AsyncIterable<StreamInstance<T>> {
    return this;
  }

  /** Lazy iterable of the values. */
  async *values(): AsyncIterable<T> {
    for await (const batch of this.batches()) for (const item of batch) yield item.value;
  }

  /** Lazy iterable of the timestamps. */
  async *timestamps(): AsyncIterable<number> {
    for await (const batch of this.batches()) for (const item of batch) yield item.timestamp;
  }

  /** All instances of the window in an array (for windows known to be small). */
  async toArray(): Promise<StreamInstance<T>[]> {
    const out: StreamInstance<T>[] = [];
    for await (const batch of this.batches()) for (const item of batch) out.push(item);
    return out;
  }

  /**
   * The window as columns: `timestamps` (a `Float64Array` of epoch ms) and `values` — a
   * `Float64Array` when every value is a number (`kind: 'number'`), one column per field when the
   * values are objects sharing their fields (`kind: 'fields'`; numeric fields as `Float64Array`s),
   * else an array of the values (`kind: 'values'`).
   */
  async toColumns(): Promise<Columns> {
    return (await readColumns(this.columns())).columns;
  }

  /**
   * The window as an Apache Arrow table (npm `apache-arrow`): `timestamp`
   * (Timestamp<MILLISECOND, UTC>), then `value` or one column per shared field; numbers are
   * Float64, strings Utf8, booleans Bool, anything else its JSON text. Hand it to DuckDB, Polars or
   * pandas (`tableToIPC(table)`) without a conversion loop.
   */
  async toArrow(): Promise<Table> {
    const { columns, shape } = await readColumns(this.columns());
    return arrowTable(await loadArrow(), columns, shape);
  }

  /** The earliest instance, or undefined for an empty window. */
  async first(): Promise<StreamInstance<T> | undefined> {
    return (await this.#limited(1, false))[0];
  }

  /** The latest instance, or undefined for an empty window. */
  async last(): Promise<StreamInstance<T> | undefined> {
    return (await this.#limited(1, true))[0];
  }

  /** The first `n` instances, oldest first. */
  async head(n: number): Promise<StreamInstance<T>[]> {
    return await this.#limited(n, false);
  }

  /** The last `n` instances, oldest first. */
  async tail(n: number): Promise<StreamInstance<T>[]> {
    return (await this.#limited(n, true)).reverse();
  }

  /** Number of instances in the window. */
  async count(): Promise<number> {
    return await this.channel.count(this.streamId, this.interval);
  }

  async #limited(n: number, reverse: boolean): Promise<StreamInstance<T>[]> {
    const limit = Math.max(0, Math.floor(n));
    if (limit === 0) return [];
    const batches = this.channel.readBatches(this.streamId, this.interval, {
      reverse,
      limit,
      batchSize: limit,
    }) as AsyncIterable<readonly StreamInstance<T>[]>;
    // The store was asked for `limit` in one batch: usually the first batch is the answer, so
    // take it without a loop (each extra await costs more than the read itself).
    const iterator = batches[Symbol.asyncIterator]();
    const out: StreamInstance<T>[] = [];
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        for (const item of next.value) {
          out.push(item);
          if (out.length >= limit) return out;
        }
      }
      return out;
    } finally {
      await iterator.return?.();
    }
  }
}
