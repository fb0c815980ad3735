// A queue worker: takes pieces from the BullMQ queue and runs each exactly as the local scheduler
// runs a piece (the same piece executor, the same undeclared pulls), against the engine's storage.
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import { UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Engine } from '../engine/engine.js';
import { LocalScheduler } from '../engine/local-scheduler.js';
import { PieceExecutor } from '../engine/piece-executor.js';
import { Run } from '../engine/run.js';
import { settlesWithin } from '../internal/async.js';
import {
  HyperstreamUsageError,
  InvalidArgumentError,
  QueueJobInvalidError,
  isHyperstreamError,
} from '../errors.js';
import { PlateIndex } from '../kinds/plate-index.js';
import type { WorkPiece } from '../kinds/work-piece.js';
import type { WorkflowGraph } from '../workflow/graph.js';
import { Workflow } from '../workflow/workflow.js';
import type { QueueLocation, ResolvedQueue } from './connection.js';
import { bullConnection, openRedis, resolveQueue, retryWhileUnavailable } from './connection.js';
import type { PieceJob, PieceResult } from './job.js';
import { pieceJobSchema, sha256 } from './job.js';
import { RedisJournal } from './journal.js';
import type { PieceSummary, WorkerStatus } from './status-types.js';
import { createsPlates } from './queue-scheduler.js';
import { BACKOFF_TYPE, queueBackoffDelay } from './retry.js';

/** How to run a worker. */
export interface WorkerOptions extends QueueLocation {
  /** The engine whose channels, plates, tools and functions the pieces run against. */
  readonly engine: Engine;
  /** Pieces run at once by this process. Default 1. */
  readonly concurrency?: number;
  /** This worker's name in `queue status` and on the jobs it runs. Default `host:pid`. */
  readonly name?: string;
  /**
   * How long a piece's lock lasts without renewal (ms, default 30 s); a worker that stops renewing
   * (killed, or blocked longer than this) loses the piece to the stalled-job check.
   */
  readonly lockDuration?: number;
  /** How often this worker looks for stalled pieces (ms, default 30 s). */
  readonly stalledInterval?: number;
  /** How many times a piece may stall (its worker died) before it fails. Default 5. */
  readonly maxStalledCount?: number;
  /** How often the worker publishes its status for `queue status` (ms, default 5 s). */
  readonly heartbeatInterval?: number;
  /** Called with what the worker does (the CLI logs it; library code never logs). */
  readonly onEvent?: (event: WorkerEvent) => void;
  /** Uniform `[0, 1)` numbers for retry jitter (default `Math.random`). */
  readonly random?: () => number;
}

/** Something a worker did. */
export type WorkerEvent =
  | { readonly type: 'started'; readonly status: WorkerStatus }
  | {
      readonly type: 'piece';
      readonly outcome: 'done' | 'skipped' | 'cancelled';
      readonly piece: PieceSummary;
      readonly documents: number;
      readonly ms: number;
    }
  | {
      readonly type: 'failed';
      readonly piece: PieceSummary | undefined;
      readonly jobId: string;
      readonly reason: string;
      readonly final: boolean;
    }
  | { readonly type: 'abandoned'; readonly piece: PieceSummary }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'stopped'; readonly status: WorkerStatus };

/** A running worker. */
export interface PieceWorker {
  readonly name: string;
  status(): WorkerStatus;
  /**
   * Stops taking pieces and lets the running ones finish within `timeout` ms (default 30 s); then
   * abandons them: each goes back to the queue unrecorded (another worker takes it) and without
   * counting as a failed attempt.
   */
  close(options?: { readonly timeout?: number }): Promise<WorkerStatus>;
}

const DEFINITION_CACHE = 32;

/**
 * Starts a worker on the queue: it runs the pieces it takes with the engine's piece executor,
 * records nothing for a piece it did not finish, returns the piece's records to the run that
 * enqueued it, and fails a job it cannot run (a malformed payload, an unknown tool, a definition
 * that is missing) at once with its reason, without retries. Resolves once connected.
 *
 * @example
 * const engine = await Engine.create({ ...storage, tools });
 * const worker = await startWorker({ engine, connection: 'redis://127.0.0.1:6379', concurrency: 2 });
 * process.once('SIGTERM', () => void worker.close());
 */
export async function startWorker(options: WorkerOptions): Promise<PieceWorker> {
  const worker = new QueueWorker(options);
  await worker.start();
  return worker;
}

