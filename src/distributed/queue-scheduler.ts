// The queue scheduler: plans exactly as the local scheduler does and hands the pieces to BullMQ
// workers, driving the plan's DAG itself (a piece is enqueued once the pieces it reads from
// completed). See RunDriver for why the DAG is not a BullMQ flow.
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { computeInRounds } from '../engine/plan-rounds.js';
import type { PlanTarget } from '../engine/planner.js';
import type { Run } from '../engine/run.js';
import type { Scheduler, SchedulerContext, SchedulerFactory } from '../engine/scheduler.js';
import { InvalidArgumentError } from '../errors.js';
import type { BackoffPolicy } from '../internal/backoff.js';
import { canonicalJson } from '../internal/canonical-json.js';
import { kindOf } from '../kinds/index.js';
import type { WorkPiece } from '../kinds/work-piece.js';
import { encodeWorkflow } from '../workflow/definition.js';
import type { WorkflowGraph } from '../workflow/graph.js';
import type { QueueLocation, ResolvedQueue } from './connection.js';
import { bullConnection, openRedis, resolveQueue, withinTime } from './connection.js';
import type { PublishedDefinition } from './job.js';
import { hashDefinition, sha256 } from './job.js';
import type { RetryRule } from './retry.js';
import { DEFAULT_QUEUE_RETRY, checkRetryRules } from './retry.js';
import type { DriverServices } from './run-driver.js';
import { RunDriver } from './run-driver.js';

/** How the queue scheduler enqueues pieces. */
export interface QueueSchedulerOptions extends QueueLocation {
  /** How failed pieces are retried (default: exponential from 1 s, ×2, 3 retries, equal jitter). */
  readonly retry?: BackoffPolicy;
  /** Policies per workflow or factor; the most specific wins over `retry`. */
  readonly retries?: readonly RetryRule[];
  /** Priority of runs that give none (`ExecuteOptions.priority`); 1 is first. Default 10. */
  readonly priority?: number;
  /** How long Redis may be unreachable during a run before the run fails (ms, default 60 s). */
  readonly redisTimeout?: number;
  /**
   * How often a run checks its jobs in Redis when no event came (ms, default 1 s): what finds
   * pieces whose events were missed (a Redis restart) or that Redis lost (then they are enqueued
   * again), and runs cancelled with `queue cancel`.
   */
  readonly sweepInterval?: number;
}

/** BullMQ priorities: 1 (first) to 2^21. */
export const MAX_PRIORITY = 2 ** 21;
/** The default priority of a run's pieces (the online engine's ticks use 1). */
export const DEFAULT_RUN_PRIORITY = 10;

/**
 * A scheduler that runs pieces on BullMQ workers (`hyperstream worker`, `startWorker`) through
 * Redis: register it with `Engine.create({ schedulers: { queue: createQueueScheduler(…) } })` and
 * run with `workflow.execute(interval, { runner: 'queue' })`. The storage must be shared with the
 * workers (MongoDB across machines, SQLite across processes of one machine).
 *
 * @example
 * const engine = await Engine.create({
 *   ...storage,
 *   schedulers: { queue: createQueueScheduler({ connection: 'redis://127.0.0.1:6379' }) },
 * });
 * await workflow.execute('2026-01-01T00:00:00Z/P1D', { runner: 'queue' });
 */
export function createQueueScheduler(options: QueueSchedulerOptions): SchedulerFactory {
  const resolved = resolveQueue(options);
  const retry = options.retry ?? DEFAULT_QUEUE_RETRY;
  checkRetryRules(retry, options.retries ?? []);
  checkPriority(options.priority ?? DEFAULT_RUN_PRIORITY);
  for (const [name, value] of [
    ['redisTimeout', options.redisTimeout],
    ['sweepInterval', options.sweepInterval],
  ] as const) {
    if (value !== undefined && !(value > 0 && Number.isFinite(value))) {
      throw new InvalidArgumentError(
        `invalid ${name} ${String(value)}: expected a positive number of ms`,
      );
    }
  }
  return (context) => new QueueScheduler(context, options, resolved, retry);
}

/** Checks a queue priority (an integer from 1 to 2^21). */
export function checkPriority(priority: number): number {
  if (!Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY) {
    throw new InvalidArgumentError(
      `invalid priority ${String(priority)}: expected an integer from 1 (first) to ${String(MAX_PRIORITY)}`,
      { priority },
    );
  }
  return priority;
}

class QueueScheduler implements Scheduler {
  readonly #context: SchedulerContext;
  readonly #options: QueueSchedulerOptions;
  readonly #resolved: ResolvedQueue;
  readonly #retry: BackoffPolicy;
  readonly #definitions = new WeakMap<WorkflowGraph, PublishedDefinition>();
  readonly #drivers = new Map<string, RunDriver>();
  #services: Promise<DriverServices> | undefined;
  #queue: Queue | undefined;
  #events: QueueEvents | undefined;
  #redis: Redis | undefined;
  #lastEventAt = 0;

