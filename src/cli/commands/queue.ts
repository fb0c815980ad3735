// `hyperstream worker` and `hyperstream queue …`: running pieces of the job queue (BullMQ on
// Redis) and operating it. bullmq is loaded only by these commands (hyperstream-ts/distributed).
import { z } from 'zod';
import type { HyperstreamConfig } from '../../config/load-config.js';
import { loadConfig } from '../../config/load-config.js';
import { noQueueError, queueUrl, queueWorkerOptions } from '../../config/queue-from-config.js';
import type { QueueConfig } from '../../config/config-schema.js';
import type { DeadLetter, QueueAdmin, WorkerStatus } from '../../distributed.js';
import { toDurationMs } from '../../time/duration.js';
import type { CommandContext } from '../args.js';
import { defineCommand, positionals, positiveInt } from '../args.js';
import { createLogger } from '../logger.js';
import { formatInterval } from './common.js';

async function configOf(ctx: CommandContext): Promise<HyperstreamConfig> {
  return await loadConfig({
    ...(ctx.globals.config === undefined ? {} : { configPath: ctx.globals.config }),
    cwd: ctx.cwd,
    env: ctx.env,
  });
}

async function queueOf(ctx: CommandContext, what: string): Promise<QueueConfig> {
  const config = await configOf(ctx);
  if (!config.queue) throw noQueueError(what);
  return config.queue;
}

/** Runs `body` with the queue of the config open, then closes it. */
async function withQueue<T>(
  ctx: CommandContext,
  what: string,
  body: (admin: QueueAdmin) => Promise<T>,
): Promise<T> {
  const queue = await queueOf(ctx, what);
  const { openQueueAdmin } = await import('../../distributed.js');
  const admin = await openQueueAdmin({
    connection: queueUrl(queue),
    queue: queue.name,
    prefix: queue.prefix,
  });
  try {
    return await body(admin);
  } finally {
    await admin.close();
  }
}

