import type { Db, MongoClientOptions } from 'mongodb';
import { MongoClient } from 'mongodb';
import { InvalidArgumentError } from '../../errors.js';
import type { StorageBackend, StorageBackendOptions, StorageCapabilities } from '../backend.js';
import { checkChannelId } from '../backend.js';
import type { SessionFilter, SessionRecord } from '../session-store.js';
import type { HeartbeatSessionStore } from '../session-liveness.js';
import { TrackedSessionStore } from '../session-liveness.js';
import type { InvalidDocumentReport } from './mongo-documents.js';
import { toStorageError } from './mongo-errors.js';
import { MongoMetaDataStore } from './mongo-meta-data-store.js';
import { MongoPlateStore } from './mongo-plate-store.js';
import type { MongoRecordStoreOptions } from './mongo-record-store.js';
import { MongoSessionStore } from './mongo-session-store.js';
import type { MongoCollectionNames } from './mongo-stream-store.js';
import { MongoStreamStore } from './mongo-stream-store.js';
import { MongoWorkflowStore } from './mongo-workflow-store.js';

/** Collection names of a {@link createMongoBackend} backend; each has a HyperStream default. */
export interface MongoBackendCollections {
  /**
   * The instance and definition collections of a channel. Default: `streams` and
   * `stream_definitions` for channel `mongo`, `asset_streams` and `asset_stream_definitions` for
   * `assets`, `<id>_streams` and `<id>_stream_definitions` for any other.
   */
  readonly streams?: (channelId: string) => MongoCollectionNames;
  /** Default `meta_data`. */
  readonly metaData?: string;
  /** Default `plate_definitions`. */
  readonly plates?: string;
  /** Default `workflow_definitions`. */
  readonly workflows?: string;
  /** Default `sessions` (and `sessions_pieces`). */
  readonly sessions?: string;
}

/** Options of {@link createMongoBackend}. */
export interface MongoBackendOptions extends StorageBackendOptions {
  /** Options of the client opened from a URI (ignored when a client is given). */
  readonly clientOptions?: MongoClientOptions;
  readonly collections?: MongoBackendCollections;
  /** Documents per bulk write of the stream stores. Default 10,000. */
  readonly writeBatchSize?: number;
  /** Called for every corrupt document met while loading (it is then skipped). Default: a process warning. */
  readonly onInvalidDocument?: (report: InvalidDocumentReport) => void;
}

/** A {@link StorageBackend} in one MongoDB (or FerretDB) database, with the database. */
export interface MongoBackend extends StorageBackend {
  readonly kind: 'mongodb';
  readonly db: Db;
  streams(channelId: string): MongoStreamStore;
}

const CAPABILITIES: StorageCapabilities = {
  persistent: true,
  sharedAcrossProcesses: true,
  sharedAcrossMachines: true,
  // A large write is several bulk writes; idempotent upserts make a retry safe instead.
  transactions: false,
  atomicIntervalMerge: true,
};

/**
 * The backend over a MongoDB (or FerretDB) database, wrapping the Mongo stores: a client you own
 * (left open by `close()`), or a URI to connect to (closed by `close()`). Creates the indexes of the
 * record stores before returning, so an unreachable server or a missing permission fails here.
 *
 * @example
 * const backend = await createMongoBackend(process.env.MONGODB_URI!, 'hyperstream');
 * const store = backend.streams('mongo');
 * await backend.close();
 */
