// What travels through the queue: the job payload (a work piece and where to find the exact
// workflow definition it was planned for), the result a worker returns, and the helpers that name
// jobs. Everything here is plain JSON, checked with zod when a worker reads it.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { WorkPiece } from '../kinds/work-piece.js';
import type { PieceRecord } from '../storage/session-store.js';
import { pieceRecordSchema } from '../storage/session-store.js';
import { canonicalJson } from '../internal/canonical-json.js';
import type { BackoffPolicy } from '../internal/backoff.js';

/** The format tag of job payloads written by this version. */
export const JOB_FORMAT = 'hyperstream-ts/piece@1';

const intervalJson = z.strictObject({ start: z.number(), end: z.number() });
const pairs = z.array(z.tuple([z.string(), z.string()]));

/** Zod schema of a {@link WorkPiece} (what the planner makes; a worker trusts nothing else). */
export const workPieceSchema = z.strictObject({
  id: z.string().min(1),
  workflow: z.string().min(1),
  factor: z.string().min(1),
  kind: z.string().min(1),
  tool: z.strictObject({ name: z.string().min(1), version: z.string().min(1), params: z.string() }),
  fingerprint: z.string().min(1),
  plateValue: pairs,
  interval: intervalJson,
  inputs: z.array(
    z.strictObject({
      role: z.enum(['source', 'alignment', 'splitting']),
      index: z.number().int().nonnegative(),
      node: z.string().min(1),
      channel: z.string().min(1),
      stream: z.string().min(1),
      plateValue: pairs,
      keyValue: z.string().optional(),
      window: intervalJson,
      needs: intervalJson.optional(),
    }),
  ),
  sinks: z.array(
    z.strictObject({
      channel: z.string().min(1),
      stream: z.string().min(1),
      keyValue: z.string().optional(),
    }),
  ),
  dependsOn: z.array(z.string()),
});

const backoffSchema = z.strictObject({
  policy: z.enum(['constant', 'linear', 'exponential']),
  delay: z.number().nonnegative(),
  factor: z.number().optional(),
  floor: z.number().optional(),
  ceiling: z.number().optional(),
  maxRetries: z.number().int().nonnegative(),
  jitter: z.enum(['none', 'full', 'equal']).optional(),
});

/** Zod schema of a job's data. */
export const pieceJobSchema = z.strictObject({
  format: z.literal(JOB_FORMAT),
  /** The run (its session id): what `queue cancel` names. */
  run: z.string().min(1),
  /** sha256 of the canonical workflow definition the piece was planned for. */
  definition: z.string().regex(/^[0-9a-f]{64}$/),
  piece: workPieceSchema,
  /** How failed attempts are retried (BullMQ schedules them; this says how long to wait). */
  retry: backoffSchema,
  /** Longest one tool call may take (ms). */
  pieceTimeout: z.number().positive().optional(),
  /**
   * A fingerprint of the meta-data tree the run planned with: a worker that has not seen it
   * reloads its plates before running the piece (plate-creation pieces may have run elsewhere).
   */
  plates: z.string().optional(),
});

/** A job's data: one piece of a run, and the definition it was planned for. */
export interface PieceJob {
  readonly format: typeof JOB_FORMAT;
  readonly run: string;
  readonly definition: string;
  readonly piece: WorkPiece;
  readonly retry: BackoffPolicy;
  readonly pieceTimeout?: number;
  readonly plates?: string;
}

/** Zod schema of what a worker returns for a job. */
export const pieceResultSchema = z.strictObject({
  /** `done`: computed and recorded; `skipped`: calculated already; `cancelled`: its run was cancelled. */
  status: z.enum(['done', 'skipped', 'cancelled']),
  /** The records of the pieces completed: this one (unless skipped) and what its tool pulled. */
  pieces: z.array(
    z.strictObject({
      record: pieceRecordSchema,
      tool: z.string(),
      fingerprint: z.string().optional(),
    }),
  ),
  /** The worker that ran it (`host:pid`). */
  worker: z.string(),
});

/** What a worker returns for a job. */
export interface PieceResult {
  readonly status: 'done' | 'skipped' | 'cancelled';
  readonly pieces: readonly {
    readonly record: PieceRecord;
    readonly tool: string;
    readonly fingerprint?: string;
  }[];
  readonly worker: string;
}

/** The job id of a piece of a run: unique per run, so a re-run enqueues it again. */
export function jobIdOf(run: string, pieceId: string): string {
  // BullMQ job ids may not contain ':' and must not be integers.
  return `${run}.${pieceId}`;
}

/** The run a job id belongs to (see {@link jobIdOf}). */
export function runOfJobId(jobId: string): string {
  const at = jobId.lastIndexOf('.');
  return at < 0 ? jobId : jobId.slice(0, at);
}

/** A definition as stored in the queue: its canonical JSON and the sha256 naming it. */
export interface PublishedDefinition {
  readonly json: string;
  readonly hash: string;
}

/** The canonical JSON of a workflow definition and its sha256: equal definitions, equal hashes. */
export function hashDefinition(definition: unknown): PublishedDefinition {
  const json = canonicalJson(definition);
  return { json, hash: sha256(json) };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
