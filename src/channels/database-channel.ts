import type { Db } from 'mongodb';
import type { InvalidDocumentReport } from '../storage/mongodb/mongo-documents.js';
import type { MongoCollectionNames } from '../storage/mongodb/mongo-stream-store.js';
import { MongoStreamStore, createMongoStore } from '../storage/mongodb/mongo-stream-store.js';
import { StoreChannel } from './store-channel.js';

/** Where a database-backed channel keeps its streams: a `Db` (the caller owns the client) or a store. */
export type DatabaseChannelOptions = {
  /** Channel id. Default `mongo` (`assets` for the Assets channel). */
  readonly id?: string;
} & (
  | {
      readonly db: Db;
      readonly collections?: MongoCollectionNames;
      readonly writeBatchSize?: number;
      readonly onInvalidDocument?: (report: InvalidDocumentReport) => void;
    }
  | { readonly store: MongoStreamStore }
);

/** Options for {@link DatabaseChannel.connect}: a URI and database; the channel owns the client. */
export interface DatabaseConnectOptions {
  readonly id?: string;
  readonly uri: string;
  readonly database: string;
  readonly collections?: MongoCollectionNames;
}

/**
 * Writable streams persisted in MongoDB: instances in the `streams` collection keyed by
 * (stream, timestamp), definitions with their calculated intervals in `stream_definitions`.
 * Every behaviour is the Memory channel's (one contract suite), but the data outlives the process
 * and calculated intervals merge atomically across processes.
 *
 * @example
 * const client = await MongoClient.connect(process.env.MONGODB_URI!);
 * const mongo = new DatabaseChannel({ db: client.db('hyperstream') });
 * const means = await mongo.getOrCreateStream('sea_ice_means');
 */
export class DatabaseChannel extends StoreChannel {
  readonly #mongoStore: MongoStreamStore;

  constructor(options: DatabaseChannelOptions) {
    const id = options.id ?? 'mongo';
    const store = storeFor(id, options, DEFAULT_COLLECTIONS);
    super(id, 'database', store);
    this.#mongoStore = store;
  }

  /** Opens a client for the channel alone (closed by `close()`). */
  static async connect(options: DatabaseConnectOptions): Promise<DatabaseChannel> {
    const id = options.id ?? 'mongo';
    const store = await createMongoStore({
      uri: options.uri,
      database: options.database,
      channelId: id,
      collections: options.collections ?? DEFAULT_COLLECTIONS,
    });
    return new DatabaseChannel({ id, store });
  }

  /** Creates the indexes now instead of on first use. */
  async init(): Promise<void> {
    await this.#mongoStore.init();
  }
}

const DEFAULT_COLLECTIONS: MongoCollectionNames = {
  instances: 'streams',
  definitions: 'stream_definitions',
};

/** The store a database-backed channel uses: the given one, or a new one over `db`. */
export function storeFor(
  id: string,
  options: DatabaseChannelOptions,
  defaults: MongoCollectionNames,
): MongoStreamStore {
  if ('store' in options) return options.store;
  return new MongoStreamStore(options.db, {
    channelId: id,
    collections: options.collections ?? defaults,
    ...(options.writeBatchSize === undefined ? {} : { writeBatchSize: options.writeBatchSize }),
    ...(options.onInvalidDocument ? { onInvalidDocument: options.onInvalidDocument } : {}),
  });
}
