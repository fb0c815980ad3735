import type { PlateValueInput } from '../plates/plate.js';
import type { IntervalSpec } from '../time/parse-interval.js';
import type { TimeIntervalJSON } from '../time/time-interval.js';
import type { TimeInterval } from '../time/time-interval.js';
import type { DurationLike } from '../time/duration.js';
import type { PieceRecord, SessionRecord } from '../storage/session-store.js';
import type { Node } from '../kinds/node.js';
import type { WorkPiece } from '../kinds/work-piece.js';
import type { WorkflowGraph } from './graph.js';

/** Options of `workflow.execute` / `workflow.request`. */
export interface ExecuteOptions {
  /** Stops after the current piece with `ExecutionAbortedError`; nothing partial is recorded. */
  readonly signal?: AbortSignal;
  /** How many pieces (independent plate values or factors) may run at once. Default 1. */
  readonly concurrency?: number;
  /**
   * Which of the engine's schedulers runs the pieces: `'local'` (this process, the default) or one
   * registered with `Engine.create({ schedulers })`, such as `'queue'` (BullMQ workers). The plan,
   * the piece executor and the results are the same; only where pieces run differs.
   */
  readonly runner?: string;
  /**
   * Queue priority of the run's pieces, 1 (first) to 2,097,152; schedulers with a queue take
   * lower numbers first (the online engine's ticks before backfills). Default: the scheduler's.
   */
  readonly priority?: number;
  /** Longest interval one tool call computes; factors may set their own. Default: no limit. */
  readonly maxPieceSize?: DurationLike;
  /**
   * After a failed piece, keep computing pieces that do not depend on it (default true, friendlier
   * for the online engine); the run still ends with `WorkflowExecutionError`.
   */
  readonly continueOnError?: boolean;
  /**
   * Longest one tool call may take over one piece (ms or ISO duration). A tool still running then
   * is abandoned with `ToolTimeoutError` and its piece is not recorded. Default: no limit.
   */
  readonly pieceTimeout?: DurationLike;
  /**
   * Called with the pieces the planner planned, before they run: once per plan of the run (a
   * workflow with plate-creation factors plans again once the new plate values exist; a tool's
   * run-time pull plans what it pulls). Progress bars add them to their total.
   */
  readonly onPlan?: (pieces: readonly WorkPiece[]) => void;
  /** Called after each piece is written and recorded (progress bars, logs). */
  readonly onPiece?: (piece: PieceRecord) => void;
  /**
   * Called while a piece runs, each time a batch of its output has been written: progress within
   * long pieces. `documents` counts the piece's documents written so far.
   */
  readonly onProgress?: (progress: PieceProgress) => void;
  /**
   * What to do when a needed range of a sink was computed by a factor with another fingerprint
   * (other parameters, another major tool version, changed sources): `recompute` it, replacing its
   * data (default), or fail with `FingerprintMismatchError` before anything runs.
   */
  readonly onFingerprintMismatch?: 'recompute' | 'error';
}

/** Progress within one running piece. */
export interface PieceProgress {
  readonly workflow: string;
  readonly factor: string;
  readonly plateValue: readonly (readonly [string, string])[];
  readonly interval: TimeIntervalJSON;
  /** Documents of the piece written so far. */
  readonly documents: number;
}

/**
 * What to purge: one stream of a node (its plate value as an object `{ house: '1' }` or pairs), a
 * node, or all the workflow's outputs.
 */
export type PurgeTarget =
  | { readonly node: Node | string; readonly plateValue: PlateValueInput }
  | { readonly node: Node | string }
  | { readonly workflow: true };

/** Options of a purge. */
export interface WorkflowPurgeOptions {
  /** Only this part of time (HyperStream could only purge everything). */
  readonly interval?: TimeInterval;
  /** Also purge every node computed from the target (downstream). */
  readonly cascade?: boolean;
  /** Report what would be purged without deleting anything. */
  readonly dryRun?: boolean;
  /** Also forget the streams themselves (not only data and intervals); ignored with `interval`. */
  readonly removeDefinition?: boolean;
}

/** One stream a purge touched (or would touch). */
export interface PurgedStream {
  readonly node: string;
  readonly stream: string;
  readonly channel: string;
  readonly documents: number;
  /** The calculated intervals removed. */
  readonly intervals: readonly TimeIntervalJSON[];
}

/** What a purge did, or would do on a dry run. */
export interface PurgeReport {
  readonly dryRun: boolean;
  readonly streams: readonly PurgedStream[];
  /** Nodes computed from the purged ones that were not purged (pass `cascade: true` to include them). */
  readonly downstream: readonly string[];
}

/** What an executor needs of a workflow: its id and its graph as of now. */
export interface ExecutableWorkflow {
  readonly id: string;
  readonly graph: WorkflowGraph;
}

/** Runs workflows: implemented by the engine's runner, injected into workflows. */
export interface WorkflowExecutor {
  execute(
    workflow: ExecutableWorkflow,
    interval: IntervalSpec,
    options?: ExecuteOptions,
  ): Promise<SessionRecord>;
  request(
    workflow: ExecutableWorkflow,
    node: Node | string,
    interval: IntervalSpec,
    options?: ExecuteOptions,
  ): Promise<SessionRecord>;
  purge(
    workflow: ExecutableWorkflow,
    target: PurgeTarget,
    options?: WorkflowPurgeOptions,
  ): Promise<PurgeReport>;
}
