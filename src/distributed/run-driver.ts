// Drives one plan's DAG through the queue. BullMQ flows are trees (a job has at most one parent)
// while our pieces form a DAG (an aggregate piece reads many pieces; a piece is read by several),
// so the coordinating process keeps the DAG: it enqueues the pieces whose dependencies completed,
// and each completion event releases the pieces waiting for it. The run's session is the
// coordinator's anyway; the cost is one queue round trip per dependency level, not per piece.
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  ExecutionAbortedError,
  PieceFailedOnWorkerError,
  QueueUnavailableError,
} from '../errors.js';
import type { Run } from '../engine/run.js';
import type { BackoffPolicy } from '../internal/backoff.js';
import type { WorkPiece } from '../kinds/work-piece.js';
import { unitKey } from '../kinds/work-piece.js';
import { TimeIntervals } from '../time/time-intervals.js';
import type { ResolvedQueue } from './connection.js';
import { isConnectionError, retryWhileUnavailable, unavailable } from './connection.js';
import type { PieceJob, PublishedDefinition } from './job.js';
import { JOB_FORMAT, jobIdOf, pieceResultSchema } from './job.js';
import type { RetryRule } from './retry.js';
import { BACKOFF_TYPE, retryPolicyFor } from './retry.js';

/** What a run driver needs of its scheduler. */
export interface DriverServices {
  readonly queue: Queue;
  readonly redis: Redis;
  readonly resolved: ResolvedQueue;
  readonly retry: BackoffPolicy;
  readonly retries: readonly RetryRule[];
  readonly redisTimeout: number;
  readonly sweepInterval: number;
  /** Routes a job's events to the driver until `forget`. */
  follow(jobId: string, driver: RunDriver): void;
  forget(jobId: string): void;
  /** Publishes a definition once per connection (re-published after Redis lost data). */
  publish(definition: PublishedDefinition): Promise<void>;
  /** When the last queue event arrived (wall clock ms). */
  lastEventAt(): number;
}

/** What a driver enqueues with: the definition, the plates' fingerprint, the priority. */
export interface DriverPlan {
  readonly definition: PublishedDefinition;
  readonly plates: string;
  readonly priority: number;
  /** True for pieces that create plate values (their factor's kind says so). */
  readonly createsPlates: (piece: WorkPiece) => boolean;
}

type PieceState = 'blocked' | 'queued' | 'done' | 'failed' | 'skipped';

/**
 * Runs the pieces of one plan on the queue and resolves, like the local scheduler, to whether
 * they all completed. Completions come from queue events; a sweep looks jobs up in Redis when no
 * event came for a while (events missed across a Redis restart, jobs Redis lost — enqueued again —
 * and `queue cancel`).
 */
export class RunDriver {
  readonly #services: DriverServices;
  readonly #run: Run;
  readonly #plan: DriverPlan;
  readonly #pieces = new Map<string, WorkPiece>();
  readonly #state = new Map<string, PieceState>();
  readonly #blockers = new Map<string, number>();
  readonly #dependents = new Map<string, string[]>();
  /** Enqueued and not settled: job id → piece id, and when it was enqueued. */
  readonly #inFlight = new Map<string, { piece: string; at: number }>();
  #settled = 0;
  #ok = true;
  #stopping = false;
  #finish: (() => void) | undefined;
  #fatal: unknown;
  #unavailableSince: number | undefined;
  /** Enqueues, one batch at a time, in order. */
  #writes: Promise<void> = Promise.resolve();
  #lost = 0;

