import { InvalidArgumentError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import { systemClock } from '../time/clock.js';
import type { RelativeTimeInterval } from '../time/relative-time-interval.js';
import { TimeInterval } from '../time/time-interval.js';
import type { Timestamp } from '../time/timestamp.js';
import { formatTimestamp } from '../time/timestamp.js';
import type { BackoffPolicy } from '../internal/backoff.js';
import { settlesWithin } from '../internal/async.js';
import { DEFAULT_BACKOFF, backoffDelay, checkBackoffPolicy } from '../internal/backoff.js';
import type { Schedule } from './schedule.js';

/**
 * What the online engine runs: anything that can compute an interval. A workflow of the engine
 * fits (`workflow.execute(interval, { signal })`); tests use small fakes.
 *
 * @remarks The contract the engine relies on: `execute` computes only what is missing, and when
 * `signal` aborts it stops and records nothing partial (its calculated intervals stay truthful).
 */
export interface OnlineTarget {
  readonly id: string;
  execute(interval: TimeInterval, options: OnlineExecuteOptions): Promise<unknown>;
}

/** What the engine passes to {@link OnlineTarget.execute}. */
export interface OnlineExecuteOptions {
  readonly signal: AbortSignal;
  /** Call after each piece of work is written and recorded (a workflow's `onPiece`): `status` shows it. */
  readonly onPiece?: (piece: OnlinePieceDone) => void;
}

/** A piece of work that completed inside a tick (a workflow's piece record). */
export interface OnlinePieceDone {
  readonly factor: string;
  readonly plateValue: readonly (readonly [string, string])[];
  readonly interval: { readonly start: number; readonly end: number };
  readonly documents: number;
}

/** What the engine is doing now: the workflow and window being computed, and its last piece. */
export interface OnlineActivity {
  readonly workflow: string;
  /** The window being computed, `(start, end]`. */
  readonly window: string;
  /** 1 for the first attempt, 2 for the first retry… */
  readonly attempt: number;
  readonly since: string;
  /** Pieces and documents written so far in this window. */
  readonly pieces: number;
  readonly documents: number;
  /** The last piece done: factor, plate value (`key=value,…`), interval, documents. */
  readonly lastPiece:
    | {
        readonly factor: string;
        readonly plateValue: string;
        readonly interval: string;
        readonly documents: number;
      }
    | undefined;
}

/** One workflow kept up to date: when it runs, over which window, and how failures are retried. */
export interface OnlineWorkflowOptions {
  readonly target: OnlineTarget;
  readonly schedule: Schedule;
  /** The window of each tick relative to "now", e.g. `(−60 s, −10 s]`. */
  readonly window: RelativeTimeInterval;
  /** Ticks before this workflow is done; unbounded when absent. */
  readonly iterations?: number;
  readonly retry?: BackoffPolicy;
  /** Where the previous run left off: the first window starts here, so a restart leaves no gap. */
  readonly resumeFrom?: Timestamp;
}

/** Waits until `until` on the engine's clock; resolves early when `signal` aborts. */
export type Sleeper = (until: Timestamp, signal: AbortSignal) => Promise<void>;

/** Where the engine reports what it does (the CLI prints it; library code never logs itself). */
export interface OnlineLogger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

export interface OnlineEngineOptions {
  /** The service name (one running instance per name). */
  readonly name?: string;
  readonly workflows: readonly OnlineWorkflowOptions[];
  /** Default: the system clock. A `VirtualClock` with {@link virtualSleeper} runs hours in ms. */
  readonly clock?: Clock;
  /** Default: real timers measured against `clock`. */
  readonly sleep?: Sleeper;
  /** Called on every state change (start, each piece, stop): the service writes its state file. */
  readonly onChange?: (status: OnlineStatus) => void | Promise<void>;
  readonly logger?: OnlineLogger;
  /** How many failed pieces the dead-letter list keeps (the oldest go first); default 1000. */
  readonly maxFailedPieces?: number;
  /** Failed pieces of a previous run, kept so a restart does not lose the dead-letter list. */
  readonly failedPieces?: readonly FailedPiece[];
  /** Uniform `[0, 1)` numbers for retry jitter (default `Math.random`); inject one in tests. */
  readonly random?: () => number;
}

/** A piece that failed after all its retries; the engine went on with the next tick. */
export interface FailedPiece {
  readonly workflow: string;
  readonly interval: { readonly start: string; readonly end: string };
  readonly attempts: number;
  readonly error: string;
  readonly failedAt: string;
}

export interface OnlineWorkflowStatus {
  readonly workflow: string;
  readonly schedule: string;
  readonly window: string;
  readonly iterations: number;
  readonly failures: number;
  readonly lastRun: string | undefined;
  /** End of the last window done (computed or given up): the next window starts here. */
  readonly lastEnd: string | undefined;
  readonly nextRun: string | undefined;
  /** Set while a failed piece waits for its next retry. */
  readonly retrying: { readonly interval: string; readonly retry: number } | undefined;
  readonly done: boolean;
}

export type OnlineState = 'running' | 'stopped' | 'failed';

/** What `status` reports, in process or (through the state file) from another shell. */
export interface OnlineStatus {
  readonly name: string;
  readonly active: boolean;
  readonly status: OnlineState;
  readonly started: string | undefined;
  readonly stopped: string | undefined;
  readonly pid: number;
  /** Ticks done over all workflows (computed or given up). */
  readonly iterations: number;
  readonly lastRun: string | undefined;
  readonly lastError: string | undefined;
  readonly failedPieces: readonly FailedPiece[];
  readonly memory: { readonly rss: number; readonly heapUsed: number };
  readonly workflows: readonly OnlineWorkflowStatus[];
  /** What it is computing now, or `undefined` between ticks. */
  readonly current: OnlineActivity | undefined;
}

/** The outcome of `start`, `stop` and `restart`. */
export interface ActionResult {
  readonly status: 'SUCCESS' | 'ERROR';
  readonly message: string;
}

interface WorkflowState {
  readonly options: OnlineWorkflowOptions;
  readonly retry: BackoffPolicy;
  nextAt: Timestamp | undefined;
  lastEnd: Timestamp | undefined;
  pending: { interval: TimeInterval; retry: number } | undefined;
  iterations: number;
  failures: number;
  lastRun: Timestamp | undefined;
}

/**
 * Keeps online workflows up to date: on each tick of a workflow's schedule it executes the
 * workflow over its relative window, starting where the previous window ended (no gaps), retries
 * failures with backoff, records pieces that still fail in a dead-letter list and goes on.
 * Workflows share one loop, so a piece runs at a time; a waiting retry does not hold others up.
 *
 * @example
 * const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
 * const engine = new OnlineEngine({
 *   clock, sleep: virtualSleeper(clock),
 *   workflows: [{ target: workflow, schedule: everySchedule('PT10S'),
 *                 window: RelativeTimeInterval.parse('-PT60S/-PT10S'), iterations: 360 }],
 * });
 * await engine.start();
 * await engine.finished(); // an hour of schedule, in milliseconds
 */
export class OnlineEngine {
  readonly name: string;
  readonly #clock: Clock;
  readonly #sleep: Sleeper;
  readonly #options: OnlineEngineOptions;
  readonly #maxFailed: number;
  #workflows: WorkflowState[] = [];
  #state: OnlineState = 'stopped';
  #started: Timestamp | undefined;
  #stopped: Timestamp | undefined;
  #lastRun: Timestamp | undefined;
  #lastError: string | undefined;
  #failed: FailedPiece[] = [];
  #loop: Promise<void> | undefined;
  #stopping = false;
  #sleepAbort = new AbortController();
  #pieceAbort = new AbortController();
  #current: OnlineActivity | undefined;
  #lastProgressWrite = 0;
  #writes: Promise<void> = Promise.resolve();

  constructor(options: OnlineEngineOptions) {
    const ids = options.workflows.map((w) => w.target.id);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate !== undefined) {
      throw new InvalidArgumentError(
        `online workflow "${duplicate}" is listed twice: list each workflow once`,
        { workflow: duplicate },
      );
    }
    for (const workflow of options.workflows) {
      if (workflow.iterations !== undefined && !(workflow.iterations >= 1)) {
        throw new InvalidArgumentError(
          `online workflow "${workflow.target.id}": iterations must be 1 or more, or absent for no bound`,
        );
      }
      if (workflow.retry) checkBackoffPolicy(workflow.retry);
    }
    this.name = options.name ?? 'default';
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? realSleeper(this.#clock);
    this.#maxFailed = options.maxFailedPieces ?? 1000;
    this.#failed = [...(options.failedPieces ?? [])].slice(-this.#maxFailed);
  }

  /** Starts the loop (it runs until stopped or until every bounded workflow is done). */
  async start(): Promise<ActionResult> {
    if (this.#loop)
      return { status: 'ERROR', message: `online engine "${this.name}" is already running` };
    const now = this.#clock.now();
    this.#workflows = this.#options.workflows.map((options) => ({
      options,
      retry: options.retry ?? DEFAULT_BACKOFF,
      nextAt: options.schedule.next(now),
      lastEnd: options.resumeFrom,
      pending: undefined,
      iterations: 0,
      failures: 0,
      lastRun: undefined,
    }));
    this.#state = 'running';
    this.#started = now;
    this.#stopped = undefined;
    this.#stopping = false;
    this.#sleepAbort = new AbortController();
    this.#pieceAbort = new AbortController();
    await this.#changed();
    this.#options.logger?.info(`online engine "${this.name}" started`, {
      workflows: this.#workflows.map((w) => w.options.target.id),
    });
    // Cleared only once the loop has settled, even when it ends before its first await.
    this.#loop = this.#run().finally(() => {
      this.#loop = undefined;
    });
    return {
      status: 'SUCCESS',
      message: `online engine "${this.name}" started with ${String(this.#workflows.length)} workflow(s)`,
    };
  }

  /**
   * Stops gracefully: no new piece starts; the current one may finish within `timeout` ms
   * (default 30 s), after which it is aborted (the runner records nothing partial).
   */
  async stop(options: { readonly timeout?: number } = {}): Promise<ActionResult> {
    const loop = this.#loop;
    if (!loop) return { status: 'ERROR', message: `online engine "${this.name}" is not running` };
    const timeout = options.timeout ?? 30_000;
    this.#stopping = true;
    this.#sleepAbort.abort();
    if (!(await settlesWithin(loop, timeout))) {
      this.#options.logger?.warn(`online engine "${this.name}": abandoning the current piece`, {
        timeout,
      });
      this.#pieceAbort.abort();
      if (!(await settlesWithin(loop, timeout))) {
        return {
          status: 'ERROR',
          message: `online engine "${this.name}" did not stop within ${String(2 * timeout)} ms: its current piece ignores the abort signal`,
        };
      }
    }
    return { status: 'SUCCESS', message: `online engine "${this.name}" stopped` };
  }

  /** Stops (if running) and starts again; counters start afresh, the failed list is kept. */
  async restart(options: { readonly timeout?: number } = {}): Promise<ActionResult> {
    if (this.#loop) {
      const stopped = await this.stop(options);
      if (stopped.status === 'ERROR') return stopped;
    }
    this.#lastError = undefined;
    const started = await this.start();
    return started.status === 'SUCCESS'
      ? { status: 'SUCCESS', message: `online engine "${this.name}" restarted` }
      : started;
  }

  /** Resolves when the loop has ended (stopped, done, or failed), with the final status. */
  async finished(): Promise<OnlineStatus> {
    await this.#loop;
    return this.status();
  }

  status(): OnlineStatus {
    const memory = process.memoryUsage();
    return {
      name: this.name,
      active: this.#state === 'running',
      status: this.#state,
      started: iso(this.#started),
      stopped: iso(this.#stopped),
      pid: process.pid,
      iterations: this.#workflows.reduce((sum, w) => sum + w.iterations, 0),
      lastRun: iso(this.#lastRun),
      lastError: this.#lastError,
      failedPieces: [...this.#failed],
      memory: { rss: memory.rss, heapUsed: memory.heapUsed },
      workflows: this.#workflows.map((w) => ({
        workflow: w.options.target.id,
        schedule: w.options.schedule.description,
        window: w.options.window.toString(),
        iterations: w.iterations,
        failures: w.failures,
        lastRun: iso(w.lastRun),
        lastEnd: iso(w.lastEnd),
        nextRun: iso(w.nextAt),
        retrying: w.pending && {
          interval: w.pending.interval.toString(),
          retry: w.pending.retry,
        },
        done: w.nextAt === undefined,
      })),
      current: this.#current,
    };
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        const due = this.#nextDue();
        if (due === undefined || this.#stopping) break;
        await this.#sleep(due.nextAt!, this.#sleepAbort.signal);
        if (this.#stopping) break;
        if (this.#clock.now() < due.nextAt!) continue; // woken early; look again
        await this.#tick(due);
        if (this.#pieceAbort.signal.aborted) break;
        await this.#changed();
      }
      this.#state = 'stopped';
    } catch (error) {
      this.#state = 'failed';
      this.#lastError = message(error);
      this.#options.logger?.error(`online engine "${this.name}" failed: ${this.#lastError}`);
    }
    this.#stopped = this.#clock.now();
    await this.#changed().catch(() => undefined);
    this.#options.logger?.info(`online engine "${this.name}" ${this.#state}`);
  }

  #nextDue(): WorkflowState | undefined {
    let due: WorkflowState | undefined;
    for (const w of this.#workflows) {
      if (w.nextAt !== undefined && (due === undefined || w.nextAt < due.nextAt!)) due = w;
    }
    return due;
  }

  async #tick(w: WorkflowState): Promise<void> {
    const now = this.#clock.now();
    const id = w.options.target.id;
    const interval = w.pending?.interval ?? this.#window(w, now);
    if (interval === undefined) {
      w.nextAt = w.options.schedule.next(now);
      return;
    }
    const attempt = (w.pending?.retry ?? 0) + 1;
    this.#current = {
      workflow: id,
      window: interval.toString(),
      attempt,
      since: formatTimestamp(now),
      pieces: 0,
      documents: 0,
      lastPiece: undefined,
    };
    await this.#changed();
    try {
      await w.options.target.execute(interval, {
        signal: this.#pieceAbort.signal,
        onPiece: (piece) => this.#pieceDone(piece),
      });
    } catch (error) {
      this.#current = undefined;
      if (this.#pieceAbort.signal.aborted) {
        this.#options.logger?.info(`${id}: piece ${interval.toString()} abandoned by stop`);
        return;
      }
      const after = this.#clock.now();
      this.#lastError = `${id} ${interval.toString()}: ${message(error)}`;
      const retry = attempt; // the retry that would come next
      if (retry <= w.retry.maxRetries) {
        const delay = backoffDelay(w.retry, retry, this.#options.random);
        w.pending = { interval, retry };
        w.nextAt = after + delay;
        this.#options.logger?.warn(
          `${id}: piece ${interval.toString()} failed, retry ${String(retry)} in ${String(delay)} ms`,
          {
            error: message(error),
          },
        );
        return;
      }
      this.#recordFailed(w, interval, attempt, error, after);
      this.#finishTick(w, interval, after);
      return;
    }
    this.#current = undefined;
    this.#lastRun = this.#clock.now();
    w.lastRun = this.#lastRun;
    this.#finishTick(w, interval, this.#lastRun);
    this.#options.logger?.info(`${id}: computed ${interval.toString()}`, { attempts: attempt });
  }

  #window(w: WorkflowState, now: Timestamp): TimeInterval | undefined {
    const window = w.options.window.absolute(now);
    const start = w.lastEnd ?? window.start;
    return start < window.end ? new TimeInterval(start, window.end) : undefined;
  }

  #finishTick(w: WorkflowState, interval: TimeInterval, now: Timestamp): void {
    w.pending = undefined;
    w.lastEnd = interval.end;
    w.iterations += 1;
    const limit = w.options.iterations;
    w.nextAt =
      limit !== undefined && w.iterations >= limit ? undefined : w.options.schedule.next(now);
  }

  #recordFailed(
    w: WorkflowState,
    interval: TimeInterval,
    attempts: number,
    error: unknown,
    now: Timestamp,
  ): void {
    w.failures += 1;
    this.#failed.push({
      workflow: w.options.target.id,
      interval: { start: formatTimestamp(interval.start), end: formatTimestamp(interval.end) },
      attempts,
      error: message(error),
      failedAt: formatTimestamp(now),
    });
    if (this.#failed.length > this.#maxFailed) this.#failed.shift();
    this.#options.logger?.error(
      `${w.options.target.id}: piece ${interval.toString()} failed after ${String(attempts)} attempt(s); recorded as failed`,
      { error: message(error) },
    );
  }

  /** Records a finished piece of the current tick; the state is written at most once a second. */
  #pieceDone(piece: OnlinePieceDone): void {
    const current = this.#current;
    if (current === undefined) return;
    this.#current = {
      ...current,
      pieces: current.pieces + 1,
      documents: current.documents + piece.documents,
      lastPiece: {
        factor: piece.factor,
        plateValue: piece.plateValue.map(([k, v]) => `${k}=${v}`).join(','),
        interval: new TimeInterval(piece.interval.start, piece.interval.end).toString(),
        documents: piece.documents,
      },
    };
    const now = Date.now();
    if (now - this.#lastProgressWrite >= 1000) {
      this.#lastProgressWrite = now;
      this.#changed().catch(() => undefined);
    }
  }

  // One state write at a time, in order: a progress write never races a tick's.
  async #changed(): Promise<void> {
    const onChange = this.#options.onChange;
    if (onChange === undefined) return;
    const write = this.#writes.then(() => onChange(this.status()));
    this.#writes = write.catch(() => undefined);
    await write;
  }
}

/** A sleeper for a `VirtualClock`: jumps the clock to the wake-up time at once. */
export function virtualSleeper(clock: { now(): Timestamp; set(time: Timestamp): void }): Sleeper {
  return async (until, signal) => {
    // Yield to the event loop so that stop() and other callers get a turn.
    await new Promise((resolve) => setImmediate(resolve));
    if (!signal.aborted && clock.now() < until) clock.set(until);
  };
}

/** Real timers: waits `until − clock.now()` ms, in slices so a clock change is noticed. */
export function realSleeper(clock: Clock): Sleeper {
  return async (until, signal) => {
    while (!signal.aborted) {
      const wait = until - clock.now();
      if (wait <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(wait, 60_000));
        signal.addEventListener('abort', done, { once: true });
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
      });
    }
  };
}

function iso(t: Timestamp | undefined): string | undefined {
  return t === undefined ? undefined : formatTimestamp(t);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
