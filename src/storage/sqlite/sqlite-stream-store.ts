import { InvalidArgumentError, StorageError } from '../../errors.js';
import type { Batch } from '../../streams/batch.js';
import { columnFromValues } from '../../streams/batch.js';
import { StreamId } from '../../streams/stream-id.js';
import type { StreamInstance } from '../../streams/stream-instance.js';
import { checkInstanceTimestamp } from '../../streams/stream-instance.js';
import { TimeInterval } from '../../time/time-interval.js';
import type { TimeIntervals } from '../../time/time-intervals.js';
import { CalculatedRanges, calculatedRangeSchema } from '../calculated-ranges.js';
import type {
  ColumnReadOptions,
  ReadOptions,
  StreamFilter,
  StreamStore,
  StreamStoreCapabilities,
} from '../stream-store.js';
import type { SqliteDatabase } from './sqlite-database.js';
import type { StoredValue } from './sqlite-values.js';
import { decodeValue, encodeValue } from './sqlite-values.js';

const DEFAULT_READ_BATCH = 4096;
/** Rows per INSERT statement: one call into SQLite per this many instances. */
const ROWS_PER_INSERT = 128;

const INSERT_COLUMNS = 'INSERT INTO instances (stream, t, v) VALUES ';
const UPSERT = ' ON CONFLICT (stream, t) DO UPDATE SET v = excluded.v';
const INSERT_MANY = INSERT_COLUMNS + Array(ROWS_PER_INSERT).fill('(?, ?, ?)').join(', ') + UPSERT;
const INSERT_ONE = `${INSERT_COLUMNS}(?, ?, ?)${UPSERT}`;

const SELECT_ID = 'SELECT id FROM streams WHERE channel = ? AND key = ?';
const READ_FORWARD =
  'SELECT t, v FROM instances WHERE stream = ? AND t > ? AND t <= ? ORDER BY t LIMIT ?';
const READ_REVERSE =
  'SELECT t, v FROM instances WHERE stream = ? AND t > ? AND t <= ? ORDER BY t DESC LIMIT ?';

/**
 * The streams of one channel in a hyperstream SQLite file: definitions (with their calculated
 * intervals) in table `streams`, instances in the `WITHOUT ROWID` table `instances` keyed by
 * (stream, timestamp), so a window is one range scan of the primary key.
 *
 * @remarks
 * - A write is one `BEGIN IMMEDIATE` transaction: the definition is created if needed and every
 *   instance upserted (the last at a timestamp wins), in multi-row statements. It resolves once
 *   committed, and is all or nothing.
 * - Calculated intervals change in their own `IMMEDIATE` transaction (read, merge, write), so
 *   concurrent writers, in this process or others, never lose an interval.
 * - Reads are lazy: each batch is one indexed query that resumes after the last timestamp read
 *   (no statement stays open between batches, so writes may interleave with a long read).
 *   `first`/`last`/`head`/`tail` read one small batch from either end of the index.
 * - Values read back exactly, see `sqlite-values.ts`.
 * - Made by `createSqliteBackend`; the backend owns the connection, so `close()` does nothing.
 */
export class SqliteStreamStore implements StreamStore {
  readonly capabilities: StreamStoreCapabilities;
  readonly channelId: string;
  readonly #db: SqliteDatabase;

  /** @internal use `createSqliteBackend(…).streams(channelId)`. */
  constructor(db: SqliteDatabase, channelId: string) {
    this.#db = db;
    this.channelId = channelId;
    this.capabilities = { atomicIntervalMerge: true, persistent: !db.memory };
  }

