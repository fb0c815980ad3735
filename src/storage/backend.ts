import { InvalidArgumentError } from '../errors.js';
import type { MetaDataStore } from './meta-data-store.js';
import type { PlateStore } from './plate-store.js';
import type { SessionStore } from './session-store.js';
import type { StreamStore } from './stream-store.js';
import type { WorkflowStore } from './workflow-store.js';

/** Which storage a backend is; for messages and channel kinds, never for branching on behaviour. */
export type StorageBackendKind = 'memory' | 'sqlite' | 'mongodb';

/**
 * What a backend guarantees, so the engine asks for capabilities and never for a backend type.
 */
export interface StorageCapabilities {
  /** Data outlives the process (memory: false). */
  readonly persistent: boolean;
  /**
   * Other processes on this machine see the same state (a CLI command while the online service
   * runs): plates and meta-data must be reloaded before a run, since another process may have added
   * some.
   */
  readonly sharedAcrossProcesses: boolean;
  /** Processes on other machines see the same state (a database server). */
  readonly sharedAcrossMachines: boolean;
  /** A write of many instances is all or nothing (one transaction), never partly applied. */
  readonly transactions: boolean;
  /** Calculated-interval merges are atomic across every process sharing the backend. */
  readonly atomicIntervalMerge: boolean;
}

/**
 * The sessions of a backend: the {@link SessionStore} plus what tells a live run from a dead one.
 *
 * @remarks
 * - `save` of a `running` session stamps the saving process's identity (`owner`: pid, host,
 *   process start time) and `heartbeatAt` (wall-clock ms) unless the record carries them.
 * - `get` and `list` report a stored `running` session as `abandoned` when its process is gone
 *   (same host: no such pid, a zombie, or a pid reused by a process that started later), or —
 *   when the process cannot be checked from here (another host) — when its last heartbeat is older
 *   than {@link BackendSessionStore.heartbeatTimeoutMs}. Nothing is written: a process that is
 *   slow rather than dead and later saves its session makes it `completed` again.
 * - The runner calls {@link BackendSessionStore.heartbeat} every
 *   {@link SESSION_HEARTBEAT_INTERVAL_MS} while a session runs.
 */
export interface BackendSessionStore extends SessionStore {
  /**
   * Records that the session's process is alive now (wall clock). Resolves false, changing
   * nothing, when no session with that id is stored as `running` (it ended or was deleted).
   */
  heartbeat(id: string): Promise<boolean>;
  /** How old a heartbeat may be before a session on another host is reported `abandoned`. */
  readonly heartbeatTimeoutMs: number;
}

/** How often a runner should call {@link BackendSessionStore.heartbeat}: every 15 s. */
export const SESSION_HEARTBEAT_INTERVAL_MS = 15_000;
/** Default of {@link BackendSessionStore.heartbeatTimeoutMs}: 4 missed heartbeats (60 s). */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 4 * SESSION_HEARTBEAT_INTERVAL_MS;

/**
 * One storage backend: everything an engine keeps — the streams of each writable channel, the
 * meta-data tree, plates, workflow definitions and sessions — in one place, with one `close()`.
 * Memory, SQLite and MongoDB (or FerretDB) implement it and pass one contract suite.
 *
 * @remarks
 * - `streams(channelId)` returns the channel's {@link StreamStore} (the same object for the same
 *   id); channels are namespaces, so two channels never see each other's streams. The backend owns
 *   every store it hands out: closing a store (or the channel over it) releases nothing, and
 *   `close()` releases everything.
 * - Records (meta-data nodes, plates, workflow envelopes, sessions) are plain JSON checked by the
 *   zod schemas in `src/storage/*.ts` when they are read back.
 * - No store may be used after `close()` (SQLite and MongoDB reject with `StorageError`).
 *
 * @example
 * const backend = createMemoryBackend();
 * const store = backend.streams('memory');
 * await store.write(StreamId.of('ticks'), [{ timestamp: 1000, value: 1 }]);
 * await backend.close();
 */
export interface StorageBackend {
  readonly kind: StorageBackendKind;
  /** The channel an engine on this backend writes by default: `memory`, `sqlite` or `mongo`. */
  readonly defaultChannel: string;
  readonly capabilities: StorageCapabilities;
  /** The stream store of one channel (a namespace). */
  streams(channelId: string): StreamStore;
  readonly metaData: MetaDataStore;
  readonly plates: PlateStore;
  readonly workflows: WorkflowStore;
  readonly sessions: BackendSessionStore;
  /** Releases the connection or file; calling it again does nothing. */
  close(): Promise<void>;
}

/** Options every backend factory takes. */
export interface StorageBackendOptions {
  /** See {@link BackendSessionStore.heartbeatTimeoutMs}. Default {@link DEFAULT_HEARTBEAT_TIMEOUT_MS}. */
  readonly heartbeatTimeoutMs?: number;
}

const CHANNEL_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Checks a channel id given to {@link StorageBackend.streams}: 1–64 letters, digits, `_`, `.` or
 * `-` (not first), so that it can name tables, collections and files on every backend.
 */
export function checkChannelId(channelId: unknown): string {
  if (typeof channelId !== 'string' || !CHANNEL_ID.test(channelId)) {
    throw new InvalidArgumentError(
      `invalid channel id ${JSON.stringify(channelId)}: expected 1-64 letters, digits, "_", "." or "-", not starting with "." or "-"`,
      { channel: String(channelId) },
    );
  }
  return channelId;
}
