import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { StorageError } from '../errors.js';
import type { SessionRecord, SessionStatus } from '../workflow/execution.js';

const intervalJson = z.strictObject({ start: z.number(), end: z.number() });
const pairs = z.array(z.tuple([z.string(), z.string()]));

/** Zod schema of a stored session. */
export const sessionRecordSchema = z.strictObject({
  id: z.string().min(1),
  kind: z.enum(['execute', 'request']),
  workflows: z.array(z.string()),
  node: z.string().optional(),
  intervals: z.array(intervalJson),
  startedAt: z.number(),
  endedAt: z.number().optional(),
  status: z.enum(['running', 'completed', 'failed', 'aborted']),
  factors: z.array(
    z.strictObject({
      factor: z.string(),
      tool: z.string(),
      pieces: z.number().int().nonnegative(),
      documents: z.number().int().nonnegative(),
      durationMs: z.number().nonnegative(),
    }),
  ),
  pieces: z.array(
    z.strictObject({
      workflow: z.string(),
      factor: z.string(),
      plateValue: pairs,
      interval: intervalJson,
      documents: z.number().int().nonnegative(),
      durationMs: z.number().nonnegative(),
    }),
  ),
  error: z
    .strictObject({
      code: z.string(),
      message: z.string(),
      factor: z.string().optional(),
      plateValue: pairs.optional(),
      interval: intervalJson.optional(),
    })
    .optional(),
});

/** Which sessions to list. */
export interface SessionFilter {
  readonly workflow?: string;
  readonly status?: SessionStatus;
  /** At most this many, newest first. */
  readonly limit?: number;
}

/** Where sessions are kept (in memory by default; MongoDB later). Records are plain JSON. */
export interface SessionStore {
  /** Inserts or replaces the session with that id. */
  save(session: SessionRecord): Promise<void>;
  get(id: string): Promise<SessionRecord | undefined>;
  /** Newest first. */
  list(filter?: SessionFilter): Promise<SessionRecord[]>;
  delete(id: string): Promise<boolean>;
  /** Releases what the store holds (a database client it owns); optional. */
  close?(): Promise<void>;
}

/** Parses a stored session with zod; `StorageError` naming it when it is malformed. */
export function parseSessionRecord(raw: unknown): SessionRecord {
  const result = sessionRecordSchema.safeParse(raw);
  if (!result.success) {
    throw new StorageError(`stored session is invalid: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/** A new session id. */
export function newSessionId(): string {
  return randomUUID();
}

/** Sessions in memory, kept as JSON text so reads go through the same validation as a database. */
export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, string>();

  save(session: SessionRecord): Promise<void> {
    this.#sessions.set(session.id, JSON.stringify(session));
    return Promise.resolve();
  }

  get(id: string): Promise<SessionRecord | undefined> {
    const text = this.#sessions.get(id);
    // Parse inside the promise, so a malformed record rejects rather than throws.
    return Promise.resolve().then(() =>
      text === undefined ? undefined : parseSessionRecord(JSON.parse(text)),
    );
  }

  list(filter: SessionFilter = {}): Promise<SessionRecord[]> {
    return Promise.resolve().then(() => {
      const out: SessionRecord[] = [];
      for (const text of [...this.#sessions.values()].reverse()) {
        const session = parseSessionRecord(JSON.parse(text));
        if (filter.workflow !== undefined && !session.workflows.includes(filter.workflow)) continue;
        if (filter.status !== undefined && session.status !== filter.status) continue;
        out.push(session);
        if (filter.limit !== undefined && out.length >= filter.limit) break;
      }
      return out;
    });
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.#sessions.delete(id));
  }
}
