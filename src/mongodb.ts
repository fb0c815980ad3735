// The `hyperstream-ts/mongodb` entry point: everything that needs the MongoDB driver, kept out of
// the main entry so that in-memory use never loads it.
import type { Db, MongoClientOptions } from 'mongodb';
import { MongoClient } from 'mongodb';
import type { Channel } from './channels/channel.js';
import { AssetsChannel } from './channels/assets-channel.js';
import { DatabaseChannel } from './channels/database-channel.js';
import type { InvalidDocumentReport } from './storage/mongodb/mongo-documents.js';
import type { MongoRecordStoreOptions } from './storage/mongodb/mongo-record-store.js';
import { toStorageError } from './storage/mongodb/mongo-errors.js';
import { MongoMetaDataStore } from './storage/mongodb/mongo-meta-data-store.js';
import { MongoPlateStore } from './storage/mongodb/mongo-plate-store.js';
import { MongoSessionStore } from './storage/mongodb/mongo-session-store.js';
import type { MongoCollectionNames } from './storage/mongodb/mongo-stream-store.js';
import { MongoStreamStore } from './storage/mongodb/mongo-stream-store.js';
import { MongoWorkflowStore } from './storage/mongodb/mongo-workflow-store.js';

export { AssetsChannel } from './channels/assets-channel.js';
export { DatabaseChannel } from './channels/database-channel.js';
export type {
  DatabaseChannelOptions,
  DatabaseConnectOptions,
} from './channels/database-channel.js';
export type { InvalidDocumentReport } from './storage/mongodb/mongo-documents.js';
export { checkStorable } from './storage/mongodb/mongo-documents.js';
export { MongoStreamStore, createMongoStore } from './storage/mongodb/mongo-stream-store.js';
export type {
  CreateMongoStoreOptions,
  MongoCollectionNames,
  MongoStreamStoreOptions,
} from './storage/mongodb/mongo-stream-store.js';
export { MongoMetaDataStore } from './storage/mongodb/mongo-meta-data-store.js';
export type { MetaDataDocument } from './storage/mongodb/mongo-meta-data-store.js';
export { MongoPlateStore } from './storage/mongodb/mongo-plate-store.js';
export type { PlateDocument } from './storage/mongodb/mongo-plate-store.js';
export type { MongoRecordStoreOptions } from './storage/mongodb/mongo-record-store.js';
export { MongoSessionStore } from './storage/mongodb/mongo-session-store.js';
export type {
  MongoSessionStoreOptions,
  SessionDocument,
  SessionPiecesDocument,
} from './storage/mongodb/mongo-session-store.js';
export { MongoWorkflowStore } from './storage/mongodb/mongo-workflow-store.js';
export { createMongoBackend } from './storage/mongodb/mongo-backend.js';
export type {
  MongoBackend,
  MongoBackendCollections,
  MongoBackendOptions,
} from './storage/mongodb/mongo-backend.js';
export type { WorkflowDocument } from './storage/mongodb/mongo-workflow-store.js';

/** Collection names of {@link createMongoEngineOptions}; each defaults to HyperStream's name. */
export interface MongoEngineCollections {
  /** The Database channel's. Default `streams` and `stream_definitions`. */
  readonly streams?: MongoCollectionNames;
  /** The Assets channel's. Default `asset_streams` and `asset_stream_definitions`. */
  readonly assets?: MongoCollectionNames;
  /** Default `meta_data`. */
  readonly metaData?: string;
  /** Default `plate_definitions`. */
  readonly plates?: string;
  /** Default `workflow_definitions`. */
  readonly workflows?: string;
  /** Default `sessions` (and `sessions_pieces` for the pieces of very large sessions). */
  readonly sessions?: string;
}

/** Where {@link createMongoEngineOptions} keeps everything: a `Db` you own, or a URI to connect to. */
export type CreateMongoEngineOptions = (
  | { readonly db: Db }
  | {
      readonly uri: string;
      /** Default `hyperstream`. */
      readonly database?: string;
      readonly clientOptions?: MongoClientOptions;
    }
) & {
  /** The Database channel's id. Default `mongo`. */
  readonly channelId?: string;
  /** Make the Database channel the engine's default channel. Default true. */
  readonly defaultChannel?: boolean;
  /** The Assets channel's id, or false for none. Default `assets`. */
  readonly assetsChannelId?: string | false;
  readonly collections?: MongoEngineCollections;
  /** Called for every corrupt document met while loading (it is then skipped). Default: a process warning. */
  readonly onInvalidDocument?: (report: InvalidDocumentReport) => void;
};

