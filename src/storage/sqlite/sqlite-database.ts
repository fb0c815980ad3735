import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { InvalidArgumentError, StorageError, isHyperstreamError } from '../../errors.js';

/** Options of {@link createSqliteBackend}. */
export interface SqliteBackendOptions {
  /**
   * The database file; its folder is created when missing. `:memory:` gives a private in-memory
   * database (not persistent, not shared).
   */
  readonly path: string;
  /**
   * How long an operation waits for another process's write lock before it fails with a
   * retryable `StorageError`. Default 10,000 ms.
   */
  readonly busyTimeoutMs?: number;
  /**
   * `normal` (default): a commit survives the process crashing, and WAL keeps commits in order, so
   * a recorded interval never outlives its data; a power cut may lose the last commits.
   * `full`: every commit is also synced to disk.
   */
  readonly synchronous?: 'normal' | 'full';
  /** See `BackendSessionStore.heartbeatTimeoutMs`. */
  readonly heartbeatTimeoutMs?: number;
}

/** `hyperstream` in ASCII, as PRAGMA application_id: marks the file as ours. */
const APPLICATION_ID = 0x48_53_54_53;
/** The schema this code writes; a file with a higher `user_version` is refused. */
const SCHEMA_VERSION = 1;
const DEFAULT_BUSY_TIMEOUT_MS = 10_000;
/** The longest SQLite's own busy handler blocks the event loop before we retry asynchronously. */
const BUSY_SLICE_MS = 10;
const WAL_SIZE_LIMIT_BYTES = 32 * 2 ** 20;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS streams (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  channel TEXT NOT NULL,
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  meta TEXT NOT NULL,
  calculated TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER,
  UNIQUE (channel, key)
);
CREATE INDEX IF NOT EXISTS streams_by_name ON streams (channel, name);
CREATE TABLE IF NOT EXISTS instances (
  stream INTEGER NOT NULL,
  t INTEGER NOT NULL,
  v,
  PRIMARY KEY (stream, t)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta_data (
  path TEXT PRIMARY KEY,
  depth INTEGER NOT NULL,
  record TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS plates (
  id TEXT PRIMARY KEY,
  config TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS workflows (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  owner TEXT,
  online INTEGER NOT NULL,
  definition TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  started_at REAL NOT NULL,
  status TEXT NOT NULL,
  workflows TEXT NOT NULL,
  heartbeat_at REAL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_newest ON sessions (started_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS sessions_by_status ON sessions (status, started_at DESC, id DESC);
`;

type Statement = Database.Statement<unknown[]>;

/**
 * One connection to a hyperstream SQLite file, shared by every store of a backend: WAL mode, a busy
 * timeout, cached statements, and failures turned into `StorageError`.
 *
 * @remarks
 * better-sqlite3 is synchronous, so each operation (one statement, or one transaction) runs to its
 * end without other code of this process interleaving. Lock waits are not: SQLite's busy handler
 * blocks for at most {@link BUSY_SLICE_MS}, then the operation retries after a timer, so the event
 * loop keeps turning (heartbeats, the online service's signals) while another process writes.
 *
 * @internal
 */
export class SqliteDatabase {
  readonly path: string;
  readonly memory: boolean;
  readonly #db: Database.Database;
  readonly #busyTimeoutMs: number;
  readonly #statements = new Map<string, Statement>();
  #closed = false;

  private constructor(db: Database.Database, file: string, busyTimeoutMs: number) {
    this.#db = db;
    this.path = file;
    this.memory = db.memory;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  /** Opens (creating when needed) the file and brings its schema up to date. */
  static async open(options: SqliteBackendOptions): Promise<SqliteDatabase> {
    const file = checkOptions(options);
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const memory = file === ':memory:';
    let db: Database.Database;
    try {
      if (!memory) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      db = new Database(file, { timeout: Math.min(busyTimeoutMs, BUSY_SLICE_MS) });
    } catch (error) {
      throw toStorageError(error, 'open', { path: file });
    }
    const database = new SqliteDatabase(db, file, busyTimeoutMs);
    try {
      await database.run('setup', {}, () => {
        if (!memory && String(db.pragma('journal_mode = WAL', { simple: true })) !== 'wal') {
          throw new StorageError(
            `SQLite file "${file}" cannot use write-ahead logging (WAL): put it on a local file system`,
            { path: file },
          );
        }
        db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
        // After a checkpoint, a WAL grown by a large write shrinks back to this size.
        db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
      });
      await database.transaction('schema setup', {}, () => database.#migrate());
    } catch (error) {
      database.#closeNow();
      throw error;
    }
    return database;
  }

  /** A cached prepared statement. */
  statement(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare<unknown[]>(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Runs `fn` (synchronous database work), retrying while another process holds a lock, up to the
   * busy timeout; failures become `StorageError` naming the operation.
   */
  async run<T>(operation: string, details: Record<string, unknown>, fn: () => T): Promise<T> {
    const deadline = Date.now() + this.#busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (this.#closed) {
        throw new StorageError(
          `SQLite ${operation} failed: the backend on "${this.path}" is closed`,
          { ...details, path: this.path, operation },
        );
      }
      try {
        return fn();
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) {
          throw toStorageError(
            error,
            operation,
            { ...details, path: this.path },
            this.#busyTimeoutMs,
          );
        }
      }
      // Another process writes: let the event loop turn, then try again (jittered, growing).
      await new Promise((resolve) =>
        setTimeout(resolve, 1 + Math.random() * Math.min(20, 2 + attempt)),
      );
    }
  }

  /** Runs `fn` in one `BEGIN IMMEDIATE` transaction (taking the write lock first), with {@link run}'s retries. */
  async transaction<T>(
    operation: string,
    details: Record<string, unknown>,
    fn: () => T,
  ): Promise<T> {
    const transaction = this.#db.transaction(fn);
    return await this.run(operation, details, () => transaction.immediate());
  }

  close(): Promise<void> {
    this.#closeNow();
    return Promise.resolve();
  }

  #closeNow(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
  }

  #migrate(): void {
    const db = this.#db;
    const applicationId = Number(db.pragma('application_id', { simple: true }));
    const version = Number(db.pragma('user_version', { simple: true }));
    if (applicationId !== 0 && applicationId !== APPLICATION_ID) {
      throw new StorageError(
        `SQLite file "${this.path}" belongs to another application (application_id ${applicationId}): choose another path`,
        { path: this.path, applicationId },
      );
    }
    if (version > SCHEMA_VERSION) {
      throw new StorageError(
        `SQLite file "${this.path}" has schema version ${version}, newer than this hyperstream-ts (${SCHEMA_VERSION}): upgrade hyperstream-ts`,
        { path: this.path, version },
      );
    }
    if (applicationId === APPLICATION_ID && version === SCHEMA_VERSION) return;
    db.exec(SCHEMA);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }
}

function checkOptions(options: SqliteBackendOptions): string {
  const file: unknown = (options as { path?: unknown } | undefined)?.path;
  if (typeof file !== 'string' || file.trim() === '') {
    throw new InvalidArgumentError(
      `invalid SQLite path ${JSON.stringify(file)}: expected a file path such as ".hyperstream/hyperstream.db" or ":memory:"`,
    );
  }
  if (file.startsWith('file:')) {
    throw new InvalidArgumentError(
      `invalid SQLite path "${file}": URI file names are not supported; give a plain file path`,
    );
  }
  const timeout = options.busyTimeoutMs;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0)) {
    throw new InvalidArgumentError(
      `invalid busyTimeoutMs ${String(timeout)}: expected a number of milliseconds >= 0`,
    );
  }
  if (options.synchronous !== undefined && !['normal', 'full'].includes(options.synchronous)) {
    throw new InvalidArgumentError(
      `invalid synchronous ${JSON.stringify(options.synchronous)}: expected "normal" or "full"`,
    );
  }
  return file;
}

/** SQLITE_BUSY (another connection holds the lock) and its extended codes. */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
  );
}

/** Turns a better-sqlite3 failure into a {@link StorageError}; errors of this package pass through. */
export function toStorageError(
  error: unknown,
  operation: string,
  details: Record<string, unknown>,
  busyTimeoutMs?: number,
): unknown {
  if (isHyperstreamError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const sqliteCode = typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
  const reason = error instanceof Error ? error.message : String(error);
  const file = typeof details.path === 'string' ? ` on "${details.path}"` : '';
  const where = typeof details.stream === 'string' ? ` for stream "${details.stream}"` : '';
  const channel = typeof details.channel === 'string' ? ` in channel "${details.channel}"` : '';
  const retryable = isBusy(error);
  const fix = fixFor(sqliteCode, reason, busyTimeoutMs);
  return new StorageError(
    `SQLite ${operation} failed${where}${channel}${file}: ${reason}; ${fix}`,
    { ...details, operation, ...(sqliteCode ? { sqliteCode } : {}) },
    error,
    retryable,
  );
}

function fixFor(
  code: string | undefined,
  reason: string,
  busyTimeoutMs: number | undefined,
): string {
  if (code === undefined) {
    if (/bindings file|better_sqlite3\.node|NODE_MODULE_VERSION|invalid ELF/i.test(reason)) {
      return 'the better-sqlite3 native module is missing or built for another Node.js: run `npm rebuild better-sqlite3` (it builds from source with python3, make and g++; offline, set `npm config set nodedir <the folder holding include/node>` first)';
    }
    return 'check the path and the file permissions';
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `another process held the database's lock for longer than the busy timeout (${String(busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS)} ms): retry, or raise busyTimeoutMs`;
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return 'the file is not a valid SQLite database: restore it from a backup or choose another path';
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM')) {
    return 'the file or its folder is not writable: check the permissions';
  }
  if (code === 'SQLITE_FULL') return 'the disk is full: free some space and retry';
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return 'the file cannot be opened: check that its folder exists and is writable';
  }
  if (code.startsWith('SQLITE_IOERR')) return 'the disk reported an I/O error: check the disk';
  return 'see the SQLite error code';
}
