import type { AnyBulkWriteOperation, Collection, Db, Filter, WriteError } from 'mongodb';
import { BSON, MongoBulkWriteError, MongoClient } from 'mongodb';
import { InvalidArgumentError, StorageError } from '../../errors.js';
import type { Batch } from '../../streams/batch.js';
import { batchToInstances, checkBatchTimestamps } from '../../streams/batch.js';
import { BatchBuilder } from '../../streams/batch-builder.js';
import type { StreamId } from '../../streams/stream-id.js';
import type { StreamInstance } from '../../streams/stream-instance.js';
import type { TimeInterval } from '../../time/time-interval.js';
import { MAX_DATE, MIN_DATE } from '../../time/timestamp.js';
import type { TimeIntervals } from '../../time/time-intervals.js';
import { CalculatedRanges } from '../calculated-ranges.js';
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
  IntervalsDocument,
  InvalidDocumentReport,
} from './mongo-documents.js';
import {
  batchToDocuments,
  insertIfAbsent,
  newDefinition,
  parseDefinition,
  parseIntervals,
  rangesToDocument,
  toInstanceDocuments,
} from './mongo-documents.js';
import { DUPLICATE_KEY, toStorageError } from './mongo-errors.js';
import { ensureIndexes } from './mongo-indexes.js';
import type { MongoServerProfile } from './mongo-server.js';
import { serverProfile } from './mongo-server.js';

