// The `hyperstream-ts/mongodb` entry point: everything that needs the MongoDB driver, kept out of
// the main entry so that in-memory use never loads it.
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
