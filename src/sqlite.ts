// The `hyperstream-ts/sqlite` entry point: everything that needs the better-sqlite3 native module,
// kept out of the main entry so that in-memory use never loads it.
export { createSqliteBackend } from './storage/sqlite/sqlite-backend.js';
export type { SqliteBackend } from './storage/sqlite/sqlite-backend.js';
export type { SqliteBackendOptions } from './storage/sqlite/sqlite-database.js';
export { SqliteStreamStore } from './storage/sqlite/sqlite-stream-store.js';
export {
  SqliteMetaDataStore,
  SqlitePlateStore,
  SqliteSessionStore,
  SqliteWorkflowStore,
} from './storage/sqlite/sqlite-record-stores.js';
