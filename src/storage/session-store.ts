import { z } from 'zod';
import { StorageError } from '../errors.js';

const intervalJson = z.strictObject({ start: z.number(), end: z.number() });
const pairs = z.array(z.tuple([z.string(), z.string()]).readonly()).readonly();

/** Zod schema of one piece of work that completed: written, then recorded as calculated. */
export const pieceRecordSchema = z.strictObject({
  workflow: z.string(),
  factor: z.string(),
  plateValue: pairs,
  interval: intervalJson,
  documents: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});

/** Zod schema of the totals of one factor within a session. */
export const factorSummarySchema = z.strictObject({
  factor: z.string(),
  tool: z.string(),
  /** The factor's fingerprint, as its calculated ranges record it (absent in older records). */
  fingerprint: z.string().optional(),
  pieces: z.number().int().nonnegative(),
  documents: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});

/**
 * Zod schema of the status of a session. `abandoned`: stored as `running`, but its process is gone
 * (or stopped sending heartbeats); reported so by the backend's session store, see `BackendSessionStore`.
 */
export const sessionStatusSchema = z.enum([
  'running',
  'completed',
  'failed',
  'aborted',
  'abandoned',
]);

/** Zod schema of the process that runs a session: what tells whether it is still alive. */
export const sessionOwnerSchema = z.strictObject({
  pid: z.number().int().positive(),
  /** `os.hostname()` of the machine. */
  host: z.string(),
  /** When the process started (epoch ms, wall clock): tells a reused pid from the original. */
  startedAt: z.number(),
});

/** Zod schema of a stored session: what an execute/request did. */
export const sessionRecordSchema = z.strictObject({
  id: z.string().min(1),
  kind: z.enum(['execute', 'request']),
  workflows: z.array(z.string()).readonly(),
  /** For `request`: the node asked for. */
  node: z.string().optional(),
  intervals: z.array(intervalJson).readonly(),
  /** Engine clock times (epoch ms). */
  startedAt: z.number(),
  endedAt: z.number().optional(),
  status: sessionStatusSchema,
  /** The process running the session (stamped when a `running` session is saved). */
  owner: sessionOwnerSchema.optional(),
  /** Wall-clock ms of the owner's last sign of life (not the engine clock, which may be virtual). */
  heartbeatAt: z.number().optional(),
  factors: z.array(factorSummarySchema).readonly(),
  pieces: z.array(pieceRecordSchema).readonly(),
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

/** One piece of work that completed: written, then recorded as calculated. */
export type PieceRecord = z.infer<typeof pieceRecordSchema>;
/** Totals for one factor within a session. */
export type FactorSummary = z.infer<typeof factorSummarySchema>;
/** The status of a session. */
export type SessionStatus = z.infer<typeof sessionStatusSchema>;
/** The process that runs a session. */
export type SessionOwner = z.infer<typeof sessionOwnerSchema>;
/** What an execute/request did: stored in the session store and returned (or attached to the error). */
export type SessionRecord = z.infer<typeof sessionRecordSchema>;

/** Which sessions to list. */
export interface SessionFilter {
  readonly workflow?: string;
  readonly status?: SessionStatus;
  /** At most this many, newest first. */
  readonly limit?: number;
}

/** Where sessions are kept. Records are plain JSON. */
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
