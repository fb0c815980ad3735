import type { AnyBulkWriteOperation, Collection, Db, Filter, WriteError } from 'mongodb';
import { MongoBulkWriteError, MongoClient } from 'mongodb';
import { InvalidArgumentError, StorageError } from '../../errors.js';
import type { Batch } from '../../streams/batch.js';
import { batchToInstances, checkBatchTimestamps } from '../../streams/batch.js';
import { BatchBuilder } from '../../streams/batch-builder.js';
import type { StreamId } from '../../streams/stream-id.js';
import type { StreamInstance } from '../../streams/stream-instance.js';
import type { TimeInterval } from '../../time/time-interval.js';
import { MAX_DATE, MIN_DATE } from '../../time/timestamp.js';
import { TimeIntervals } from '../../time/time-intervals.js';
import type {
  ColumnReadOptions,
  ReadOptions,
  StreamFilter,
  StreamStore,
  StreamStoreCapabilities,
} from '../stream-store.js';
import type {
  DefinitionDocument,
  InstanceDocument,
  InvalidDocumentReport,
} from './mongo-documents.js';
import {
  batchToDocuments,
  intervalsToDocument,
  newDefinition,
  parseDefinition,
  toInstanceDocuments,
} from './mongo-documents.js';
import { DUPLICATE_KEY, toStorageError } from './mongo-errors.js';
import { ensureIndexes } from './mongo-indexes.js';

/** Collection names of one store; each channel should have its own pair. */
export interface MongoCollectionNames {
  /** Stream instances. Default `streams`. */
  readonly instances?: string;
  /** Stream definitions with their calculated intervals. Default `stream_definitions`. */
  readonly definitions?: string;
}

/** Options for {@link MongoStreamStore}. */
export interface MongoStreamStoreOptions {
  /** The channel the streams belong to (recorded in each definition and in error details). */
  readonly channelId: string;
  readonly collections?: MongoCollectionNames;
  /** Documents per bulk write. Default 10,000. */
  readonly writeBatchSize?: number;
  /** Called for every corrupt document met while loading (it is then skipped). Default: a process warning. */
  readonly onInvalidDocument?: (report: InvalidDocumentReport) => void;
}

/** Options for {@link createMongoStore}. */
export interface CreateMongoStoreOptions extends MongoStreamStoreOptions {
  readonly uri: string;
  readonly database: string;
}

const DEFAULT_WRITE_BATCH = 10_000;
const DEFAULT_READ_BATCH = 4096;
const MAX_CAS_ATTEMPTS = 200;
const LAST_ACCESSED_EVERY_MS = 60_000;

/**
 * Streams in MongoDB: instances in one collection keyed by `_id: {s: stream key, t: Date}`,
 * definitions (name, meta-data, channel, calculated intervals, version, times) in another.
 *
 * @remarks
 * - Writes are unordered bulk writes in batches: first a plain `insertMany` (as fast as the raw
 *   driver); instances already present are then replaced by `_id`, so a recompute never duplicates.
 *   A write resolves only once the server acknowledged every batch.
 * - Reads are cursors over the `_id` range `({s, start}, {s, end}]`, sorted on `_id` (reversed for
 *   `last`/`tail`) with the limit sent to the server, yielded batch by batch.
 * - Calculated intervals change by compare-and-set on the definition's `version`, retried on
 *   conflict, so concurrent writers (other processes too) never lose an interval.
 * - The caller owns the `Db`'s client unless the store was made by {@link createMongoStore}.
 *
 * @example
 * const store = new MongoStreamStore(client.db('hyperstream'), { channelId: 'mongo' });
 */
export class MongoStreamStore implements StreamStore {
  readonly capabilities: StreamStoreCapabilities = { atomicIntervalMerge: true, persistent: true };
  readonly channelId: string;
  readonly instances: Collection<InstanceDocument>;
  readonly definitions: Collection<DefinitionDocument>;
  readonly #writeBatchSize: number;
  readonly #onInvalid: (report: InvalidDocumentReport) => void;
  readonly #ownedClient: MongoClient | undefined;
  readonly #lastAccessed = new Map<string, number>();
  #ready: Promise<void> | undefined;