  constructor(services: DriverServices, run: Run, pieces: readonly WorkPiece[], plan: DriverPlan) {
    this.#services = services;
    this.#run = run;
    this.#plan = plan;
    for (const piece of pieces) {
      this.#pieces.set(piece.id, piece);
      this.#state.set(piece.id, 'blocked');
    }
    // Pieces creating plate values of one unit run one after another, in time order, each seeing
    // the values the previous one added (as in a local run: which piece adds a value, and the
    // label it keeps, do not depend on which worker was faster).
    const previous = new Map<string, string>();
    const chained = new Map<string, string>();
    for (const piece of pieces) {
      if (!plan.createsPlates(piece)) continue;
      const unit = unitKey(piece.workflow, piece.factor, piece.plateValue);
      const before = previous.get(unit);
      if (before !== undefined) chained.set(piece.id, before);
      previous.set(unit, piece.id);
    }
    for (const piece of pieces) {
      // A dependency outside the plan is not waited for (as in the local scheduler).
      const chain = chained.get(piece.id);
      const deps = [...piece.dependsOn, ...(chain === undefined ? [] : [chain])].filter((id) =>
        this.#pieces.has(id),
      );
      this.#blockers.set(piece.id, deps.length);
      for (const id of deps) {
        const list = this.#dependents.get(id);
        if (list) list.push(piece.id);
        else this.#dependents.set(id, [piece.id]);
      }
    }
  }