export const workerCommand = defineCommand({
  name: 'worker',
  summary:
    'Run a queue worker: take work pieces from the job queue (BullMQ on Redis) and compute them ' +
    'against the configured storage, as many at once as --concurrency. Runs until SIGTERM or ' +
    'Ctrl-C, which stop taking pieces and let running ones finish (after queue.worker.stopTimeout ' +
    'they are abandoned: back to the queue, never recorded). Start one per core on each machine.',
  usage: 'worker [--concurrency <n>] [--name <name>] [--status-every <duration>]',
  options: {
    concurrency: {
      type: 'string',
      value: '<n>',
      description: 'pieces run at once (default: queue.worker.concurrency, 1)',
    },
    name: {
      type: 'string',
      value: '<name>',
      description: 'name in "queue status" (default host:pid)',
    },
    'status-every': {
      type: 'string',
      value: '<duration>',
      description: 'print a status line this often (default PT30S; PT0S: never)',
    },
  },
  details:
    'Examples:\n  hyperstream worker --concurrency 2\n  REDIS_URL=redis://queue.example:6379 hyperstream worker --json',
  schema: z.strictObject({
    positionals: positionals(),
    concurrency: positiveInt.optional(),
    name: z.string().min(1).optional(),
    'status-every': z.string().optional(),
  }),
  async run(args, ctx) {
    const { config, engine } = await ctx.workspace();
    if (!config.queue) throw noQueueError('hyperstream worker');
    const options = queueWorkerOptions(config.queue);
    const every = toDurationMs(args['status-every'] ?? 'PT30S');
    const logger = createLogger(config.logging, process.stderr);
    const { startWorker } = await import('../../distributed.js');
    const status = (s: WorkerStatus): void => {
      if (ctx.output.json) ctx.output.data({ status: s });
      else ctx.output.line(statusLine(s));
    };
    const worker = await startWorker({
      ...options,
      engine,
      ...(args.concurrency ? { concurrency: args.concurrency } : {}),
      ...(args.name ? { name: args.name } : {}),
      onEvent: (event) => {
        switch (event.type) {
          case 'piece':
            logger.info(
              `${event.outcome} ${event.piece.workflow} ${event.piece.factor}${event.piece.plateValue ? ` ${event.piece.plateValue}` : ''} ${formatInterval(event.piece.interval)}: ${String(event.documents)} documents, ${String(event.ms)} ms`,
              { job: event.piece.jobId },
            );
            break;
          case 'failed':
            logger.warn(
              `${event.final ? 'failed for good' : 'failed, will retry'}: job ${event.jobId}: ${event.reason}`,
            );
            break;
          case 'abandoned':
            logger.warn(`abandoned (back to the queue, not recorded): job ${event.piece.jobId}`);
            break;
          case 'error':
            logger.error(`queue error: ${event.message}`);
            break;
          case 'started':
          case 'stopped':
            status(event.status);
            break;
        }
      },
    });
    const timer = every > 0 ? setInterval(() => status(worker.status()), every) : undefined;
    let stopping = false;
    const stopped = new Promise<WorkerStatus>((resolve) => {
      const onSignal = (signal: NodeJS.Signals): void => {
        if (stopping) process.exit(130);
        stopping = true;
        logger.info(
          `received ${signal}: stopping (running pieces may finish within ${String(options.stopTimeout)} ms)`,
        );
        void worker.close({ timeout: options.stopTimeout }).then(resolve);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    try {
      await stopped;
      return 0;
    } finally {
      clearInterval(timer);
      await logger.close();
    }
  },
});

/** `worker host:1234 running: 12 done, 0 skipped, 1 failed, 2 running [...], rss 80 MiB`. */
export function statusLine(s: WorkerStatus): string {
  const running = s.current
    .map(
      (p) => `${p.factor}${p.plateValue ? ` ${p.plateValue}` : ''} ${formatInterval(p.interval)}`,
    )
    .join('; ');
  return (
    `worker ${s.name} ${s.status} on queue ${s.queue} (concurrency ${String(s.concurrency)}): ` +
    `${String(s.done)} done, ${String(s.skipped)} skipped, ${String(s.failed)} failed, ` +
    `${String(s.abandoned)} abandoned, ${String(s.documents)} documents; ` +
    `${String(s.current.length)} running${running ? ` [${running}]` : ''}; ` +
    `rss ${String(Math.round(s.memory.rss / 2 ** 20))} MiB` +
    (s.lastError ? `; last error: ${s.lastError}` : '')
  );
}

export const queueStatusCommand = defineCommand({
  name: 'queue status',
  summary:
    'What the job queue holds: pieces waiting (and prioritized, delayed for a retry), running, ' +
    'completed and failed (dead letters), whether it is paused, and the live workers.',
  usage: 'queue status',
  schema: z.strictObject({ positionals: positionals() }),
  async run(_args, ctx) {
    const status = await withQueue(ctx, 'queue status', async (admin) => await admin.status());
    if (ctx.output.json) {
      ctx.output.data(status);
      return 0;
    }
    ctx.output.line(
      `queue ${status.queue} on ${status.redis}${status.paused ? ' (paused)' : ''}: ` +
        `${String(status.waiting + status.prioritized)} waiting, ${String(status.delayed)} delayed, ` +
        `${String(status.active)} active, ${String(status.completed)} completed, ` +
        `${String(status.failed)} failed; ${String(status.workers.length)} workers`,
    );
    ctx.output.rows(
      status.workers.map((w) => ({
        worker: w.name,
        status: w.status,
        concurrency: w.concurrency,
        done: w.done,
        failed: w.failed,
        running: w.current.map((p) => `${p.factor} ${formatInterval(p.interval)}`).join('; '),
      })),
      ['worker', 'status', 'concurrency', 'done', 'failed', 'running'],
      '(no live workers)',
    );
    return 0;
  },
});

export const queueFailedCommand = defineCommand({
  name: 'queue failed',
  summary:
    'List the dead letters: pieces that failed for good (their retries spent, or input that ' +
    'cannot run), newest first, with their error. Retry them with "queue retry".',
  usage: 'queue failed [--limit <n>]',
  options: {
    limit: { type: 'string', value: '<n>', description: 'at most n (default 100)' },
  },
  schema: z.strictObject({ positionals: positionals(), limit: positiveInt.optional() }),
  async run(args, ctx) {
    const letters = await withQueue(
      ctx,
      'queue failed',
      async (admin) => await admin.failed(args.limit ? { limit: args.limit } : {}),
    );
    if (ctx.output.json) {
      ctx.output.data(letters);
      return 0;
    }
    ctx.output.rows(
      letters.map(row),
      ['job', 'workflow', 'factor', 'interval', 'attempts', 'error'],
      '(no failed pieces)',
    );
    return 0;
  },
});

function row(letter: DeadLetter): Record<string, string | number> {
  return {
    job: letter.id,
    workflow: letter.workflow,
    factor: `${letter.factor}${letter.plateValue ? ` ${letter.plateValue}` : ''}`,
    interval: letter.interval ? formatInterval(letter.interval) : '?',
    attempts: letter.attempts,
    error: letter.reason,
  };
}

export const queueRetryCommand = defineCommand({
  name: 'queue retry',
  summary:
    'Put dead letters back in the queue with fresh attempts: the given job ids, or --all. A ' +
    'retried piece is recorded when a worker computes it; run the workflow again to compute what ' +
    'depended on it.',
  usage: 'queue retry (<job-id>... | --all)',
  positionals: [{ name: '<job-id>', description: 'a job id from "queue failed" (repeatable)' }],
  options: { all: { type: 'boolean', description: 'every dead letter' } },
  schema: z
    .strictObject({ positionals: z.array(z.string().min(1)), all: z.boolean().optional() })
    .refine((a) => (a.all === true) !== a.positionals.length > 0, {
      message: 'give job ids or --all (not both)',
      path: ['all'],
    }),
  async run(args, ctx) {
    const retried = await withQueue(
      ctx,
      'queue retry',
      async (admin) => await admin.retry(args.all ? 'all' : args.positionals),
    );
    if (ctx.output.json) ctx.output.data({ retried });
    else
      ctx.output.line(
        `requeued ${String(retried.length)} piece(s)${retried.length ? `: ${retried.join(', ')}` : ''}`,
      );
    return 0;
  },
});

export const queueCancelCommand = defineCommand({
  name: 'queue cancel',
  summary:
    'Cancel a distributed run: revoke its waiting pieces (running ones finish and are recorded); ' +
    'its coordinator stops and records the session as aborted. The run is its session id.',
  usage: 'queue cancel <run>',
  positionals: [{ name: '<run>', description: 'the run\'s session id (see "sessions list")' }],
  schema: z.strictObject({ positionals: positionals('run') }),
  async run(args, ctx) {
    const run = args.positionals[0];
    const { revoked } = await withQueue(
      ctx,
      'queue cancel',
      async (admin) => await admin.cancel(run),
    );
    if (ctx.output.json) ctx.output.data({ run, revoked });
    else ctx.output.line(`cancelled run ${run}: ${String(revoked)} waiting piece(s) revoked`);
    return 0;
  },
});

export const queuePauseCommand = defineCommand({
  name: 'queue pause',
  summary:
    'Pause the queue: no worker takes a new piece until "queue resume" (running ones finish).',
  usage: 'queue pause',
  schema: z.strictObject({ positionals: positionals() }),
  async run(_args, ctx) {
    await withQueue(ctx, 'queue pause', async (admin) => await admin.pause());
    ctx.output.result({ status: 'SUCCESS', message: 'queue paused' });
    return 0;
  },
});

export const queueResumeCommand = defineCommand({
  name: 'queue resume',
  summary: 'Resume a paused queue: workers take pieces again.',
  usage: 'queue resume',
  schema: z.strictObject({ positionals: positionals() }),
  async run(_args, ctx) {
    await withQueue(ctx, 'queue resume', async (admin) => await admin.resume());
    ctx.output.result({ status: 'SUCCESS', message: 'queue resumed' });
    return 0;
  },
});
