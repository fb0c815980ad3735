// The distributed queue as the web view shows it: its counts and the workers whose heartbeats are
// recent (`QueueAdmin.status()`, what `hyperstream queue status` prints). bullmq and ioredis are
// loaded only when a queue is configured, on the first look.
import type { QueueLocation } from '../distributed/connection.js';
import type { QueueAdmin } from '../distributed/queue-admin.js';
import type { QueueStatus } from '../distributed/status-types.js';
import type { QueueOverview, QueueWorkerJSON } from './api-types.js';

/** How long the web view waits for Redis before it says the queue does not answer (ms). */
const OPEN_TIMEOUT_MS = 3_000;

/** The queue of a web view: opened on first use, reopened after a failure, closed with the view. */
export class QueueView {
  readonly #location: QueueLocation | undefined;
  #admin: Promise<QueueAdmin> | undefined;
  #closed = false;

  constructor(location: QueueLocation | undefined) {
    this.#location = location;
  }

  /** The queue's counts and live workers; `configured: false` without a queue. */
  async overview(): Promise<QueueOverview> {
    const location = this.#location;
    if (location === undefined || this.#closed) return { configured: false };
    const { resolveQueue } = await import('../distributed/connection.js');
    const { queue, where } = resolveQueue(location);
    try {
      this.#admin ??= import('../distributed/queue-admin.js').then(
        async ({ openQueueAdmin }) => await openQueueAdmin(location, { timeout: OPEN_TIMEOUT_MS }),
      );
      const admin = await this.#admin;
      if (this.#closed) {
        await admin.close();
        return { configured: false };
      }
      const status = await admin.status();
      return { configured: true, reachable: true, ...overviewOf(status) };
    } catch (error) {
      // Opened again on the next look: Redis may come back.
      const admin = this.#admin;
      this.#admin = undefined;
      void admin?.then(async (a) => await a.close()).catch(() => undefined);
      return {
        configured: true,
        reachable: false,
        redis: where,
        queue,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const admin = this.#admin;
    this.#admin = undefined;
    await admin?.then(async (a) => await a.close()).catch(() => undefined);
  }
}

/** The JSON of a status: the fields the page shows (no memory figures). */
function overviewOf(
  status: QueueStatus,
): Omit<Extract<QueueOverview, { reachable: true }>, 'configured' | 'reachable'> {
  return {
    redis: status.redis,
    queue: status.queue,
    paused: status.paused,
    waiting: status.waiting,
    prioritized: status.prioritized,
    delayed: status.delayed,
    active: status.active,
    completed: status.completed,
    failed: status.failed,
    workers: status.workers.map((w): QueueWorkerJSON => ({
      name: w.name,
      status: w.status,
      host: w.host,
      pid: w.pid,
      concurrency: w.concurrency,
      started: w.started,
      heartbeatAt: w.heartbeatAt,
      done: w.done,
      skipped: w.skipped,
      failed: w.failed,
      abandoned: w.abandoned,
      documents: w.documents,
      lastError: w.lastError,
      current: w.current.map((p) => ({
        run: p.run,
        workflow: p.workflow,
        factor: p.factor,
        plateValue: p.plateValue,
        interval: { start: p.interval.start, end: p.interval.end },
      })),
    })),
  };
}
