import { ExecutionAbortedError, WorkflowExecutionError, isHyperstreamError } from '../errors.js';
import type { WorkPiece } from '../kinds/work-piece.js';
import type { PlateValue } from '../plates/plate.js';
import { formatPlateValue } from '../plates/plate.js';
import type {
  FactorSummary,
  PieceRecord,
  SessionRecord,
  SessionStore,
} from '../storage/session-store.js';
import type { Clock } from '../time/clock.js';
import { toDurationMs } from '../time/duration.js';
import type { TimeIntervalJSON } from '../time/time-interval.js';
import { TimeInterval } from '../time/time-interval.js';
import type { TimeIntervals } from '../time/time-intervals.js';
import type { ExecuteOptions, PieceProgress } from '../workflow/execution.js';
import { SESSION_HEARTBEAT_INTERVAL_MS } from '../storage/backend.js';
import { Semaphore } from './concurrency.js';
import type { PieceJournal } from './piece-executor.js';
import { newSessionId } from './session.js';

/** The name of the scheduler every engine has: pieces run in this process. */
export const LOCAL_RUNNER = 'local';

/** A piece (or the run itself) that failed. */
export interface Failure {
  readonly factor: string;
  readonly plateValue: PlateValue;
  readonly interval: TimeIntervalJSON;
  readonly error: unknown;
}

/** The state of one execute/request: its options, what completed, what failed. */
export class Run {
  /** The id of the run's session (also what queue commands call the run). */
  readonly id: string;
  readonly workflow: string;
  readonly signal: AbortSignal;
  /** Pieces in flight at once. */
  readonly slots: Semaphore;
  readonly maxPieceSize: number | undefined;
  readonly continueOnError: boolean;
  /** Longest a tool may take over one piece (ms), or undefined. */
  readonly pieceTimeout: number | undefined;
  /** The scheduler asked for (`ExecuteOptions.runner`). */
  readonly runner: string;
  /** `ExecuteOptions.priority`: 1 runs first; undefined for the scheduler's default. */
  readonly priority: number | undefined;
  readonly onPlan: ((pieces: readonly WorkPiece[]) => void) | undefined;
  readonly onPiece: ((piece: PieceRecord) => void) | undefined;
  readonly onProgress: ((progress: PieceProgress) => void) | undefined;
  readonly onFingerprintMismatch: 'recompute' | 'error';
  readonly pieces: PieceRecord[] = [];
  readonly totals = new Map<string, FactorSummary>();
  readonly failures: Failure[] = [];
  /**
   * What each unit is known to have calculated in this run, so the many pulls of one unit (a
   * tool asking for many windows of the same source) plan once.
   */
  readonly covered = new Map<string, TimeIntervals>();
  /** Where a worker remembers the pieces it wrote (see {@link PieceJournal}); none locally. */
  readonly journal: PieceJournal | undefined;
  /** No new piece starts: a failure with `continueOnError: false`, or storage that is down. */
  stopped = false;
  /** Set when the run was aborted: the abort error. */
  aborted: Error | undefined;

  /**
   * `as` is for a worker running one piece of another process's run: the run's session id (what
   * the piece's intervals are stamped with) and the worker's journal.
   */
  constructor(
    workflow: string,
    options: ExecuteOptions,
    as: { readonly id?: string; readonly journal?: PieceJournal } = {},
  ) {
    this.id = as.id ?? newSessionId();
    this.journal = as.journal;
    this.workflow = workflow;
    this.signal = options.signal ?? new AbortController().signal;
    this.slots = new Semaphore(Math.max(1, Math.floor(options.concurrency ?? 1)));
    this.maxPieceSize =
      options.maxPieceSize === undefined ? undefined : toDurationMs(options.maxPieceSize);
    this.continueOnError = options.continueOnError ?? true;
    this.pieceTimeout =
      options.pieceTimeout === undefined ? undefined : toDurationMs(options.pieceTimeout);
    this.runner = options.runner ?? LOCAL_RUNNER;
    this.priority = options.priority;
    this.onPlan = options.onPlan;
    this.onPiece = options.onPiece;
    this.onProgress = options.onProgress;
    this.onFingerprintMismatch = options.onFingerprintMismatch ?? 'recompute';
  }

  /** A piece completed: written, then recorded. */
  record(piece: WorkPiece, documents: number, durationMs: number): void {
    this.addRecord(
      {
        workflow: piece.workflow,
        factor: piece.factor,
        plateValue: piece.plateValue,
        interval: piece.interval,
        documents,
        durationMs,
      },
      toolLabel(piece),
      piece.fingerprint,
    );
  }

  /**
   * A piece completed elsewhere (a worker): its record, and its tool as `name@version{params}`
   * (see {@link toolLabel}) and the factor's fingerprint, for the factor totals.
   */
  addRecord(record: PieceRecord, tool: string, fingerprint?: string): void {
    this.pieces.push(record);
    this.onPiece?.(record);
    const total = this.totals.get(record.factor) ?? {
      factor: record.factor,
      tool,
      ...(fingerprint !== undefined ? { fingerprint } : {}),
      pieces: 0,
      documents: 0,
      durationMs: 0,
    };
    total.pieces++;
    total.documents += record.documents;
    total.durationMs += record.durationMs;
    this.totals.set(record.factor, total);
  }

