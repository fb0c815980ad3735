import type { QueueSchedulerOptions } from '../distributed/queue-scheduler.js';
import type { Scheduler, SchedulerFactory } from '../engine/scheduler.js';
import type { WorkerOptions } from '../distributed/worker.js';
import { ConfigError } from '../errors.js';
import { toDurationMs } from '../time/duration.js';
import type { QueueConfig } from './config-schema.js';
import { backoffFromConfig } from './online-from-config.js';

/** What the queue scheduler is built with, from the config's `queue` section (plain data). */
export function queueSchedulerOptions(queue: QueueConfig): QueueSchedulerOptions {
  return {
    connection: queueUrl(queue),
    queue: queue.name,
    prefix: queue.prefix,
    ...(queue.retry ? { retry: backoffFromConfig(queue.retry) } : {}),
    retries: queue.retries.map((rule) => ({
      workflow: rule.workflow,
      ...(rule.factor !== undefined ? { factor: rule.factor } : {}),
      retry: backoffFromConfig(rule.retry),
    })),
    priority: queue.priority,
    redisTimeout: toDurationMs(queue.redisTimeout),
  };
}

/** A worker's options from the config's `queue` section (`engine` and overrides added by the caller). */
export function queueWorkerOptions(
  queue: QueueConfig,
): Omit<WorkerOptions, 'engine'> & { readonly stopTimeout: number } {
  return {
    connection: queueUrl(queue),
    queue: queue.name,
    prefix: queue.prefix,
    concurrency: queue.worker.concurrency,
    lockDuration: toDurationMs(queue.worker.lockDuration),
    stalledInterval: toDurationMs(queue.worker.stalledInterval),
    maxStalledCount: queue.worker.maxStalledCount,
    stopTimeout: toDurationMs(queue.worker.stopTimeout),
  };
}

/** The queue's Redis URL; a `ConfigError` saying where to set it when there is none. */
export function queueUrl(queue: QueueConfig): string {
  if (queue.url === undefined) {
    throw new ConfigError(
      'the queue section has no url: set queue.url (e.g. "redis://127.0.0.1:6379") or REDIS_URL',
      { path: 'queue.url' },
    );
  }
  return queue.url;
}

/** A `ConfigError` for a command that needs the queue when none is configured. */
export function noQueueError(what: string): ConfigError {
  return new ConfigError(
    `${what} needs the job queue: add a "queue": { "url": "redis://127.0.0.1:6379" } section to the config, or set REDIS_URL`,
    { path: 'queue' },
  );
}

/**
 * The `queue` scheduler of the config, loading bullmq only when a run first uses it (so commands
 * that never run on the queue never load it).
 */
export function lazyQueueScheduler(queue: QueueConfig): SchedulerFactory {
  const options = queueSchedulerOptions(queue);
  return (context) => {
    let inner: Promise<Scheduler> | undefined;
    const scheduler = async (): Promise<Scheduler> =>
      await (inner ??= import('../distributed.js').then((m) =>
        m.createQueueScheduler(options)(context),
      ));
    return {
      compute: async (run, graph, targets) =>
        await (await scheduler()).compute(run, graph, targets),
      close: async () => {
        if (inner) await (await inner).close?.();
      },
    };
  };
}