  /** Enqueues, follows and settles every piece; resolves to whether all completed. */
  async drive(): Promise<boolean> {
    const run = this.#run;
    const finished = new Promise<void>((resolve) => {
      this.#finish = resolve;
    });
    const onAbort = (): void => {
      run.abort(
        new ExecutionAbortedError(
          `aborted: pieces not started are not enqueued (waiting ones are revoked); running pieces finish and are recorded`,
        ),
      );
      this.#stop();
    };
    if (run.signal.aborted || run.stopped) {
      if (run.signal.aborted) onAbort();
      return false;
    }
    run.signal.addEventListener('abort', onAbort, { once: true });
    const sweep = setInterval(() => {
      this.#sweep().catch((error: unknown) => this.#give(error));
    }, this.#services.sweepInterval);
    try {
      this.#enqueue([...this.#pieces.values()].filter((p) => this.#blockers.get(p.id) === 0));
      this.#check();
      await finished;
    } finally {
      clearInterval(sweep);
      run.signal.removeEventListener('abort', onAbort);
      for (const jobId of this.#inFlight.keys()) this.#services.forget(jobId);
      await this.#writes;
      // The workers' journal of this run is needed no more (a TTL removes it if this fails).
      await this.#services.redis.del(this.#services.resolved.keys.written(run.id)).catch(() => 0);
    }
    if (this.#fatal !== undefined) {
      run.fail({
        factor: '(queue)',
        plateValue: [],
        interval: this.#anyInterval(),
        error: this.#fatal,
      });
    }
    return this.#ok && this.#fatal === undefined && !run.aborted;
  }

  /** A job completed (an event, or found by the sweep). */
  completed(jobId: string, returnvalue: unknown): void {
    const entry = this.#inFlight.get(jobId);
    if (!entry) return;
    const piece = this.#pieces.get(entry.piece)!;
    this.#leave(jobId);
    const result = pieceResultSchema.safeParse(returnvalue);
    if (!result.success || result.data.status === 'cancelled') {
      this.#fail(
        piece,
        result.success
          ? new ExecutionAbortedError(`piece ${piece.id} was not run: its run was cancelled`)
          : new PieceFailedOnWorkerError(
              `job ${jobId} returned ${JSON.stringify(returnvalue)?.slice(0, 200)}, not a piece result: is a worker of another version on the queue?`,
              { jobId },
            ),
      );
      return;
    }
    for (const { record, tool, fingerprint } of result.data.pieces) {
      this.#run.addRecord(record, tool, fingerprint);
    }
    const key = unitKey(piece.workflow, piece.factor, piece.plateValue);
    this.#run.covered.set(
      key,
      (this.#run.covered.get(key) ?? TimeIntervals.EMPTY).union(TimeIntervals.of(piece.interval)),
    );
    this.#settle(piece.id, 'done');
    const ready: WorkPiece[] = [];
    for (const id of this.#dependents.get(piece.id) ?? []) {
      const left = this.#blockers.get(id)! - 1;
      this.#blockers.set(id, left);
      if (left === 0 && this.#state.get(id) === 'blocked') ready.push(this.#pieces.get(id)!);
    }
    if (this.#stopping || this.#run.stopped) this.#stop();
    else this.#enqueue(ready);
    this.#check();
  }

  /** A job failed for good: its retries are spent, or it cannot be run. */
  failed(jobId: string, reason: string): void {
    const entry = this.#inFlight.get(jobId);
    if (!entry) return;
    const piece = this.#pieces.get(entry.piece)!;
    this.#leave(jobId);
    const code = /^\[([A-Z_]+)\]/.exec(reason)?.[1];
    this.#fail(
      piece,
      new PieceFailedOnWorkerError(
        `piece failed on a queue worker: ${reason}; the dead letter is job ${jobId} ("hyperstream queue failed" lists it)`,
        { jobId, reason, ...(code ? { cause: code } : {}) },
      ),
    );
    this.#check();
  }

  /** A running job wrote another batch. */
  progress(jobId: string, data: unknown): void {
    const entry = this.#inFlight.get(jobId);
    const documents = (data as { documents?: unknown } | null)?.documents;
    if (!entry || typeof documents !== 'number' || !this.#run.onProgress) return;
    const piece = this.#pieces.get(entry.piece)!;
    this.#run.onProgress({
      workflow: piece.workflow,
      factor: piece.factor,
      plateValue: piece.plateValue,
      interval: piece.interval,
      documents,
    });
  }

  #fail(piece: WorkPiece, error: unknown): void {
    this.#run.fail({
      factor: piece.factor,
      plateValue: piece.plateValue,
      interval: piece.interval,
      error,
    });
    this.#settle(piece.id, 'failed');
    this.#ok = false;
    // What depends on it does not run (its intervals stay uncalculated).
    const stack = [...(this.#dependents.get(piece.id) ?? [])];
    while (stack.length) {
      const id = stack.pop()!;
      if (this.#state.get(id) !== 'blocked') continue;
      this.#settle(id, 'skipped');
      stack.push(...(this.#dependents.get(id) ?? []));
    }
    if (this.#run.stopped) this.#stop();
  }

  #settle(id: string, state: PieceState): void {
    const before = this.#state.get(id);
    if (before === 'done' || before === 'failed' || before === 'skipped') return;
    this.#state.set(id, state);
    this.#settled++;
  }

  #leave(jobId: string): void {
    this.#inFlight.delete(jobId);
    this.#services.forget(jobId);
  }

  /** No new piece is enqueued; pieces not started are revoked by the next sweep. */
  #stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#ok = false;
    for (const [id, state] of this.#state) if (state === 'blocked') this.#settle(id, 'skipped');
    this.#check();
  }

  #check(): void {
    if (this.#settled === this.#pieces.size || this.#fatal !== undefined) this.#finish?.();
  }

  #enqueue(pieces: readonly WorkPiece[]): void {
    if (!pieces.length) return;
    const now = Date.now();
    const jobs = pieces.map((piece) => {
      const jobId = jobIdOf(this.#run.id, piece.id);
      this.#state.set(piece.id, 'queued');
      this.#inFlight.set(jobId, { piece: piece.id, at: now });
      this.#services.follow(jobId, this);
      return this.#job(piece, jobId);
    });
    this.#writes = this.#writes.then(async () => {
      try {
        await retryWhileUnavailable(
          async () => {
            await this.#services.publish(this.#plan.definition);
            await this.#services.queue.addBulk(jobs);
          },
          this.#services.resolved,
          'enqueueing pieces',
          this.#services.redisTimeout,
        );
      } catch (error) {
        this.#give(error);
      }
    });
  }

  #job(piece: WorkPiece, jobId: string) {
    const retry = retryPolicyFor(piece, this.#services.retries, this.#services.retry);
    const data: PieceJob = {
      format: JOB_FORMAT,
      run: this.#run.id,
      definition: this.#plan.definition.hash,
      piece,
      retry,
      ...(this.#run.pieceTimeout !== undefined ? { pieceTimeout: this.#run.pieceTimeout } : {}),
      plates: this.#plan.plates,
    };
    return {
      name: `${piece.workflow}/${piece.factor}`,
      data,
      opts: {
        jobId,
        priority: this.#plan.priority,
        attempts: retry.maxRetries + 1,
        backoff: { type: BACKOFF_TYPE, delay: retry.delay },
        removeOnComplete: { age: 3600, count: 100_000 },
        removeOnFail: { count: 100_000 },
      },
    };
  }

  /** Looks the run's jobs up when events are quiet; revokes waiting ones once stopped. */
  async #sweep(): Promise<void> {
    const services = this.#services;
    try {
      if (
        !this.#stopping &&
        (await services.redis.exists(services.resolved.keys.cancelled(this.#run.id))) === 1
      ) {
        this.#run.abort(
          new ExecutionAbortedError(
            `run ${this.#run.id} was cancelled with "hyperstream queue cancel": its waiting pieces were revoked`,
          ),
        );
        this.#stop();
      }
      const quiet = Date.now() - services.lastEventAt() >= services.sweepInterval;
      if (!quiet && !this.#stopping) {
        this.#unavailableSince = undefined;
        return;
      }
      const now = Date.now();
      const due = [...this.#inFlight]
        .filter(([, e]) => now - e.at >= services.sweepInterval)
        .slice(0, 500);
      const states = await Promise.all(
        due.map(async ([jobId]) => await services.queue.getJobState(jobId)),
      );
      const lost: WorkPiece[] = [];
      for (const [i, [jobId, entry]] of due.entries()) {
        const state = states[i];
        if (!this.#inFlight.has(jobId)) continue;
        if (state === 'completed' || state === 'failed') {
          const job = await readJob(services.queue, jobId);
          if (!job) continue;
          if (state === 'completed') this.completed(jobId, job.returnvalue);
          else this.failed(jobId, job.failedReason);
        } else if (state === 'unknown') {
          const piece = this.#pieces.get(entry.piece)!;
          if (this.#stopping) {
            this.#leave(jobId);
            this.#settle(piece.id, 'skipped');
          } else {
            // Redis lost it (restarted without its data): enqueue it again. The executor skips
            // it if a worker had finished it.
            this.#inFlight.delete(jobId);
            lost.push(piece);
          }
        } else if (this.#stopping && state !== 'active') {
          // Revoke: a waiting, prioritized or delayed job of a stopped run is not started.
          if ((await services.queue.remove(jobId)) === 1) {
            this.#leave(jobId);
            this.#settle(entry.piece, 'skipped');
          }
        }
      }
      if (lost.length) {
        this.#lost += lost.length;
        this.#enqueue(lost);
      }
      this.#unavailableSince = undefined;
      this.#check();
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.#unavailableSince ??= Date.now();
      if (Date.now() - this.#unavailableSince > services.redisTimeout) {
        this.#give(unavailable(services.resolved, 'following the run', error));
      }
    }
  }

  /** The run cannot go on (Redis gone too long): settle everything as not completed. */
  #give(error: unknown): void {
    if (this.#fatal !== undefined) return;
    this.#fatal =
      error instanceof QueueUnavailableError || !isConnectionError(error)
        ? error
        : unavailable(this.#services.resolved, 'following the run', error);
    this.#ok = false;
    this.#finish?.();
  }

  #anyInterval(): { start: number; end: number } {
    const first = this.#pieces.values().next().value;
    return first ? first.interval : { start: 0, end: 0 };
  }

  /** Pieces enqueued again because Redis lost them. */
  get lost(): number {
    return this.#lost;
  }
}

/** Reads a finished job (for the sweep), or undefined when Redis no longer has it. */
export async function readJob(queue: Queue, jobId: string): Promise<Job | undefined> {
  return (await queue.getJob(jobId)) ?? undefined;
}