  constructor(db: Db, options: MongoStreamStoreOptions, ownedClient?: MongoClient) {
    this.channelId = options.channelId;
    const bson = { ignoreUndefined: true, promoteBuffers: true } as const;
    this.instances = db.collection<InstanceDocument>(
      options.collections?.instances ?? 'streams',
      bson,
    );
    this.definitions = db.collection<DefinitionDocument>(
      options.collections?.definitions ?? 'stream_definitions',
      bson,
    );
    const batch = options.writeBatchSize ?? DEFAULT_WRITE_BATCH;
    if (!Number.isInteger(batch) || batch < 1) {
      throw new InvalidArgumentError(
        `invalid writeBatchSize ${batch}: expected a positive whole number`,
      );
    }
    this.#writeBatchSize = batch;
    this.#onInvalid =
      options.onInvalidDocument ??
      ((report) =>
        process.emitWarning(
          `skipped corrupt document ${JSON.stringify(report.id)} in collection "${report.collection}": ${report.problem}`,
          { code: 'HYPERSTREAM_INVALID_DOCUMENT' },
        ));
    this.#ownedClient = ownedClient;
  }

  /** Creates the indexes (idempotent); every operation awaits this once. */
  async init(): Promise<void> {
    this.#ready ??= this.#guard('index creation', {}, () => ensureIndexes(this.definitions)).catch(
      (error: unknown) => {
        this.#ready = undefined;
        throw error;
      },
    );
    await this.#ready;
  }

  async ensureStream(id: StreamId): Promise<boolean> {
    return await this.#upsertDefinition(id, false);
  }

  /** Creates the definition if absent (and stamps `lastUpdated` when asked); true when created. */
  async #upsertDefinition(id: StreamId, updated: boolean): Promise<boolean> {
    await this.init();
    return await this.#guard('stream creation', this.#details(id), async () => {
      try {
        const now = new Date();
        const result = await this.definitions.updateOne(
          { _id: id.key },
          {
            $setOnInsert: newDefinition(id, this.channelId, now),
            ...(updated ? { $set: { lastUpdated: now } } : {}),
          },
          { upsert: true },
        );
        return result.upsertedCount === 1;
      } catch (error) {
        // Two creators racing on one key: the loser sees a duplicate key, and the stream exists.
        if ((error as { code?: unknown }).code === DUPLICATE_KEY) return false;
        throw error;
      }
    });
  }

  async hasStream(id: StreamId): Promise<boolean> {
    await this.init();
    return await this.#guard('stream lookup', this.#details(id), async () => {
      return (await this.definitions.findOne({ _id: id.key }, { projection: { _id: 1 } })) !== null;
    });
  }

  async listStreams(filter: StreamFilter = {}): Promise<StreamId[]> {
    await this.init();
    const pairs = Object.entries(filter.meta ?? {});
    // Filter values are data: only strings can match (as in memory), so an object a caller slipped
    // in, such as { $gt: '' }, never reaches the query as an operator.
    if (filter.name !== undefined && typeof filter.name !== 'string') return [];
    if (pairs.some(([, v]) => typeof v !== 'string')) return [];
    const query: Filter<DefinitionDocument> = {
      ...(filter.name === undefined ? {} : { name: filter.name }),
      ...(pairs.length === 0
        ? {}
        : { meta: { $all: pairs.map(([k, v]) => ({ $elemMatch: { k, v } })) } }),
    };
    return await this.#guard('stream listing', { channel: this.channelId }, async () => {
      const ids: StreamId[] = [];
      for await (const raw of this.definitions.find(query)) {
        const parsed = parseDefinition(raw);
        if (!parsed.ok) {
          this.#onInvalid({
            collection: this.definitions.collectionName,
            id: raw._id,
            problem: parsed.problem,
          });
          continue;
        }
        ids.push(parsed.id);
      }
      return ids;
    });
  }

  async deleteStream(id: StreamId): Promise<void> {
    await this.init();
    await this.#guard('stream deletion', this.#details(id), async () => {
      // The definition (with its intervals) goes first: no interval may outlive its data.
      await this.definitions.deleteOne({ _id: id.key });
      await this.instances.deleteMany(windowFilter(id.key, undefined));
    });
  }

  async write(id: StreamId, instances: readonly StreamInstance[]): Promise<number> {
    await this.#writeDocuments(id, toInstanceDocuments(id, instances));
    return instances.length;
  }

  /**
   * Writes a column batch: documents made from the columns in bulk (storability checked once per
   * column type, strings once per dictionary entry), then the same bulk writes as `write`.
   */
  async writeBatch(id: StreamId, batch: Batch): Promise<number> {
    const increasing = checkBatchTimestamps(batch, id.key);
    // Out of order or repeated timestamps (rare): the instance path de-duplicates, last row winning.
    if (!increasing) return await this.write(id, batchToInstances(batch));
    await this.#writeDocuments(id, batchToDocuments(id, batch));
    return batch.length;
  }

  async #writeDocuments(id: StreamId, documents: InstanceDocument[]): Promise<void> {
    // Definition first, so that a crash never leaves data no definition points to; one round trip
    // also stamps `lastUpdated` (the time the write began).
    await this.#upsertDefinition(id, documents.length > 0);
    await this.#guard('write', this.#details(id), async () => {
      let replaceAll = false;
      for (let i = 0; i < documents.length; i += this.#writeBatchSize) {
        const batch = documents.slice(i, i + this.#writeBatchSize);
        if (replaceAll) {
          await this.#replace(batch);
          continue;
        }
        // Mostly rewrites (a recompute): skip the insert attempt for the rest of this write.
        replaceAll = (await this.#insertOrReplace(batch)) * 2 > batch.length;
      }
    });
  }

  async *read(
    id: StreamId,
    interval: TimeInterval,
    options: ReadOptions = {},
  ): AsyncIterable<readonly StreamInstance[]> {
    for await (const documents of this.#documents(id, interval, options)) {
      yield documents.map((doc) => ({ timestamp: doc._id.t.getTime(), value: doc.v }));
    }
  }

  /** A window as column batches: the documents' values go straight into column builders. */
  async *readColumns(
    id: StreamId,
    interval: TimeInterval,
    options: ColumnReadOptions = {},
  ): AsyncIterable<Batch> {
    for await (const documents of this.#documents(id, interval, options)) {
      const builder = new BatchBuilder(documents.length);
      for (const doc of documents) builder.appendInstance(doc._id.t.getTime(), doc.v);
      yield builder.view();
    }
  }

  /** The window's documents, batch by batch (corrupt ones reported and skipped). */
  async *#documents(
    id: StreamId,
    interval: TimeInterval,
    options: ReadOptions,
  ): AsyncIterable<InstanceDocument[]> {
    // 0 below means "no limit" (the driver's convention).
    const limit = options.limit === undefined || options.limit === Infinity ? 0 : options.limit;
    if (!Number.isInteger(limit) || limit < 0) {
      throw new InvalidArgumentError(`invalid read limit ${limit}: expected a whole number >= 0`);
    }
    if (options.limit === 0) return;
    const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_READ_BATCH));
    await this.init();
    await this.#touch(id);
    // No `limit: 0`: the driver then sends getMore without a batch size, and a server may answer
    // with the whole rest of the window at once (mongo-java-server does), unbounded in memory.
    const cursor = this.instances.find(windowFilter(id.key, interval), {
      sort: { _id: options.reverse ? -1 : 1 },
      ...(limit > 0 ? { limit, batchSize: Math.min(limit, batchSize) } : { batchSize }),
    });
    try {
      let batch: InstanceDocument[] = [];
      for (;;) {
        const more = await this.#guard('read', this.#details(id), () => cursor.hasNext());
        if (!more) break;
        for (const doc of cursor.readBufferedDocuments() as Partial<InstanceDocument>[]) {
          // The _id range admits only Date times; a document without a value is corrupt.
          if (!doc._id || !('v' in doc)) {
            this.#onInvalid({
              collection: this.instances.collectionName,
              id: doc._id,
              problem: 'no value (field "v")',
            });
            continue;
          }
          batch.push(doc as InstanceDocument);
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      await cursor.close();
    }
  }

  async count(id: StreamId, interval: TimeInterval): Promise<number> {
    await this.init();
    return await this.#guard('count', this.#details(id), () =>
      this.instances.countDocuments(windowFilter(id.key, interval)),
    );
  }

  async deleteData(id: StreamId, interval?: TimeInterval): Promise<number> {
    await this.init();
    return await this.#guard('delete', this.#details(id), async () => {
      const result = await this.instances.deleteMany(windowFilter(id.key, interval));
      return result.deletedCount;
    });
  }

  async getCalculatedIntervals(id: StreamId): Promise<TimeIntervals> {
    await this.init();
    return (await this.#loadIntervals(id))?.intervals ?? TimeIntervals.EMPTY;
  }

  async addCalculatedIntervals(id: StreamId, intervals: TimeIntervals): Promise<TimeIntervals> {
    return await this.#changeIntervals(id, (current) => current.union(intervals), true);
  }

  async removeCalculatedIntervals(id: StreamId, intervals: TimeIntervals): Promise<TimeIntervals> {
    return await this.#changeIntervals(id, (current) => current.difference(intervals), false);
  }

  async close(): Promise<void> {
    await this.#ownedClient?.close();
  }

  /** Inserts; instances that already exist are replaced. Returns how many already existed. */
  async #insertOrReplace(batch: InstanceDocument[]): Promise<number> {
    try {
      await this.instances.insertMany(batch, { ordered: false });
      return 0;
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors: readonly WriteError[] = isWriteErrorList(error.writeErrors)
        ? error.writeErrors
        : [error.writeErrors];
      if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== DUPLICATE_KEY))
        throw error;
      await this.#replace(writeErrors.map((e) => batch[e.index]!));
      return writeErrors.length;
    }
  }

  async #replace(batch: InstanceDocument[]): Promise<void> {
    const operations: AnyBulkWriteOperation<InstanceDocument>[] = batch.map((doc) => ({
      replaceOne: { filter: { _id: doc._id }, replacement: { v: doc.v }, upsert: true },
    }));
    await this.instances.bulkWrite(operations, { ordered: false });
  }

  async #changeIntervals(
    id: StreamId,
    change: (current: TimeIntervals) => TimeIntervals,
    createMissing: boolean,
  ): Promise<TimeIntervals> {
    await this.init();
    const details = this.#details(id);
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const loaded = await this.#loadIntervals(id);
      if (!loaded) {
        if (!createMissing) return TimeIntervals.EMPTY;
        await this.ensureStream(id);
        continue;
      }
      const next = change(loaded.intervals);
      if (next.equals(loaded.intervals)) return next;
      const result = await this.#guard('calculated-interval update', details, () =>
        this.definitions.updateOne(
          { _id: id.key, version: loaded.version },
          {
            $set: { calculatedIntervals: intervalsToDocument(next), lastUpdated: new Date() },
            $inc: { version: 1 },
          },
        ),
      );
      if (result.matchedCount === 1) return next;
      // Another writer changed the intervals since we read them: back off a little and redo.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 + attempt * 2)));
    }
    throw new StorageError(
      `calculated intervals of stream "${id.key}" in channel "${this.channelId}" kept changing under ` +
        `${MAX_CAS_ATTEMPTS} attempts to update them: too many concurrent writers; retry later`,
      details,
      undefined,
      true,
    );
  }

  async #loadIntervals(
    id: StreamId,
  ): Promise<{ intervals: TimeIntervals; version: number } | undefined> {
    const raw = await this.#guard('calculated-interval lookup', this.#details(id), () =>
      this.definitions.findOne({ _id: id.key }),
    );
    if (raw === null) return undefined;
    const parsed = parseDefinition(raw);
    if (!parsed.ok) {
      throw new StorageError(
        `stream definition "${id.key}" in collection "${this.definitions.collectionName}" is corrupt: ` +
          `${parsed.problem}; repair or delete the document`,
        {
          ...this.#details(id),
          collection: this.definitions.collectionName,
          problem: parsed.problem,
        },
      );
    }
    return parsed;
  }

  /** Records the last access, at most once a minute per stream (HyperStream hit the server on every read). */
  async #touch(id: StreamId): Promise<void> {
    const now = Date.now();
    if (now - (this.#lastAccessed.get(id.key) ?? -Infinity) < LAST_ACCESSED_EVERY_MS) return;
    this.#lastAccessed.set(id.key, now);
    await this.#guard('access update', this.#details(id), () =>
      this.definitions.updateOne({ _id: id.key }, { $set: { lastAccessed: new Date(now) } }),
    );
  }

  #details(id: StreamId): Record<string, unknown> {
    return { stream: id.key, channel: this.channelId };
  }

  async #guard<T>(
    operation: string,
    details: Record<string, unknown>,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toStorageError(error, operation, details);
    }
  }
}

