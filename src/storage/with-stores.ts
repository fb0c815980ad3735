import type { StorageBackend } from './backend.js';
import type { MetaDataStore } from './meta-data-store.js';
import type { PlateStore } from './plate-store.js';
import type { HeartbeatSessionStore } from './session-liveness.js';
import { TrackedSessionStore } from './session-liveness.js';
import type { SessionStore } from './session-store.js';
import type { WorkflowStore } from './workflow-store.js';

/** Stores given one by one (what `Engine.create({ stores })` took before backends). */
export interface GivenStores {
  readonly metaData?: MetaDataStore;
  readonly plates?: PlateStore;
  readonly workflows?: WorkflowStore;
  readonly sessions?: SessionStore;
}

/**
 * `base` with some of its stores replaced. Given meta-data or plate stores are taken to be shared
 * with other processes (a database), as the engine assumed before backends said so themselves.
 *
 * @deprecated build a whole backend (`createSqliteBackend`, `createMongoBackend`) instead.
 */
export function withStores(base: StorageBackend, stores: GivenStores): StorageBackend {
  const shared = stores.metaData !== undefined || stores.plates !== undefined;
  return {
    kind: base.kind,
    defaultChannel: base.defaultChannel,
    capabilities: {
      ...base.capabilities,
      sharedAcrossProcesses: base.capabilities.sharedAcrossProcesses || shared,
    },
    streams: (channelId) => base.streams(channelId),
    metaData: stores.metaData ?? base.metaData,
    plates: stores.plates ?? base.plates,
    workflows: stores.workflows ?? base.workflows,
    sessions: stores.sessions
      ? new TrackedSessionStore(withHeartbeat(stores.sessions), {
          heartbeatTimeoutMs: base.sessions.heartbeatTimeoutMs,
        })
      : base.sessions,
    close: async () => await base.close(),
  };
}

/** A session store's own heartbeat, or one made of a read and a save. */
function withHeartbeat(store: SessionStore): HeartbeatSessionStore {
  const own = (store as Partial<HeartbeatSessionStore>).heartbeat;
  if (typeof own === 'function') return store as HeartbeatSessionStore;
  return {
    save: async (session) => await store.save(session),
    get: async (id) => await store.get(id),
    list: async (filter) => await store.list(filter),
    delete: async (id) => await store.delete(id),
    heartbeat: async (id, at) => {
      const session = await store.get(id);
      if (session?.status !== 'running') return false;
      await store.save({ ...session, heartbeatAt: at });
      return true;
    },
  };
}
