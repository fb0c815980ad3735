import { z } from 'zod';
import { StorageError } from '../../errors.js';
import type { MetaDataPath, MetaDataRecord, MetaDataStore } from '../meta-data-store.js';
import { parseMetaDataRecords, pathKey } from '../meta-data-store.js';
import type { PlateConfig, PlateStore } from '../plate-store.js';
import { parsePlateConfigs } from '../plate-store.js';
import type { SessionFilter, SessionRecord } from '../session-store.js';
import { parseSessionRecord } from '../session-store.js';
import type { HeartbeatSessionStore } from '../session-liveness.js';
import type { StoredWorkflow, WorkflowStore } from '../workflow-store.js';
import { storedWorkflowSchema } from '../workflow-store.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** Parses a stored JSON column, naming the table and row when it is not JSON. */
function parseJson(db: SqliteDatabase, table: string, id: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new StorageError(
      `row "${id}" of table "${table}" in "${db.path}" is corrupt: ${(error as Error).message}; repair or delete the row`,
      { path: db.path, table, id },
      error,
    );
  }
}

/**
 * The meta-data tree in table `meta_data`, one row per node keyed by its path key. Inserting a
 * stored node leaves it as it is (as MongoDB does); deleting a node deletes its subtree, including
 * children another process added.
 */
export class SqliteMetaDataStore implements MetaDataStore {
  readonly #db: SqliteDatabase;

  /** @internal made by `createSqliteBackend`. */
  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async load(): Promise<MetaDataRecord[]> {
    const rows = await this.#db.run('meta-data loading', {}, () =>
      this.#db.statement('SELECT path, record FROM meta_data ORDER BY depth, path').all(),
    );
    return parseMetaDataRecords(
      (rows as { path: string; record: string }[]).map((row) =>
        parseJson(this.#db, 'meta_data', row.path, row.record),
      ),
    );
  }

  async insert(record: MetaDataRecord): Promise<void> {
    const path = pathKey([...record.parent, [record.key, record.value]]);
    await this.#db.run(`insert of meta-data ${path}`, {}, () =>
      this.#db
        .statement(
          'INSERT INTO meta_data (path, depth, record) VALUES (?, ?, ?) ON CONFLICT (path) DO NOTHING',
        )
        .run(path, record.parent.length, JSON.stringify(record)),
    );
  }

  async delete(paths: readonly MetaDataPath[]): Promise<void> {
    await this.#db.transaction('meta-data deletion', { paths: paths.length }, () => {
      const node = this.#db.statement('DELETE FROM meta_data WHERE path = ?');
      // A child's path key is its parent's without the closing bracket, then `,[`: one key range.
      const below = this.#db.statement('DELETE FROM meta_data WHERE path >= ? AND path < ?');
      for (const path of paths) {
        const key = pathKey(path);
        node.run(key);
        const prefix = `${key.slice(0, -1)},`;
        below.run(`${prefix}[`, `${prefix}\\`);
      }
    });
  }

  /** The backend owns the connection. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Plate definitions in table `plates`, keyed by plate id; saving replaces. */
export class SqlitePlateStore implements PlateStore {
  readonly #db: SqliteDatabase;

  /** @internal made by `createSqliteBackend`. */
  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async load(): Promise<PlateConfig[]> {
    const rows = await this.#db.run('plate loading', {}, () =>
      this.#db.statement('SELECT id, config FROM plates ORDER BY id').all(),
    );
    return parsePlateConfigs(
      (rows as { id: string; config: string }[]).map((row) =>
        parseJson(this.#db, 'plates', row.id, row.config),
      ),
    );
  }

  async save(plate: PlateConfig): Promise<void> {
    await this.#db.run(`save of plate "${plate.id}"`, { plate: plate.id }, () =>
      this.#db
        .statement(
          'INSERT INTO plates (id, config) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config',
        )
        .run(plate.id, JSON.stringify(plate)),
    );
  }

  async delete(id: string): Promise<void> {
    await this.#db.run(`deletion of plate "${id}"`, { plate: id }, () =>
      this.#db.statement('DELETE FROM plates WHERE id = ?').run(id),
    );
  }

  /** The backend owns the connection. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Workflow definitions in table `workflows`, keyed by workflow id, kept as their JSON text (name,
 * owner and online flag beside it, for queries). Saving replaces; loading checks the envelope.
 */
export class SqliteWorkflowStore implements WorkflowStore {
  readonly #db: SqliteDatabase;

