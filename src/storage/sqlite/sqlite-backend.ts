import type { StorageBackend, StorageCapabilities } from '../backend.js';
import { checkChannelId } from '../backend.js';
import { TrackedSessionStore, checkHeartbeatTimeout } from '../session-liveness.js';
import type { SqliteBackendOptions } from './sqlite-database.js';
import { SqliteDatabase } from './sqlite-database.js';
import {
  SqliteMetaDataStore,
  SqlitePlateStore,
  SqliteSessionStore,
  SqliteWorkflowStore,
} from './sqlite-record-stores.js';
import { SqliteStreamStore } from './sqlite-stream-store.js';

/** A {@link StorageBackend} in one SQLite file, with the file's path. */
export interface SqliteBackend extends StorageBackend {
  readonly kind: 'sqlite';
  /** The database file (or `:memory:`). */
  readonly path: string;
  streams(channelId: string): SqliteStreamStore;
}

/**
 * Opens (creating when needed) a hyperstream SQLite file and returns the backend over it: the
 * persistent embedded default, safe for several processes on one machine (a CLI command while the
 * online service runs).
 *
 * @remarks
 * The file is in WAL mode: readers never wait for the writer, and writers take turns, each waiting
 * up to `busyTimeoutMs` for the lock (then a retryable `StorageError`). Tables: `streams` (stream
 * definitions and calculated intervals), `instances` (`WITHOUT ROWID`, keyed by stream and
 * timestamp), `meta_data`, `plates`, `workflows`, `sessions`. Do not put the file on a network file
 * system: SQLite's locks are not reliable there.
 *
 * @example
 * const backend = await createSqliteBackend('.hyperstream/hyperstream.db');
 * const store = backend.streams('sqlite');
 * await store.write(StreamId.of('ticks'), [{ timestamp: 1000, value: 1 }]);
 * await backend.close();
 */
export async function createSqliteBackend(
  pathOrOptions: string | SqliteBackendOptions,
): Promise<SqliteBackend> {
  const options = typeof pathOrOptions === 'string' ? { path: pathOrOptions } : pathOrOptions;
  const heartbeatTimeoutMs = checkHeartbeatTimeout(options?.heartbeatTimeoutMs);
  const db = await SqliteDatabase.open(options);
  const shared = !db.memory;
  const capabilities: StorageCapabilities = {
    persistent: shared,
    sharedAcrossProcesses: shared,
    sharedAcrossMachines: false,
    transactions: true,
    atomicIntervalMerge: true,
  };
  const streams = new Map<string, SqliteStreamStore>();
  return {
    kind: 'sqlite',
    defaultChannel: 'sqlite',
    path: db.path,
    capabilities,
    streams(channelId: string): SqliteStreamStore {
      let store = streams.get(channelId);
      if (!store) {
        store = new SqliteStreamStore(db, checkChannelId(channelId));
        streams.set(channelId, store);
      }
      return store;
    },
    metaData: new SqliteMetaDataStore(db),
    plates: new SqlitePlateStore(db),
    workflows: new SqliteWorkflowStore(db),
    sessions: new TrackedSessionStore(new SqliteSessionStore(db), { heartbeatTimeoutMs }),
    close: () => db.close(),
  };
}