interface Active {
  readonly summary: PieceSummary;
  readonly controller: AbortController;
}

class QueueWorker implements PieceWorker {
  readonly name: string;
  readonly #options: WorkerOptions;
  readonly #resolved: ResolvedQueue;
  readonly #engine: Engine;
  readonly #index: PlateIndex;
  readonly #local: LocalScheduler;
  readonly #redis: Redis;
  readonly #concurrency: number;
  readonly #graphs = new Map<string, Promise<WorkflowGraph>>();
  readonly #active = new Map<string, Active>();
  readonly #started = new Date().toISOString();
  #worker: Worker | undefined;
  #state: WorkerStatus['status'] = 'running';
  #abandoning = false;
  #platesSeen: string | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #counts = { done: 0, skipped: 0, failed: 0, abandoned: 0, documents: 0 };
  #lastError: string | undefined;
  #closing: Promise<WorkerStatus> | undefined;

  constructor(options: WorkerOptions) {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new InvalidArgumentError(
        `invalid worker concurrency ${String(concurrency)}: expected an integer from 1`,
      );
    }
    this.#concurrency = concurrency;
    this.#options = options;
    this.#resolved = resolveQueue(options);
    this.#engine = options.engine;
    this.name = options.name ?? `${hostname()}:${process.pid}`;
    const plates = this.#engine.plates;
    this.#index = new PlateIndex(() => plates.tree.version);
    const executor = new PieceExecutor({
      channels: this.#engine.channels,
      plates,
      index: this.#index,
    });
    this.#local = new LocalScheduler({
      channels: this.#engine.channels,
      executor,
      index: this.#index,
    });
    this.#redis = openRedis(this.#resolved);
  }

  async start(): Promise<void> {
    await retryWhileUnavailable(
      async () =>
        await this.#redis.connect().catch(async (error: unknown) => {
          if (this.#redis.status === 'ready') return;
          throw error;
        }),
      this.#resolved,
      'starting a worker',
      10_000,
    );
    const random = this.#options.random ?? Math.random;
    this.#worker = new Worker(
      this.#resolved.queue,
      async (job: Job, token?: string) => await this.#process(job, token),
      {
        connection: bullConnection(this.#resolved, { maxRetriesPerRequest: null }),
        prefix: this.#resolved.prefix,
        concurrency: this.#concurrency,
        name: this.name,
        lockDuration: this.#options.lockDuration ?? 30_000,
        stalledInterval: this.#options.stalledInterval ?? 30_000,
        maxStalledCount: this.#options.maxStalledCount ?? 5,
        // Dead letters stay until retried or cleared; completed jobs are kept an hour for runs
        // that look them up after missing an event.
        removeOnComplete: { age: 3600, count: 100_000 },
        removeOnFail: { count: 100_000 },
        settings: {
          backoffStrategy: (attemptsMade, type, _error, job) => {
            const policy = (job?.data as Partial<PieceJob> | undefined)?.retry;
            if (type !== BACKOFF_TYPE || policy === undefined) return 0;
            return queueBackoffDelay(attemptsMade, policy, random);
          },
        },
      },
    );
    this.#worker.on('error', (error) => this.#error(error));
    this.#worker.on('failed', (job, error) => {
      if (!job || error.name === 'WaitingError') return;
      const final = job.finishedOn !== undefined && job.finishedOn !== null;
      this.#options.onEvent?.({
        type: 'failed',
        piece: summarise(job),
        jobId: String(job.id),
        reason: error.message,
        final,
      });
    });
    await this.#worker.waitUntilReady();
    await this.#beat();
    this.#heartbeat = setInterval(() => {
      this.#beat().catch((error: unknown) => this.#error(error));
    }, this.#options.heartbeatInterval ?? 5_000);
    this.#heartbeat.unref();
    this.#options.onEvent?.({ type: 'started', status: this.status() });
  }

  status(): WorkerStatus {
    const memory = process.memoryUsage();
    return {
      name: this.name,
      queue: this.#resolved.queue,
      status: this.#state,
      host: hostname(),
      pid: process.pid,
      concurrency: this.#concurrency,
      started: this.#started,
      heartbeatAt: Date.now(),
      ...this.#counts,
      lastError: this.#lastError,
      current: [...this.#active.values()].map((a) => a.summary),
      memory: { rss: memory.rss, heapUsed: memory.heapUsed },
    };
  }

  async close(options: { readonly timeout?: number } = {}): Promise<WorkerStatus> {
    this.#closing ??= this.#close(options.timeout ?? 30_000);
    return await this.#closing;
  }

  async #close(timeout: number): Promise<WorkerStatus> {
    this.#state = 'stopping';
    await this.#beat().catch(() => undefined);
    const worker = this.#worker;
    if (worker) {
      const closing = worker.close();
      if (!(await settlesWithin(closing, timeout))) {
        // Abandon: each running piece stops unrecorded and goes back to the queue.
        this.#abandoning = true;
        for (const active of this.#active.values()) active.controller.abort();
        await closing;
      }
    }
    clearInterval(this.#heartbeat);
    this.#state = 'stopped';
    await this.#redis.hdel(this.#resolved.keys.workers, this.name).catch(() => undefined);
    this.#redis.disconnect();
    const status = this.status();
    this.#options.onEvent?.({ type: 'stopped', status });
    return status;
  }

  async #beat(): Promise<void> {
    await this.#redis.hset(this.#resolved.keys.workers, this.name, JSON.stringify(this.status()));
  }

  #error(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.#lastError = message;
    this.#options.onEvent?.({ type: 'error', message });
  }

  /** Runs one job: check it, build its workflow, run its piece; throw what BullMQ must know. */
  async #process(job: Job, token: string | undefined): Promise<PieceResult> {
    const started = performance.now();
    const data = parseJob(job);
    const summary = summarise(job)!;
    if ((await this.#redis.exists(this.#resolved.keys.cancelled(data.run))) === 1) {
      this.#options.onEvent?.({
        type: 'piece',
        outcome: 'cancelled',
        piece: summary,
        documents: 0,
        ms: 0,
      });
      return { status: 'cancelled', pieces: [], worker: this.name };
    }
    const graph = await this.#graph(data).catch((error: unknown) => {
      throw jobError(error, true);
    });
    if (
      (data.plates !== undefined && data.plates !== this.#platesSeen) ||
      createsPlates(graph, data.piece)
    ) {
      // The run planned with plate values this process may not know yet (plate-creation pieces
      // ran elsewhere), or the piece adds plate values: see what the stores hold now.
      await this.#engine.plates.refresh();
      this.#platesSeen = data.plates;
    }
    const controller = new AbortController();
    const active: Active = { summary, controller };
    this.#active.set(String(job.id), active);
    let lastProgress = 0;
    const run = new Run(
      data.piece.workflow,
      {
        signal: controller.signal,
        ...(data.pieceTimeout !== undefined ? { pieceTimeout: data.pieceTimeout } : {}),
        onProgress: ({ documents }) => {
          const now = Date.now();
          if (now - lastProgress < 200) return;
          lastProgress = now;
          job.updateProgress({ documents }).catch(() => undefined);
        },
      },
      // Intervals are stamped with the coordinator's session, as in a local run.
      {
        id: data.run,
        journal: new RedisJournal(this.#redis, this.#resolved.keys.written(data.run)),
      },
    );
    try {
      const ok = await this.#local.runPiece(run, graph, data.piece);
      if (run.aborted && this.#abandoning) {
        this.#counts.abandoned++;
        this.#options.onEvent?.({ type: 'abandoned', piece: summary });
        // Back to the queue, not recorded, and not counted as a failed attempt.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (!ok) {
        this.#counts.failed++;
        const failure = run.failures[0];
        const error = failure?.error ?? run.aborted ?? new Error('the piece did not complete');
        this.#lastError = messageOf(error);
        throw jobError(error, false);
      }
      const totals = new Map([...run.totals.values()].map((t) => [t.factor, t]));
      const pieces = run.pieces.map((record) => {
        const total = totals.get(record.factor);
        return {
          record,
          tool: total?.tool ?? '',
          ...(total?.fingerprint !== undefined ? { fingerprint: total.fingerprint } : {}),
        };
      });
      const done = run.pieces.some((r) => samePiece(r, data.piece));
      const documents = run.pieces.reduce((sum, r) => sum + r.documents, 0);
      if (done) this.#counts.done++;
      else this.#counts.skipped++;
      this.#counts.documents += documents;
      this.#options.onEvent?.({
        type: 'piece',
        outcome: done ? 'done' : 'skipped',
        piece: summary,
        documents,
        ms: Math.round(performance.now() - started),
      });
      return { status: done ? 'done' : 'skipped', pieces, worker: this.name };
    } finally {
      this.#active.delete(String(job.id));
    }
  }

  /** The graph of the exact definition a piece was planned for (cached by its hash). */
  async #graph(data: PieceJob): Promise<WorkflowGraph> {
    let graph = this.#graphs.get(data.definition);
    if (graph) {
      // Most recently used last.
      this.#graphs.delete(data.definition);
      this.#graphs.set(data.definition, graph);
      return await graph;
    }
    graph = this.#build(data);
    this.#graphs.set(data.definition, graph);
    graph.catch(() => this.#graphs.delete(data.definition));
    while (this.#graphs.size > DEFINITION_CACHE)
      this.#graphs.delete(this.#graphs.keys().next().value!);
    return await graph;
  }

  async #build(data: PieceJob): Promise<WorkflowGraph> {
    const { workflow } = data.piece;
    const json = await this.#redis.hget(this.#resolved.keys.definitions, data.definition);
    if (json === null) {
      throw new QueueJobInvalidError(
        `the definition ${data.definition.slice(0, 12)} of workflow "${workflow}" is not in the queue ` +
          '(Redis lost it, or the job was not enqueued by a run): run the workflow again',
        { workflow, definition: data.definition },
      );
    }
    if (sha256(json) !== data.definition) {
      throw new QueueJobInvalidError(
        `the definition stored as ${data.definition.slice(0, 12)} of workflow "${workflow}" does not match its hash: refusing to run it`,
        { workflow, definition: data.definition },
      );
    }
    let built: Workflow;
    try {
      built = await Workflow.fromDefinition(JSON.parse(json), {
        environment: this.#engine.environment,
        toolResolver: this.#engine.tools,
      });
    } catch (error) {
      // The innermost code says what is wrong (TOOL_NOT_FOUND inside a definition error).
      let code = '';
      for (let e: unknown = error; e instanceof Error; e = e.cause) {
        if (isHyperstreamError(e)) code = `${e.code}: `;
      }
      throw new QueueJobInvalidError(
        `worker ${this.name} cannot build workflow "${workflow}" (definition ${data.definition.slice(0, 12)}): ${code}${messageOf(error)}`,
        { workflow, definition: data.definition },
        error,
      );
    }
    if (built.id !== workflow) {
      throw new QueueJobInvalidError(
        `the piece names workflow "${workflow}" but its definition is of "${built.id}": refusing to run it`,
        { workflow, definition: data.definition },
      );
    }
    return built.graph;
  }
}