function isWriteErrorList(
  errors: WriteError | readonly WriteError[],
): errors is readonly WriteError[] {
  return Array.isArray(errors);
}

/** The `_id` range of a stream's window `(start, end]` (all of the stream when no interval). */
function windowFilter(key: string, interval: TimeInterval | undefined): Filter<InstanceDocument> {
  if (!interval) {
    return {
      _id: { $gte: { s: key, t: new Date(MIN_DATE) }, $lte: { s: key, t: new Date(MAX_DATE) } },
    };
  }
  return {
    _id: {
      $gt: { s: key, t: new Date(interval.start) },
      $lte: { s: key, t: new Date(interval.end) },
    },
  };
}

/**
 * Opens a client and a store that owns it (closed by `close()`), with its indexes created.
 *
 * @example
 * const store = await createMongoStore({ uri: process.env.MONGODB_URI!, database: 'hyperstream', channelId: 'mongo' });
 */
export async function createMongoStore(
  options: CreateMongoStoreOptions,
): Promise<MongoStreamStore> {
  const client = new MongoClient(options.uri);
  try {
    await client.connect();
  } catch (error) {
    await client.close();
    throw toStorageError(error, 'connection', { channel: options.channelId });
  }
  const store = new MongoStreamStore(client.db(options.database), options, client);
  try {
    await store.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