/** Collection names of one store; each channel should have its own pair. */
export interface MongoCollectionNames {
  /** Stream instances. Default `streams`. */
  readonly instances?: string;
  /** Stream definitions. Default `stream_definitions`. */
  readonly definitions?: string;
  /** Versions of the streams' calculated intervals. Default: the definitions' name + `_intervals`. */
  readonly intervals?: string;
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
/** Every this many interval versions of a stream, its old versions are deleted. */
const PRUNE_VERSIONS_EVERY = 16;
/** A version is deleted once a newer one exists and it is this old (see {@link IntervalsDocument}). */
const PRUNE_AFTER_MS = 10 * 60_000;
/**
 * An interval change whose read and insert lie further apart than this is not trusted: it fails
 * with a retryable error instead (see {@link IntervalsDocument}). Well under PRUNE_AFTER_MS, so
 * that clocks may differ by minutes.
 */
const MAX_CHANGE_MS = 60_000;
/** Versions are int32s, so that every server orders them alike inside the compound `_id`. */
const MAX_VERSION = 2_147_483_647;

/**
 * Streams in MongoDB: instances in one collection keyed by `_id: {s: stream key, t: Date}`,
 * definitions (name, meta-data, channel, times) in another, and the versions of each stream's
 * calculated intervals in a third, keyed by `_id: {s: stream key, v: version}`.
 *
 * @remarks
 * - Writes are unordered bulk writes in batches: first a plain `insertMany` (as fast as the raw
 *   driver); instances already present are then replaced by `_id`, so a recompute never duplicates.
 *   A write resolves only once the server acknowledged every batch.
 * - Reads are cursors over the `_id` range `({s, start}, {s, end}]`, sorted on `_id` (reversed for
 *   `last`/`tail`) with the limit sent to the server, yielded batch by batch.
 * - Calculated intervals change by inserting the next version (a compare-and-set on the unique
 *   `_id`, see {@link IntervalsDocument}), retried on conflict, so concurrent writers (other
 *   processes too) never lose an interval.
 * - The server is probed once (`buildInfo`); on FerretDB v1 values it cannot store are refused up
 *   front, and rewrites write only the values that changed (see {@link MongoServerProfile}).
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
  readonly intervals: Collection<IntervalsDocument>;
  readonly #writeBatchSize: number;
  readonly #onInvalid: (report: InvalidDocumentReport) => void;
  readonly #ownedClient: MongoClient | undefined;
  readonly #lastAccessed = new Map<string, number>();
  readonly #db: Db;
  #ready: Promise<void> | undefined;
  #server: MongoServerProfile | undefined;

  constructor(db: Db, options: MongoStreamStoreOptions, ownedClient?: MongoClient) {
    this.channelId = options.channelId;
    this.#db = db;
    const bson = { ignoreUndefined: true, promoteBuffers: true } as const;
    this.instances = db.collection<InstanceDocument>(
      options.collections?.instances ?? 'streams',
      bson,
    );
    this.definitions = db.collection<DefinitionDocument>(
      options.collections?.definitions ?? 'stream_definitions',
      bson,
    );
    this.intervals = db.collection<IntervalsDocument>(
      options.collections?.intervals ?? `${this.definitions.collectionName}_intervals`,
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

  /** Learns what the server can store and creates the indexes (idempotent); every operation awaits this once. */
  async init(): Promise<void> {
    this.#ready ??= this.#guard('index creation', {}, async () => {
      this.#server = await serverProfile(this.#db);
      await ensureIndexes(this.definitions);
    }).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
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
            ...insertIfAbsent(newDefinition(id, this.channelId, now)),
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
        : // Whole {k, v} elements, which every server matches (FerretDB v1 runs no $elemMatch).
          { meta: { $all: pairs.map(([k, v]) => ({ k, v })) } }),
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
    // The intervals go first (no interval may outlive its data): an empty version is added, and
    // the old ones deleted. Then the definition, then the data.
    const { version } = await this.#changeRanges(id, () => CalculatedRanges.EMPTY);
    await this.#guard('stream deletion', this.#details(id), async () => {
      await this.#prune(id.key, version);
      await this.definitions.deleteOne({ _id: id.key });
      await this.instances.deleteMany(windowFilter(id.key, undefined));
    });
  }

  async write(id: StreamId, instances: readonly StreamInstance[]): Promise<number> {
    await this.init();
    await this.#writeDocuments(id, toInstanceDocuments(id, instances, this.#server));
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
    await this.init();
    await this.#writeDocuments(id, batchToDocuments(id, batch, this.#server));
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
    return (await this.getCalculatedRanges(id)).intervals;
  }

  async getCalculatedRanges(id: StreamId): Promise<CalculatedRanges> {
    await this.init();
    return (await this.#loadRanges(id)).ranges;
  }

  async changeCalculatedRanges(
    id: StreamId,
    change: (current: CalculatedRanges) => CalculatedRanges,
  ): Promise<CalculatedRanges> {
    return (await this.#changeRanges(id, change)).ranges;
  }

  async addCalculatedIntervals(id: StreamId, intervals: TimeIntervals): Promise<TimeIntervals> {
    return (await this.changeCalculatedRanges(id, (current) => current.add(intervals))).intervals;
  }

  async removeCalculatedIntervals(id: StreamId, intervals: TimeIntervals): Promise<TimeIntervals> {
    return (await this.changeCalculatedRanges(id, (current) => current.remove(intervals)))
      .intervals;
  }

  async close(): Promise<void> {
    await this.#ownedClient?.close();
  }

  /** Inserts; instances that already exist are replaced. Returns how many already existed. */
  async #insertOrReplace(batch: InstanceDocument[]): Promise<number> {
    const existing = await this.#insert(batch);
    if (existing.length > 0) await this.#replace(existing);
    return existing.length;
  }

  /** Inserts what is new; returns the documents that exist already (left as they are). */
  async #insert(batch: InstanceDocument[]): Promise<InstanceDocument[]> {
    try {
      await this.instances.insertMany(batch, { ordered: false });
      return [];
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors: readonly WriteError[] = isWriteErrorList(error.writeErrors)
        ? error.writeErrors
        : [error.writeErrors];
      if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== DUPLICATE_KEY))
        throw error;
      return writeErrors.map((e) => batch[e.index]!);
    }
  }

  /** Replaces (or inserts) every document of the batch, by `_id`. */
  async #replace(batch: InstanceDocument[]): Promise<void> {
    if (this.#server?.replaceScansCollection) {
      await this.#replaceChanged(batch);
      return;
    }
    await this.#replaceEach(batch);
  }

  /**
   * On a server where a replace scans the collection (FerretDB v1): reads the batch's time range
   * once and writes only what differs from what is stored, new documents by insert. A recompute
   * that gives the same values (a re-run, a concurrent runner) then writes nothing; a changed value
   * is still replaced in place, never deleted and inserted, so a reader never finds it missing.
   */
  async #replaceChanged(batch: InstanceDocument[]): Promise<void> {
    let first = batch[0]!._id.t;
    let last = first;
    for (const { _id } of batch) {
      if (_id.t < first) first = _id.t;
      if (_id.t > last) last = _id.t;
    }
    const key = batch[0]!._id.s;
    const stored = new Map<number, Buffer>();
    for (const doc of await this.instances
      .find({ _id: { $gte: { s: key, t: first }, $lte: { s: key, t: last } } })
      .toArray()) {
      stored.set(doc._id.t.getTime(), valueBytes(doc.v));
    }
    const absent: InstanceDocument[] = [];
    const changed: InstanceDocument[] = [];
    for (const doc of batch) {
      const bytes = stored.get(doc._id.t.getTime());
      if (bytes === undefined) absent.push(doc);
      else if (!bytes.equals(valueBytes(doc.v))) changed.push(doc);
    }
    // Documents inserted meanwhile by another writer are replaced as well.
    if (absent.length > 0) changed.push(...(await this.#insert(absent)));
    await this.#replaceEach(changed);
  }

  /** Upserts each document by `_id`: unordered bulk writes of at most the server's statements per command. */
  async #replaceEach(batch: InstanceDocument[]): Promise<void> {
    const size = this.#server?.maxUpdateStatements ?? batch.length;
    for (let i = 0; i < batch.length; i += size) {
      const operations: AnyBulkWriteOperation<InstanceDocument>[] = batch
        .slice(i, i + size)
        .map((doc) => ({
          replaceOne: { filter: { _id: doc._id }, replacement: { v: doc.v }, upsert: true },
        }));
      await this.instances.bulkWrite(operations, { ordered: false });
    }
  }

  /**
   * Applies `change` to the newest version of the stream's ranges by inserting the next
   * version; a concurrent change that inserted it first makes this one read again and redo.
   * A change from no ranges to some makes sure the stream's definition exists.
   */
  async #changeRanges(
    id: StreamId,
    change: (current: CalculatedRanges) => CalculatedRanges,
  ): Promise<{ ranges: CalculatedRanges; version: number }> {
    await this.init();
    const details = this.#details(id);
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const started = performance.now();
      const current = await this.#loadRanges(id);
      const next = change(current.ranges);
      if (next.equals(current.ranges)) return current;
      if (current.ranges.isEmpty && !next.isEmpty) await this.ensureStream(id);
      const version = current.version + 1;
      if (version > MAX_VERSION) {
        throw new StorageError(
          `calculated intervals of stream "${id.key}" in channel "${this.channelId}" have reached the last version (${MAX_VERSION})`,
          details,
        );
      }
      const inserted = await this.#guard('calculated-interval update', details, async () => {
        try {
          await this.intervals.insertOne({
            _id: { s: id.key, v: version },
            intervals: rangesToDocument(next),
            at: new Date(),
          });
          return true;
        } catch (error) {
          if ((error as { code?: unknown }).code === DUPLICATE_KEY) return false;
          throw error;
        }
      });
      if (inserted) {
        if (performance.now() - started > MAX_CHANGE_MS) {
          throw new StorageError(
            `the calculated intervals of stream "${id.key}" in channel "${this.channelId}" were read more than ` +
              `${MAX_CHANGE_MS / 1000} s before the change was acknowledged, so whether it took effect is not ` +
              'certain; check that the server keeps up and retry',
            details,
            undefined,
            true,
          );
        }
        if (version % PRUNE_VERSIONS_EVERY === 0) {
          await this.#guard('calculated-interval pruning', details, () =>
            this.#prune(id.key, version),
          );
        }
        return { ranges: next, version };
      }
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

  /** Deletes the stream's interval versions below `newest` that are old enough (see {@link IntervalsDocument}). */
  async #prune(key: string, newest: number): Promise<void> {
    if (newest <= 1) return;
    await this.intervals.deleteMany({
      ...versionsOf(key, newest),
      at: { $lt: new Date(Date.now() - PRUNE_AFTER_MS) },
    });
  }

  /** The newest version of the stream's intervals (version 0, empty, when it has none). */
  async #loadRanges(id: StreamId): Promise<{ ranges: CalculatedRanges; version: number }> {
    const raw = await this.#guard('calculated-interval lookup', this.#details(id), () =>
      this.intervals.findOne(versionsOf(id.key), { sort: { _id: -1 } }),
    );
    if (raw === null) return { ranges: CalculatedRanges.EMPTY, version: 0 };
    const parsed = parseIntervals(raw);
    if (!parsed.ok) {
      throw new StorageError(
        `calculated intervals of stream "${id.key}" in collection "${this.intervals.collectionName}" are corrupt ` +
          `(document ${JSON.stringify(raw._id)}): ${parsed.problem}; repair or delete the document`,
        {
          ...this.#details(id),
          collection: this.intervals.collectionName,
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

/** A value's BSON, to compare a stored value with a new one. */
function valueBytes(value: unknown): Buffer {
  return Buffer.from(BSON.serialize({ v: value }, { ignoreUndefined: true }));
}

function isWriteErrorList(
  errors: WriteError | readonly WriteError[],
): errors is readonly WriteError[] {
  return Array.isArray(errors);
}

/** The `_id` range of a stream's interval versions, all or those below `below`. */
function versionsOf(key: string, below?: number): Filter<IntervalsDocument> {
  return {
    _id: {
      $gte: { s: key, v: 0 },
      ...(below === undefined
        ? { $lte: { s: key, v: MAX_VERSION } }
        : { $lt: { s: key, v: below } }),
    },
  };
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