/** The job's data, checked; a malformed payload fails the job at once (no retry). */
function parseJob(job: Job): PieceJob {
  const parsed = pieceJobSchema.safeParse(job.data);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw jobError(
      new QueueJobInvalidError(`job ${String(job.id)} is not a hyperstream piece: ${issues}`, {
        jobId: String(job.id),
      }),
      true,
    );
  }
  return parsed.data;
}

/**
 * What BullMQ is told about a failure: `[CODE] message`, as an `UnrecoverableError` (no retry)
 * for bad input — a usage error will not go away by trying again — and a plain error otherwise.
 */
function jobError(error: unknown, invalid: boolean): Error {
  const code = isHyperstreamError(error) ? error.code : 'UNKNOWN';
  const text = `[${code}] ${messageOf(error)}`;
  if (invalid || error instanceof HyperstreamUsageError) return new UnrecoverableError(text);
  return new Error(text);
}

function summarise(job: Job): PieceSummary | undefined {
  const data = job.data as Partial<PieceJob> | undefined;
  const piece = data?.piece as Partial<WorkPiece> | undefined;
  if (!piece || typeof piece !== 'object') return undefined;
  return {
    jobId: String(job.id),
    run: String(data?.run ?? ''),
    workflow: String(piece.workflow ?? ''),
    factor: String(piece.factor ?? ''),
    plateValue: Array.isArray(piece.plateValue)
      ? piece.plateValue.map((pair) => (Array.isArray(pair) ? pair.join('=') : '')).join(',')
      : '',
    interval: {
      start: Number(piece.interval?.start),
      end: Number(piece.interval?.end),
    },
  };
}

function samePiece(
  record: {
    factor: string;
    plateValue: readonly (readonly [string, string])[];
    interval: { start: number; end: number };
  },
  piece: WorkPiece,
): boolean {
  return (
    record.factor === piece.factor &&
    record.interval.start === piece.interval.start &&
    record.interval.end === piece.interval.end &&
    JSON.stringify(record.plateValue) === JSON.stringify(piece.plateValue)
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