export async function createMongoBackend(
  clientOrUri: MongoClient | string,
  database = 'hyperstream',
  options: MongoBackendOptions = {},
): Promise<MongoBackend> {
  if (typeof database !== 'string' || database === '') {
    throw new InvalidArgumentError(
      `invalid MongoDB database name ${JSON.stringify(database)}: expected a non-empty string`,
    );
  }
  let client: MongoClient;
  let owned: MongoClient | undefined;
  if (typeof clientOrUri === 'string') {
    owned = client = new MongoClient(clientOrUri, options.clientOptions);
    try {
      await client.connect();
    } catch (error) {
      await client.close();
      throw toStorageError(error, 'connection', { database });
    }
  } else if (isClient(clientOrUri)) {
    client = clientOrUri;
  } else {
    throw new InvalidArgumentError(
      'createMongoBackend expects a MongoClient or a connection string such as "mongodb://127.0.0.1:27017"',
    );
  }
  const db = client.db(database);
  const { collections = {}, onInvalidDocument } = options;
  const invalid = onInvalidDocument ? { onInvalidDocument } : {};
  const recordOptions = (collection: string | undefined): MongoRecordStoreOptions =>
    collection === undefined ? invalid : { ...invalid, collection };
  const metaData = new MongoMetaDataStore(db, recordOptions(collections.metaData));
  const plates = new MongoPlateStore(db, recordOptions(collections.plates));
  const workflows = new MongoWorkflowStore(db, recordOptions(collections.workflows));
  const sessions = new MongoSessionStore(db, recordOptions(collections.sessions));
  const tracked = new TrackedSessionStore(new MongoHeartbeatSessions(sessions), options);
  try {
    await Promise.all([metaData.init(), plates.init(), workflows.init(), sessions.init()]);
  } catch (error) {
    await owned?.close();
    throw error;
  }
  const namesOf = collections.streams ?? defaultStreamCollections;
  const streams = new Map<string, MongoStreamStore>();
  let closed = false;
  return {
    kind: 'mongodb',
    defaultChannel: 'mongo',
    db,
    capabilities: CAPABILITIES,
    streams(channelId: string): MongoStreamStore {
      let store = streams.get(channelId);
      if (!store) {
        store = new MongoStreamStore(db, {
          channelId: checkChannelId(channelId),
          collections: namesOf(channelId),
          ...(options.writeBatchSize === undefined
            ? {}
            : { writeBatchSize: options.writeBatchSize }),
          ...invalid,
        });
        streams.set(channelId, store);
      }
      return store;
    },
    metaData,
    plates,
    workflows,
    sessions: tracked,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await owned?.close();
    },
  };
}

/** A client by its shape, not `instanceof` (the caller's driver may be another copy of `mongodb`). */
function isClient(value: unknown): value is MongoClient {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as MongoClient).db === 'function' &&
    typeof (value as MongoClient).close === 'function'
  );
}

function defaultStreamCollections(channelId: string): MongoCollectionNames {
  if (channelId === 'mongo') return { instances: 'streams', definitions: 'stream_definitions' };
  if (channelId === 'assets') {
    return { instances: 'asset_streams', definitions: 'asset_stream_definitions' };
  }
  return { instances: `${channelId}_streams`, definitions: `${channelId}_stream_definitions` };
}

/** The Mongo session store plus a heartbeat that only touches a session still stored as running. */
class MongoHeartbeatSessions implements HeartbeatSessionStore {
  readonly #sessions: MongoSessionStore;

  constructor(sessions: MongoSessionStore) {
    this.#sessions = sessions;
  }

  async save(session: SessionRecord): Promise<void> {
    await this.#sessions.save(session);
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    return await this.#sessions.get(id);
  }

  async list(filter?: SessionFilter): Promise<SessionRecord[]> {
    return await this.#sessions.list(filter);
  }

  async delete(id: string): Promise<boolean> {
    return await this.#sessions.delete(id);
  }

  async heartbeat(id: string, at: number): Promise<boolean> {
    const collection = this.#sessions.collection;
    try {
      const result = await collection.updateOne(
        { _id: id, status: 'running' },
        { $set: { heartbeatAt: at } },
      );
      return result.matchedCount === 1;
    } catch (error) {
      throw toStorageError(
        error,
        `heartbeat of session "${id}" in collection "${collection.collectionName}"`,
        { collection: collection.collectionName, session: id },
      );
    }
  }
}
