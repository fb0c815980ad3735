// Queue runs next to local runs of the same pieces, in the same run, against one SQLite file per
// run and a redis-server on 127.0.0.1 (REDIS_URL, or one started for the scenario): the per-piece
// overhead of the queue (empty pieces, one worker process at concurrency 4), and a CPU-bound plates
// workflow on 1 and 2 worker processes next to the local runner (one process, one core).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createQueueScheduler } from '../../src/distributed.js';
import type { Engine } from '../../src/engine/engine.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import type { Workflow } from '../../src/workflow/workflow.js';
import { openEngine } from '../../test/integration/distributed/fixtures/engines.js';
import { burn, nothing } from '../../test/integration/distributed/fixtures/test-tools.js';
import { startWorkers } from '../../test/integration/distributed/fixtures/workers.js';
import { startTestRedis } from '../../test/integration/setup/redis-server.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { assertSame } from '../harness.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUSES = ['1', '2', '3', '4', '5', '6', '7', '8'];
/**
 * The production lock settings (queue.worker defaults): a CPU-bound piece holds its worker's event
 * loop, and on a loaded machine longer than the tests' short locks.
 */
const LOCKS = { lockDuration: 30_000, stalledInterval: 30_000 };

const scenario: BenchScenario = {
  name: 'queue',
  description:
    'Queue runs (BullMQ on Redis, worker processes, one SQLite file) vs local runs of the same pieces: per-piece overhead of empty pieces, and a CPU-bound plates workflow on 1 and 2 workers',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const redis = await startTestRedis();
    const dir = mkdtempSync(path.join(tmpdir(), 'hs-bench-queue-'));
    try {
      return [
        await emptyPieces(context, dir, redis.url),
        ...(await cpuBound(context, dir, redis.url)),
      ];
    } finally {
      await redis.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default scenario;

/** Times `repetitions` runs (each over a fresh interval, so each computes everything): the median. */
async function median(repetitions: number, run: (rep: number) => Promise<number>): Promise<number> {
  const samples: number[] = [];
  for (let rep = 0; rep < repetitions; rep++) samples.push(await run(rep));
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  return samples.length % 2 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2;
}

async function timed(
  workflow: Workflow,
  interval: TimeInterval,
  options: object,
  pieces: number,
): Promise<number> {
  const start = performance.now();
  const session = await workflow.execute(interval, options);
  const ms = performance.now() - start;
  assertSame(session.status, 'completed', 'a benchmark run');
  assertSame(session.pieces.length, pieces, 'the pieces of a benchmark run');
  return ms;
}

async function emptyPieces(context: BenchContext, dir: string, redis: string): Promise<BenchRow> {
  const n = context.tiny ? 20 : 1_000;
  const repetitions = context.tiny ? 1 : Math.min(context.repetitions, 3);
  const build = (engine: Engine): Workflow => {
    const w = engine.workflow('empty_pieces');
    w.factor({ tool: nothing.create({}), sink: w.node('nothing_out'), maxPieceSize: 'PT1M' });
    return w;
  };
  const span = (rep: number): TimeInterval =>
    new TimeInterval(T0 + rep * n * MINUTE, T0 + (rep + 1) * n * MINUTE);
  const queue = `bench_empty_${String(process.pid)}`;
  const storage = { kind: 'sqlite', path: path.join(dir, 'empty-queue.sqlite') } as const;
  const local = await openEngine({ kind: 'sqlite', path: path.join(dir, 'empty-local.sqlite') });
  const workers = await startWorkers(1, { storage, redis, queue, concurrency: 4, ...LOCKS });
  const coordinator = await openEngine(storage, {
    schedulers: { queue: createQueueScheduler({ connection: redis, queue }) },
  });
  try {
    // Interleaved: a local run, then a queue run, per repetition (a warm-up of each first).
    const localW = build(local);
    const queueW = build(coordinator);
    await timed(localW, span(0), { concurrency: 4 }, n);
    await timed(queueW, span(0), { runner: 'queue' }, n);
    const samples = { local: [] as number[], queue: [] as number[] };
    await median(repetitions, async (rep) => {
      samples.local.push(await timed(localW, span(rep + 1), { concurrency: 4 }, n));
      samples.queue.push(await timed(queueW, span(rep + 1), { runner: 'queue' }, n));
      return 0;
    });
    const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const queueMs = mid(samples.queue);
    const localMs = mid(samples.local);
    return {
      figure: `${String(n)} empty pieces: queue (1 worker ×4) vs local (×4)`,
      engineMs: queueMs,
      baselineMs: localMs,
      items: n,
      note: `${(queueMs / n).toFixed(2)} ms per piece on the queue (${(localMs / n).toFixed(2)} local), overhead ${((queueMs - localMs) / n).toFixed(2)} ms per piece, ${Math.round((n * 1000) / queueMs)} pieces/s`,
    };
  } finally {
    await coordinator.close();
    await workers.stop();
    await local.close();
  }
}

async function cpuBound(context: BenchContext, dir: string, redis: string): Promise<BenchRow[]> {
  // 8 houses × 8 hours of 1-hour pieces, each ~`work` rounds per tick, one tick a minute.
  const hours = context.tiny ? 1 : 8;
  const work = context.tiny ? 100 : 200_000;
  const pieces = HOUSES.length * hours;
  const repetitions = context.tiny ? 1 : Math.min(context.repetitions, 3);
  const build = async (engine: Engine): Promise<Workflow> => {
    for (const house of HOUSES) await engine.plates.ensureMetaData([], 'house', house);
    await engine.plates.createPlate({ id: 'H', metaKey: 'house' });
    const w = engine.workflow('cpu_bound');
    w.factor({
      tool: burn.create({ step: MINUTE, work }),
      sink: w.node('burnt', { plates: ['H'] }),
      maxPieceSize: 'PT1H',
    });
    return w;
  };
  const span = (rep: number): TimeInterval =>
    new TimeInterval(T0 + rep * hours * 60 * MINUTE, T0 + (rep + 1) * hours * 60 * MINUTE);
  const local = await openEngine({ kind: 'sqlite', path: path.join(dir, 'cpu-local.sqlite') });
  const localW = await build(local);
  const results: { workers: number; ms: number }[] = [];
  const localSamples: number[] = [];
  try {
    await timed(localW, span(0), {}, pieces);
    for (const count of [1, 2]) {
      const queue = `bench_cpu_${String(count)}_${String(process.pid)}`;
      const storage = {
        kind: 'sqlite',
        path: path.join(dir, `cpu-queue-${String(count)}.sqlite`),
      } as const;
      const workers = await startWorkers(count, {
        storage,
        redis,
        queue,
        concurrency: 1,
        ...LOCKS,
      });
      const coordinator = await openEngine(storage, {
        schedulers: { queue: createQueueScheduler({ connection: redis, queue }) },
      });
      try {
        const queueW = await build(coordinator);
        await timed(queueW, span(0), { runner: 'queue' }, pieces);
        const ms = await median(repetitions, async (rep) => {
          localSamples.push(await timed(localW, span(rep + 1 + count * 10), {}, pieces));
          return await timed(queueW, span(rep + 1), { runner: 'queue' }, pieces);
        });
        results.push({ workers: count, ms });
      } finally {
        await coordinator.close();
        await workers.stop();
      }
    }
  } finally {
    await local.close();
  }
  const localMs = [...localSamples].sort((a, b) => a - b)[localSamples.length >> 1]!;
  const one = results[0]!.ms;
  return results.map(({ workers, ms }) => ({
    figure: `CPU-bound plates workflow (${String(pieces)} pieces): queue, ${String(workers)} worker process(es) vs local`,
    engineMs: ms,
    baselineMs: localMs,
    items: pieces,
    note:
      workers === 1
        ? 'local: one process, concurrency 1'
        : `${(one / ms).toFixed(2)}× the 1-worker queue run`,
  }));
}
