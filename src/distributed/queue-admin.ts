// Operating the queue: what it holds, its dead letters (failed jobs are BullMQ's failed set),
// retrying them, revoking a run's waiting pieces, pausing and resuming, and the workers.
import type { Job } from 'bullmq';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { InvalidArgumentError } from '../errors.js';
import type { QueueLocation, ResolvedQueue } from './connection.js';
import { bullConnection, openRedis, resolveQueue, withinTime } from './connection.js';
import type { PieceJob } from './job.js';
import { runOfJobId } from './job.js';
import type { QueueStatus, WorkerStatus } from './status-types.js';

/** A dead letter: a piece that failed for good, with its error. */
export interface DeadLetter {
  readonly id: string;
  readonly run: string;
  readonly workflow: string;
  readonly factor: string;
  /** `key=value,…` */
  readonly plateValue: string;
  readonly interval: { readonly start: number; readonly end: number } | undefined;
  readonly attempts: number;
  /** `[CODE] message` as the worker reported it. */
  readonly reason: string;
  readonly failedAt: string | undefined;
  /** The worker that ran it last. */
  readonly worker: string | undefined;
}

/** Operations on a queue (the `hyperstream queue` commands). */
export interface QueueAdmin {
  status(): Promise<QueueStatus>;
  /** The dead letters, newest first (at most `limit`, default 100). */
  failed(options?: { readonly limit?: number }): Promise<DeadLetter[]>;
  /**
   * Puts dead letters back in the queue with their attempts reset: the given job ids, or every
   * one. Resolves with the ids requeued. A retried piece is recorded once a worker computes it;
   * pieces of its run that depended on it were not run: run the workflow again to finish them.
   */
  retry(ids: readonly string[] | 'all'): Promise<string[]>;
  /**
   * Cancels a run (its session id): its waiting pieces are revoked (removed unstarted), workers
   * skip any they take afterwards, and the coordinator stops enqueueing (its session ends
   * `aborted`). Running pieces finish and are recorded.
   */
  cancel(run: string): Promise<{ readonly revoked: number }>;
  /** No worker takes a new piece until `resume` (running ones finish). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

/** How long a worker's heartbeat counts as alive: 3 heartbeats of 5 s. */
const WORKER_STALE_MS = 15_000;
/** How long a cancelled run stays marked. */
const CANCEL_TTL_S = 7 * 24 * 3600;

/** Opens the queue for operations; `QueueUnavailableError` when Redis does not answer in `timeout` ms. */
export async function openQueueAdmin(
  location: QueueLocation,
  options: { readonly timeout?: number } = {},
): Promise<QueueAdmin> {
  const resolved = resolveQueue(location);
  const redis = openRedis(resolved);
  const queue = new Queue(resolved.queue, {
    connection: bullConnection(resolved, { maxRetriesPerRequest: 2 }),
    prefix: resolved.prefix,
  });
  queue.on('error', () => undefined);
  try {
    const timeout = options.timeout ?? 10_000;
    await withinTime(redis.connect(), timeout, resolved, 'opening the queue');
    await withinTime(queue.waitUntilReady(), timeout, resolved, 'opening the queue');
  } catch (error) {
    await queue.close().catch(() => undefined);
    redis.disconnect();
    throw error;
  }
  return new Admin(resolved, queue, redis);
}

class Admin implements QueueAdmin {
  readonly #resolved: ResolvedQueue;
  readonly #queue: Queue;
  readonly #redis: Redis;

  constructor(resolved: ResolvedQueue, queue: Queue, redis: Redis) {
    this.#resolved = resolved;
    this.#queue = queue;
    this.#redis = redis;
  }