  /** @internal made by `createSqliteBackend`. */
  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async load(id: string): Promise<unknown> {
    const text = await this.#db.run(`load of workflow "${id}"`, { workflow: id }, () =>
      this.#db.statement('SELECT definition FROM workflows WHERE id = ?').pluck().get(id),
    );
    if (text === undefined) return undefined;
    const json = parseJson(this.#db, 'workflows', id, text as string);
    const result = storedWorkflowSchema.safeParse(json);
    if (!result.success || result.data.id !== id) {
      const problem = result.success
        ? `its definition has id "${result.data.id}"`
        : z.prettifyError(result.error).replace(/\n/g, '; ');
      throw new StorageError(
        `workflow "${id}" in "${this.#db.path}" is corrupt: ${problem}; save it again or delete it`,
        { path: this.#db.path, workflow: id },
      );
    }
    return result.data;
  }

  async list(): Promise<string[]> {
    return (await this.#db.run('workflow listing', {}, () =>
      this.#db.statement('SELECT id FROM workflows ORDER BY id').pluck().all(),
    )) as string[];
  }

  async save(definition: StoredWorkflow): Promise<void> {
    await this.#db.run(`save of workflow "${definition.id}"`, { workflow: definition.id }, () =>
      this.#db
        .statement(
          'INSERT INTO workflows (id, name, owner, online, definition, updated_at) VALUES (?, ?, ?, ?, ?, ?) ' +
            'ON CONFLICT (id) DO UPDATE SET name = excluded.name, owner = excluded.owner, ' +
            'online = excluded.online, definition = excluded.definition, updated_at = excluded.updated_at',
        )
        .run(
          definition.id,
          definition.name,
          definition.owner ?? null,
          definition.online ? 1 : 0,
          JSON.stringify(definition),
          Date.now(),
        ),
    );
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#db.run(`deletion of workflow "${id}"`, { workflow: id }, () =>
      this.#db.statement('DELETE FROM workflows WHERE id = ?').run(id),
    );
    return result.changes === 1;
  }

  /** The backend owns the connection. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface SessionRow {
  readonly id: string;
  readonly heartbeat_at: number | null;
  readonly record: string;
}

/**
 * Sessions in table `sessions`, keyed by id, newest first by start time. The record is JSON; start,
 * status, workflows and the heartbeat are columns, so listing and heartbeats touch no JSON.
 */
export class SqliteSessionStore implements HeartbeatSessionStore {
  readonly #db: SqliteDatabase;

  /** @internal made by `createSqliteBackend`. */
  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async save(session: SessionRecord): Promise<void> {
    const { heartbeatAt, ...record } = session;
    await this.#db.run(`save of session "${session.id}"`, { session: session.id }, () =>
      this.#db
        .statement(
          'INSERT INTO sessions (id, started_at, status, workflows, heartbeat_at, record) VALUES (?, ?, ?, ?, ?, ?) ' +
            'ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, status = excluded.status, ' +
            'workflows = excluded.workflows, heartbeat_at = excluded.heartbeat_at, record = excluded.record',
        )
        .run(
          session.id,
          session.startedAt,
          session.status,
          JSON.stringify(session.workflows),
          heartbeatAt ?? null,
          JSON.stringify(record),
        ),
    );
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const row = await this.#db.run(`load of session "${id}"`, { session: id }, () =>
      this.#db.statement('SELECT id, heartbeat_at, record FROM sessions WHERE id = ?').get(id),
    );
    return row === undefined ? undefined : this.#parse(row as SessionRow);
  }

  async list(filter: SessionFilter = {}): Promise<SessionRecord[]> {
    const limit = filter.limit ?? -1; // SQLite: a negative LIMIT is no limit
    if (filter.limit !== undefined && filter.limit <= 0) return [];
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.workflow !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(sessions.workflows) WHERE json_each.value = ?)');
      params.push(filter.workflow);
    }
    const sql =
      'SELECT id, heartbeat_at, record FROM sessions' +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY started_at DESC, id DESC LIMIT ?';
    const rows = await this.#db.run('session listing', {}, () =>
      this.#db.statement(sql).all(...params, Math.ceil(limit)),
    );
    return (rows as SessionRow[]).map((row) => this.#parse(row));
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#db.run(`deletion of session "${id}"`, { session: id }, () =>
      this.#db.statement('DELETE FROM sessions WHERE id = ?').run(id),
    );
    return result.changes === 1;
  }

  async heartbeat(id: string, at: number): Promise<boolean> {
    const result = await this.#db.run(`heartbeat of session "${id}"`, { session: id }, () =>
      this.#db
        .statement("UPDATE sessions SET heartbeat_at = ? WHERE id = ? AND status = 'running'")
        .run(at, id),
    );
    return result.changes === 1;
  }

  /** The backend owns the connection. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  #parse(row: SessionRow): SessionRecord {
    const json = parseJson(this.#db, 'sessions', row.id, row.record);
    const record =
      row.heartbeat_at === null ? json : { ...(json as object), heartbeatAt: row.heartbeat_at };
    try {
      return parseSessionRecord(record);
    } catch (error) {
      throw new StorageError(
        `session "${row.id}" in "${this.#db.path}" is corrupt: ${(error as Error).message}; delete it`,
        { path: this.#db.path, session: row.id },
        error,
      );
    }
  }
}