  async ensureStream(id: StreamId): Promise<boolean> {
    return await this.#db.run('stream creation', this.#details(id), () =>
      this.#insertDefinition(id),
    );
  }

  async hasStream(id: StreamId): Promise<boolean> {
    return await this.#db.run(
      'stream lookup',
      this.#details(id),
      () => this.#idOf(id) !== undefined,
    );
  }

  async listStreams(filter: StreamFilter = {}): Promise<StreamId[]> {
    if (filter.name !== undefined && typeof filter.name !== 'string') return [];
    const meta = filter.meta ?? {};
    if (Object.values(meta).some((v) => typeof v !== 'string')) return [];
    const rows = await this.#db.run('stream listing', { channel: this.channelId }, () =>
      filter.name === undefined
        ? this.#db
            .statement('SELECT key, name, meta FROM streams WHERE channel = ? ORDER BY key')
            .all(this.channelId)
        : this.#db
            .statement(
              'SELECT key, name, meta FROM streams WHERE channel = ? AND name = ? ORDER BY key',
            )
            .all(this.channelId, filter.name),
    );
    const ids: StreamId[] = [];
    for (const row of rows as { key: string; name: string; meta: string }[]) {
      const id = this.#parseId(row);
      if (id.matches(meta)) ids.push(id);
    }
    return ids;
  }

  async deleteStream(id: StreamId): Promise<void> {
    await this.#db.transaction('stream deletion', this.#details(id), () => {
      const streamId = this.#idOf(id);
      if (streamId === undefined) return;
      this.#db.statement('DELETE FROM streams WHERE id = ?').run(streamId);
      this.#db.statement('DELETE FROM instances WHERE stream = ?').run(streamId);
    });
  }

  async write(id: StreamId, instances: readonly StreamInstance[]): Promise<number> {
    // Everything is checked and encoded before the transaction: a bad value writes nothing.
    const count = instances.length;
    const times = new Array<number>(count);
    const values = new Array<StoredValue>(count);
    for (let i = 0; i < count; i++) {
      const { timestamp, value } = instances[i]!;
      checkInstanceTimestamp(timestamp, id.key);
      times[i] = timestamp;
      values[i] = encodeValue(value, id.key, timestamp);
    }
    await this.#db.transaction('write', this.#details(id), () => {
      this.#insertDefinition(id);
      const streamId = this.#idOf(id)!;
      if (count > 0) {
        this.#db
          .statement('UPDATE streams SET updated_at = ? WHERE id = ?')
          .run(Date.now(), streamId);
      }
      const many = this.#db.statement(INSERT_MANY);
      const params = new Array<unknown>(3 * ROWS_PER_INSERT);
      let i = 0;
      // Rows go in their given order, so of equal timestamps the last one wins.
      for (; i + ROWS_PER_INSERT <= count; i += ROWS_PER_INSERT) {
        for (let j = 0, k = 0; j < ROWS_PER_INSERT; j++, k += 3) {
          params[k] = streamId;
          params[k + 1] = times[i + j];
          params[k + 2] = values[i + j];
        }
        many.run(params);
      }
      const one = this.#db.statement(INSERT_ONE);
      for (; i < count; i++) one.run(streamId, times[i], values[i]);
    });
    return count;
  }

  read(
    id: StreamId,
    interval: TimeInterval,
    options: ReadOptions = {},
  ): AsyncIterable<readonly StreamInstance[]> {
    return { [Symbol.asyncIterator]: () => this.#batches(id, interval, options) };
  }

  /**
   * A window as column batches, oldest first: each query's rows decoded straight into a timestamp
   * column and the value column that suits them (no object per instance). Batches are the store's
   * copies, so later writes do not change them.
   */
  readColumns(
    id: StreamId,
    interval: TimeInterval,
    options: ColumnReadOptions = {},
  ): AsyncIterable<Batch> {
    return { [Symbol.asyncIterator]: () => this.#columnBatches(id, interval, options) };
  }

  async count(id: StreamId, interval: TimeInterval): Promise<number> {
    return await this.#db.run('count', this.#details(id), () => {
      const streamId = this.#idOf(id);
      if (streamId === undefined) return 0;
      return this.#db
        .statement('SELECT count(*) FROM instances WHERE stream = ? AND t > ? AND t <= ?')
        .pluck()
        .get(streamId, interval.start, interval.end) as number;
    });
  }

  async deleteData(id: StreamId, interval?: TimeInterval): Promise<number> {
    return await this.#db.transaction('delete', this.#details(id), () => {
      const streamId = this.#idOf(id);
      if (streamId === undefined) return 0;
      const result = interval
        ? this.#db
            .statement('DELETE FROM instances WHERE stream = ? AND t > ? AND t <= ?')
            .run(streamId, interval.start, interval.end)
        : this.#db.statement('DELETE FROM instances WHERE stream = ?').run(streamId);
      return result.changes;
    });
  }

  async getCalculatedIntervals(id: StreamId): Promise<TimeIntervals> {
    return (await this.getCalculatedRanges(id)).intervals;
  }

  async getCalculatedRanges(id: StreamId): Promise<CalculatedRanges> {
    return await this.#db.run('calculated-interval lookup', this.#details(id), () =>
      this.#loadRanges(id),
    );
  }

  async changeCalculatedRanges(
    id: StreamId,
    change: (current: CalculatedRanges) => CalculatedRanges,
  ): Promise<CalculatedRanges> {
    return await this.#db.transaction('calculated-interval update', this.#details(id), () => {
      const current = this.#loadRanges(id);
      const next = change(current);
      if (!next.equals(current)) {
        if (!next.isEmpty) this.#insertDefinition(id);
        this.#db
          .statement(
            'UPDATE streams SET calculated = ?, updated_at = ? WHERE channel = ? AND key = ?',
          )
          .run(rangesToText(next), Date.now(), this.channelId, id.key);
      }
      return next;
    });
  }

  async addCalculatedIntervals(id: StreamId, intervals: TimeIntervals): Promise<TimeIntervals> {
    return (await this.changeCalculatedRanges(id, (current) => current.add(intervals))).intervals;
  }

  async removeCalculatedIntervals(id: StreamId, intervals: TimeIntervals): Promise<TimeIntervals> {
    return (await this.changeCalculatedRanges(id, (current) => current.remove(intervals)))
      .intervals;
  }

  /** The backend owns the connection. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Batches of a window, each one indexed query resuming after the last timestamp read. */
  async *#batches(
    id: StreamId,
    interval: TimeInterval,
    options: ReadOptions,
  ): AsyncGenerator<readonly StreamInstance[], undefined> {
    for await (const rows of this.#rows(id, interval, options)) {
      const batch = new Array<StreamInstance>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        batch[i] = { timestamp: row[0], value: decodeValue(row[1]) };
      }
      yield batch;
    }
    return;
  }

  async *#columnBatches(
    id: StreamId,
    interval: TimeInterval,
    options: ColumnReadOptions,
  ): AsyncGenerator<Batch, undefined> {
    for await (const rows of this.#rows(id, interval, options)) {
      const n = rows.length;
      const timestamps = new Float64Array(n);
      const values = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const row = rows[i]!;
        timestamps[i] = row[0];
        values[i] = decodeValue(row[1]);
      }
      yield { length: n, timestamps, values: columnFromValues(values) };
    }
    return;
  }

  /** The raw rows of a window, a non-empty array per indexed query. */
  async *#rows(
    id: StreamId,
    interval: TimeInterval,
    options: ReadOptions,
  ): AsyncGenerator<[number, unknown][], undefined> {
    const limit = options.limit ?? Infinity;
    if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) {
      throw new InvalidArgumentError(`invalid read limit ${limit}: expected a whole number >= 0`);
    }
    if (limit === 0) return;
    const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_READ_BATCH));
    const details = this.#details(id);
    const streamId = await this.#db.run('read', details, () => this.#idOf(id));
    if (streamId === undefined) return;
    const reverse = options.reverse === true;
    let { start, end } = interval;
    let remaining = limit;
    while (remaining > 0 && start < end) {
      const size = Math.min(batchSize, remaining);
      const rows = await this.#db.run(
        'read',
        details,
        () =>
          this.#db
            .statement(reverse ? READ_REVERSE : READ_FORWARD)
            .raw(true)
            .all(streamId, start, end, size) as [number, unknown][],
      );
      if (rows.length > 0) yield rows;
      if (rows.length < size) return;
      remaining -= rows.length;
      const last = rows[rows.length - 1]![0];
      // Timestamps are whole milliseconds: (start, end] resumes after `last` either way.
      if (reverse) end = last - 1;
      else start = last;
    }
    return;
  }

  #insertDefinition(id: StreamId): boolean {
    const result = this.#db
      .statement(
        'INSERT INTO streams (channel, key, name, meta, created_at) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (channel, key) DO NOTHING',
      )
      .run(this.channelId, id.key, id.name, JSON.stringify(id.meta), Date.now());
    return result.changes === 1;
  }

  #idOf(id: StreamId): number | undefined {
    return this.#db.statement(SELECT_ID).pluck().get(this.channelId, id.key) as number | undefined;
  }

  #loadRanges(id: StreamId): CalculatedRanges {
    const text = this.#db
      .statement('SELECT calculated FROM streams WHERE channel = ? AND key = ?')
      .pluck()
      .get(this.channelId, id.key) as string | undefined;
    return text === undefined ? CalculatedRanges.EMPTY : this.#parseRanges(id, text);
  }

  /** `[start, end]` (written before fingerprints, or unstamped) or `[start, end, stamp]`. */
  #parseRanges(id: StreamId, text: string): CalculatedRanges {
    try {
      const items = JSON.parse(text) as unknown;
      if (!Array.isArray(items)) throw new Error('not an array');
      return CalculatedRanges.from(
        items.map((item: unknown) => {
          if (!Array.isArray(item) || item.length < 2 || item.length > 3)
            throw new Error('not a [start, end] or [start, end, stamp] item');
          const stamp: unknown = item[2] ?? {};
          return calculatedRangeSchema.parse({
            ...(typeof stamp === 'object' ? stamp : {}),
            start: new TimeInterval(item[0] as number, item[1] as number).start,
            end: item[1] as number,
          });
        }),
      );
    } catch (error) {
      throw new StorageError(
        `calculated intervals of stream "${id.key}" in channel "${this.channelId}" are corrupt in "${this.#db.path}": ` +
          `${(error as Error).message}; purge the stream to reset them`,
        this.#details(id),
        error,
      );
    }
  }

  #parseId(row: { key: string; name: string; meta: string }): StreamId {
    try {
      const id = StreamId.of(row.name, JSON.parse(row.meta) as [string, string][]);
      if (id.key === row.key) return id;
      throw new Error(`its name and meta-data give the key "${id.key}"`);
    } catch (error) {
      throw new StorageError(
        `stream definition "${row.key}" in channel "${this.channelId}" is corrupt in "${this.#db.path}": ` +
          `${(error as Error).message}; delete the stream`,
        { stream: row.key, channel: this.channelId },
        error,
      );
    }
  }

  #details(id: StreamId): Record<string, unknown> {
    return { stream: id.key, channel: this.channelId };
  }
}

function rangesToText(ranges: CalculatedRanges): string {
  return JSON.stringify(
    ranges.ranges.map(({ start, end, ...stamp }) =>
      Object.keys(stamp).length ? [start, end, stamp] : [start, end],
    ),
  );
}