  async status(): Promise<QueueStatus> {
    const counts = await this.#queue.getJobCounts(
      'waiting',
      'prioritized',
      'delayed',
      'active',
      'completed',
      'failed',
    );
    const now = Date.now();
    const workers: WorkerStatus[] = [];
    const stale: string[] = [];
    for (const [name, json] of Object.entries(
      await this.#redis.hgetall(this.#resolved.keys.workers),
    )) {
      try {
        const status = JSON.parse(json) as WorkerStatus;
        if (now - status.heartbeatAt > WORKER_STALE_MS) stale.push(name);
        else workers.push(status);
      } catch {
        stale.push(name);
      }
    }
    // A worker that died without saying so.
    if (stale.length) await this.#redis.hdel(this.#resolved.keys.workers, ...stale);
    return {
      queue: this.#resolved.queue,
      redis: this.#resolved.where,
      paused: await this.#queue.isPaused(),
      waiting: counts.waiting ?? 0,
      prioritized: counts.prioritized ?? 0,
      delayed: counts.delayed ?? 0,
      active: counts.active ?? 0,
      completed: counts.completed ?? 0,
      failed: counts.failed ?? 0,
      workers: workers.sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  async failed(options: { readonly limit?: number } = {}): Promise<DeadLetter[]> {
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new InvalidArgumentError(`invalid limit ${String(limit)}: expected an integer from 1`);
    }
    const jobs = (await this.#queue.getFailed(0, limit - 1)) as Job[];
    return jobs.filter((job) => job !== undefined && job !== null).map(deadLetter);
  }

  async retry(ids: readonly string[] | 'all'): Promise<string[]> {
    const jobs: Job[] = [];
    if (ids === 'all') {
      for (let start = 0; ; start += 1000) {
        const page = (await this.#queue.getFailed(start, start + 999)) as Job[];
        jobs.push(...page.filter(Boolean));
        if (page.length < 1000) break;
      }
    } else {
      for (const id of ids) {
        const job = (await this.#queue.getJob(id)) as Job | undefined;
        const state = job ? await job.getState() : 'unknown';
        if (!job || state !== 'failed') {
          throw new InvalidArgumentError(
            `job "${id}" is not a dead letter (it is ${state === 'unknown' ? 'not in the queue' : state}): see "hyperstream queue failed"`,
            { jobId: id },
          );
        }
        jobs.push(job);
      }
    }
    const retried: string[] = [];
    for (const job of jobs) {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      retried.push(String(job.id));
    }
    return retried;
  }

  async cancel(run: string): Promise<{ readonly revoked: number }> {
    if (typeof run !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(run)) {
      throw new InvalidArgumentError(
        `invalid run id ${JSON.stringify(run)}: expected a session id (see "hyperstream sessions list")`,
      );
    }
    // Marked first: a worker taking one of its pieces meanwhile skips it, and the coordinator
    // stops enqueueing.
    await this.#redis.set(this.#resolved.keys.cancelled(run), '1', 'EX', CANCEL_TTL_S);
    let revoked = 0;
    for (let start = 0; ; start += 1000) {
      const page = (await this.#queue.getJobs(
        ['waiting', 'prioritized', 'delayed'],
        start,
        start + 999,
      )) as Job[];
      for (const job of page) {
        if (!job || runOfJobId(String(job.id)) !== run) continue;
        if ((await this.#queue.remove(String(job.id))) === 1) revoked++;
      }
      if (page.length < 1000) break;
    }
    return { revoked };
  }

  async pause(): Promise<void> {
    await this.#queue.pause();
  }

  async resume(): Promise<void> {
    await this.#queue.resume();
  }

  async close(): Promise<void> {
    await this.#queue.close().catch(() => undefined);
    this.#redis.disconnect();
  }
}

function deadLetter(job: Job): DeadLetter {
  const data = job.data as Partial<PieceJob> | undefined;
  const piece = data?.piece;
  return {
    id: String(job.id),
    run: typeof data?.run === 'string' ? data.run : runOfJobId(String(job.id)),
    workflow: typeof piece?.workflow === 'string' ? piece.workflow : '?',
    factor: typeof piece?.factor === 'string' ? piece.factor : job.name,
    plateValue: Array.isArray(piece?.plateValue)
      ? piece.plateValue.map((pair) => (Array.isArray(pair) ? pair.join('=') : '?')).join(',')
      : '',
    interval:
      typeof piece?.interval?.start === 'number' && typeof piece.interval.end === 'number'
        ? { start: piece.interval.start, end: piece.interval.end }
        : undefined,
    attempts: job.attemptsMade,
    reason: job.failedReason ?? '',
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
    worker: job.processedBy,
  };
}