  fail(failure: Failure): void {
    this.failures.push(failure);
    // Storage that is down fails every other piece too, each after its own server timeout: stop.
    if (!this.continueOnError || isRetryableStorageFailure(failure.error)) this.stopped = true;
  }

  abort(error: Error): void {
    this.aborted ??= error;
    this.stopped = true;
  }
}

/** Where sessions are saved; a store that can tell live runs from dead ones takes heartbeats. */
export type RunSessions = SessionStore & { heartbeat?(id: string): Promise<boolean> };

/** What a session records besides its outcome. */
export interface SessionStart {
  readonly kind: 'execute' | 'request';
  readonly workflows: readonly string[];
  readonly node?: string;
  readonly intervals: readonly TimeIntervalJSON[];
}

/**
 * Runs `body` as a session: saves it as running, runs, saves the outcome, and resolves to the
 * record — or throws `ExecutionAbortedError` / `WorkflowExecutionError` carrying it.
 */
export async function runSession(
  deps: { readonly sessions: RunSessions; readonly clock: Clock },
  start: SessionStart,
  run: Run,
  body: () => Promise<void>,
): Promise<SessionRecord> {
  const base = { id: run.id, ...start, startedAt: deps.clock.now() };
  await deps.sessions.save({ ...base, status: 'running', factors: [], pieces: [] });
  const interval = start.intervals[0] ?? new TimeInterval(0, 0).toJSON();
  // While it runs, the session says so: one that stops beating is reported abandoned.
  const heartbeat = deps.sessions.heartbeat?.bind(deps.sessions);
  const beating = heartbeat
    ? setInterval(() => void heartbeat(base.id).catch(() => false), SESSION_HEARTBEAT_INTERVAL_MS)
    : undefined;
  beating?.unref();
  try {
    await body();
  } catch (error) {
    if (isAbort(error)) run.abort(error as Error);
    else run.fail({ factor: '(run)', plateValue: [], interval, error });
  } finally {
    clearInterval(beating);
  }
  const first = run.failures[0];
  const status = run.aborted !== undefined ? 'aborted' : first ? 'failed' : 'completed';
  const session: SessionRecord = {
    ...base,
    endedAt: deps.clock.now(),
    status,
    factors: [...run.totals.values()],
    pieces: run.pieces,
    ...(status === 'aborted'
      ? { error: { code: 'EXECUTION_ABORTED', message: 'execution aborted on request' } }
      : first
        ? {
            error: {
              code: isHyperstreamError(first.error) ? first.error.code : 'UNKNOWN',
              message: messageOf(first.error),
              factor: first.factor,
              plateValue: first.plateValue.map(([k, v]) => [k, v] as [string, string]),
              interval: first.interval,
            },
          }
        : {}),
  };
  // Saving the record must not hide why the run failed (storage may be what failed).
  let saveError: unknown;
  try {
    await deps.sessions.save(session);
  } catch (error) {
    if (status === 'completed') throw error;
    saveError = error;
  }
  const unsaved = saveError === undefined ? {} : { sessionSaveError: messageOf(saveError) };
  const workflow = start.workflows.join(', ');
  const over = TimeInterval.fromJSON(interval).toString();
  if (status === 'aborted') {
    throw new ExecutionAbortedError(
      `workflow "${workflow}" was aborted over ${over}: ${run.pieces.length} completed pieces are recorded, nothing partial`,
      { workflow, session, ...unsaved },
    );
  }
  if (first) {
    const more = run.failures.length > 1 ? ` (and ${run.failures.length - 1} more failures)` : '';
    throw new WorkflowExecutionError(
      `workflow "${workflow}" failed: factor "${first.factor}" for ${formatPlateValue(first.plateValue)} over ` +
        `${TimeInterval.fromJSON(first.interval).toString()}: ${messageOf(first.error)}${more}; that interval stays uncalculated, run again to fill it`,
      {
        workflow,
        factor: first.factor,
        plateValue: first.plateValue,
        interval: first.interval,
        session,
        failures: run.failures.map((f) => ({
          factor: f.factor,
          plateValue: f.plateValue,
          interval: f.interval,
          message: messageOf(f.error),
        })),
        ...unsaved,
      },
      first.error,
    );
  }
  return session;
}

/** How a session's factor totals name a piece's tool: `name@version{params}`. */
export function toolLabel(piece: Pick<WorkPiece, 'tool'>): string {
  return `${piece.tool.name}@${piece.tool.version}${piece.tool.params}`;
}

/** True for the error of an aborted run. */
export function isAbort(error: unknown): boolean {
  return isHyperstreamError(error) && error.code === 'EXECUTION_ABORTED';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isRetryableStorageFailure(error: unknown): boolean {
  for (
    let e: unknown = error;
    e !== undefined && e !== null;
    e = (e as { cause?: unknown }).cause
  ) {
    if (
      isHyperstreamError(e) &&
      e.code === 'STORAGE_FAILED' &&
      (e as { retryable?: boolean }).retryable
    ) {
      return true;
    }
    if (typeof e !== 'object') break;
  }
  return false;
}