  constructor(
    context: SchedulerContext,
    options: QueueSchedulerOptions,
    resolved: ResolvedQueue,
    retry: BackoffPolicy,
  ) {
    this.#context = context;
    this.#options = options;
    this.#resolved = resolved;
    this.#retry = retry;
  }

  async compute(run: Run, graph: WorkflowGraph, targets: readonly PlanTarget[]): Promise<boolean> {
    if (run.priority !== undefined) checkPriority(run.priority);
    return await computeInRounds(run, graph, targets, {
      channels: this.#context.channels,
      index: this.#context.index,
      runPieces: async (pieces) => await this.#dispatch(run, graph, pieces),
      // Plate-creation pieces ran on workers: their new plate values are in the shared stores.
      beforeReplan: async () => await this.#context.plates.refresh(),
    });
  }

  async close(): Promise<void> {
    const services = this.#services;
    this.#services = undefined;
    if (!services) return;
    await services.catch(() => undefined);
    await this.#events?.close().catch(() => undefined);
    await this.#queue?.close().catch(() => undefined);
    this.#redis?.disconnect();
  }

  async #dispatch(run: Run, graph: WorkflowGraph, pieces: readonly WorkPiece[]): Promise<boolean> {
    if (!pieces.length) return true;
    const services = await this.#connect();
    const driver = new RunDriver(services, run, pieces, {
      definition: this.#definitionOf(graph),
      plates: sha256(canonicalJson(this.#context.plates.tree.records())),
      priority: run.priority ?? this.#options.priority ?? DEFAULT_RUN_PRIORITY,
      createsPlates: (piece) => createsPlates(graph, piece),
    });
    return await driver.drive();
  }

  #definitionOf(graph: WorkflowGraph): PublishedDefinition {
    let definition = this.#definitions.get(graph);
    if (!definition) {
      // Only the graph matters to a worker: name and description are left out, so renaming a
      // workflow does not change its hash.
      definition = hashDefinition(
        encodeWorkflow({
          id: graph.id,
          name: graph.id,
          description: '',
          owner: undefined,
          online: false,
          nodes: graph.nodes,
          factors: graph.factors,
        }),
      );
      this.#definitions.set(graph, definition);
    }
    return definition;
  }

  async #connect(): Promise<DriverServices> {
    this.#services ??= this.#open().catch((error: unknown) => {
      this.#services = undefined;
      throw error;
    });
    return await this.#services;
  }

  async #open(): Promise<DriverServices> {
    const resolved = this.#resolved;
    const timeout = this.#options.redisTimeout ?? 60_000;
    const redis = openRedis(resolved);
    this.#redis = redis;
    const queue = new Queue(resolved.queue, {
      connection: bullConnection(resolved),
      prefix: resolved.prefix,
      // Events of many pieces may pile up while a run reads them.
      streams: { events: { maxLen: 100_000 } },
    });
    queue.on('error', () => undefined);
    const events = new QueueEvents(resolved.queue, {
      connection: bullConnection(resolved, { maxRetriesPerRequest: null }),
      prefix: resolved.prefix,
    });
    events.on('error', () => undefined);
    this.#queue = queue;
    this.#events = events;
    try {
      await withinTime(redis.connect(), timeout, resolved, 'connecting the queue');
      await withinTime(queue.waitUntilReady(), timeout, resolved, 'connecting the queue');
      await withinTime(events.waitUntilReady(), timeout, resolved, 'connecting the queue');
    } catch (error) {
      await events.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
      redis.disconnect();
      throw error;
    }
    const seen = (): void => {
      this.#lastEventAt = Date.now();
    };
    events.on('completed', ({ jobId, returnvalue }) => {
      seen();
      this.#drivers.get(jobId)?.completed(jobId, returnvalue);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      seen();
      this.#drivers.get(jobId)?.failed(jobId, failedReason);
    });
    events.on('progress', ({ jobId, data }) => {
      seen();
      this.#drivers.get(jobId)?.progress(jobId, data);
    });
    for (const event of ['active', 'waiting', 'delayed', 'stalled'] as const)
      events.on(event, seen);
    const published = new Set<string>();
    return {
      queue,
      redis,
      resolved,
      retry: this.#retry,
      retries: this.#options.retries ?? [],
      redisTimeout: timeout,
      sweepInterval: this.#options.sweepInterval ?? 1000,
      follow: (jobId, driver) => this.#drivers.set(jobId, driver),
      forget: (jobId) => this.#drivers.delete(jobId),
      publish: async (definition) => {
        if (published.has(definition.hash)) {
          // Cheap check that Redis still has it (it may have restarted without its data).
          if ((await redis.hexists(resolved.keys.definitions, definition.hash)) === 1) return;
        }
        await redis.hset(resolved.keys.definitions, definition.hash, definition.json);
        published.add(definition.hash);
      },
      lastEventAt: () => this.#lastEventAt,
    };
  }
}

/** True when the piece's factor creates plate values. */
export function createsPlates(graph: WorkflowGraph, piece: WorkPiece): boolean {
  const factor = graph.factors.find((f) => f.id === piece.factor);
  return factor !== undefined && kindOf(factor).createdPlate(factor) !== undefined;
}