/** What `Engine.create` needs to keep its state in MongoDB, plus the database and a `close()`. */
export interface MongoEngineOptions {
  /** The Database channel, then the Assets channel (unless left out). */
  readonly channels: readonly Channel[];
  /** The Database channel's id, unless `defaultChannel: false` was given. */
  readonly defaultChannel?: string;
  readonly stores: {
    readonly metaData: MongoMetaDataStore;
    readonly plates: MongoPlateStore;
    readonly workflows: MongoWorkflowStore;
    readonly sessions: MongoSessionStore;
  };
  readonly db: Db;
  readonly channel: DatabaseChannel;
  /**
   * Closes the client when it was opened from a URI (the Database channel owns it, so
   * `engine.close()` does this too); does nothing to a `Db` you passed.
   */
  close(): Promise<void>;
}

/**
 * Everything an engine keeps, in one MongoDB database: streams (Database channel), assets (Assets
 * channel), the meta-data tree, plates, workflow definitions and sessions. Creates every index
 * before returning, so an unreachable server or a missing permission fails here. A second process
 * built the same way sees the same streams, calculated intervals, plates and workflows.
 *
 * @example
 * const mongo = await createMongoEngineOptions({ uri: process.env.MONGODB_URI!, database: 'hyperstream' });
 * const engine = await Engine.create({ ...mongo, tools: new ToolChannel({ path: 'tools' }) });
 * const w = await engine.workflows.load('tutorial_05');
 * await w.execute('2007-01-01T00:00:00Z/P1M');
 * await engine.close(); // closes the client too
 */
export async function createMongoEngineOptions(
  options: CreateMongoEngineOptions,
): Promise<MongoEngineOptions> {
  const channelId = options.channelId ?? 'mongo';
  let client: MongoClient | undefined;
  let db: Db;
  if ('db' in options) {
    db = options.db;
  } else {
    client = new MongoClient(options.uri, options.clientOptions);
    try {
      await client.connect();
    } catch (error) {
      await client.close();
      throw toStorageError(error, 'connection', { channel: channelId });
    }
    db = client.db(options.database ?? 'hyperstream');
  }
  const { collections = {}, onInvalidDocument } = options;
  const onInvalid = onInvalidDocument ? { onInvalidDocument } : {};
  const recordOptions = (collection: string | undefined): MongoRecordStoreOptions =>
    collection === undefined ? onInvalid : { ...onInvalid, collection };
  const channel = new DatabaseChannel({
    id: channelId,
    store: new MongoStreamStore(
      db,
      {
        channelId,
        ...(collections.streams ? { collections: collections.streams } : {}),
        ...onInvalid,
      },
      client,
    ),
  });
  const assetsId = options.assetsChannelId ?? 'assets';
  const assets =
    assetsId === false
      ? undefined
      : new AssetsChannel({
          id: assetsId,
          db,
          ...(collections.assets ? { collections: collections.assets } : {}),
          ...onInvalid,
        });
  const stores = {
    metaData: new MongoMetaDataStore(db, recordOptions(collections.metaData)),
    plates: new MongoPlateStore(db, recordOptions(collections.plates)),
    workflows: new MongoWorkflowStore(db, recordOptions(collections.workflows)),
    sessions: new MongoSessionStore(db, recordOptions(collections.sessions)),
  };
  try {
    await Promise.all([
      channel.init(),
      ...Object.values(stores).map(async (store) => await store.init()),
    ]);
  } catch (error) {
    await channel.close();
    throw error;
  }
  return {
    channels: assets ? [channel, assets] : [channel],
    ...(options.defaultChannel === false ? {} : { defaultChannel: channelId }),
    stores,
    db,
    channel,
    close: () => channel.close(),
  };
}
