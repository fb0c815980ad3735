// Retries on the queue, with a real worker on a real Redis: a failing piece is attempted again
// after its policy's delays (per factor, per workflow, or the scheduler's default), then kept as a
// dead letter; once the fault is fixed a new run computes it.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PieceWorker } from '../../../src/distributed.js';
import { createQueueScheduler, openQueueAdmin, startWorker } from '../../../src/distributed.js';
import type { Engine } from '../../../src/engine/engine.js';
import { WorkflowExecutionError } from '../../../src/errors.js';
import { openEngine } from './fixtures/engines.js';
import { flaky } from './fixtures/test-tools.js';

const redisUrl = inject('redisUrl');
const queue = `retries_${randomUUID().slice(0, 8)}`;
const INTERVAL = '2026-01-01T00:00:00Z/PT1H';
let dir: string;
let marker: string;
let coordinator: Engine;
let workerEngine: Engine;
let worker: PieceWorker;
let events: QueueEvents;
/** Job id → when each attempt became active (ms). */
const attempts = new Map<string, number[]>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hs-retries-'));
  marker = join(dir, 'fault');
  const storage = { kind: 'sqlite', path: join(dir, 'hs.sqlite') } as const;
  workerEngine = await openEngine(storage);
  worker = await startWorker({ engine: workerEngine, connection: redisUrl, queue });
  events = new QueueEvents(queue, { connection: { url: redisUrl }, prefix: 'hs' });
  events.on('active', ({ jobId }) =>
    attempts.set(jobId, [...(attempts.get(jobId) ?? []), Date.now()]),
  );
  await events.waitUntilReady();
  coordinator = await openEngine(storage, {
    schedulers: {
      queue: createQueueScheduler({
        connection: redisUrl,
        queue,
        retry: { policy: 'constant', delay: 100, maxRetries: 1, jitter: 'none' },
        retries: [
          {
            workflow: 'retried',
            retry: { policy: 'exponential', delay: 200, factor: 3, maxRetries: 2, jitter: 'none' },
          },
          {
            workflow: 'retried',
            factor: 'flaky->linear_out',
            retry: { policy: 'linear', delay: 300, maxRetries: 2, jitter: 'none' },
          },
        ],
      }),
    },
  });
});

afterAll(async () => {
  await coordinator?.close();
  await worker?.close({ timeout: 1_000 });
  await workerEngine?.close();
  await events?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The gaps between the attempts' start times of a job. */
function gaps(jobId: string): number[] {
  const times = attempts.get(jobId) ?? [];
  return times.slice(1).map((t, i) => t - times[i]!);
}

describe('retries with backoff on the queue', () => {
  it("waits each policy's delays between attempts, then keeps a dead letter", async () => {
    await writeFile(marker, 'disk full');
    for (const id of ['retried', 'plain']) {
      const w = coordinator.workflow(id);
      for (const factor of id === 'retried' ? ['linear_out', 'exp_out'] : ['default_out']) {
        w.factor({ tool: flaky.create({ marker, step: 600_000 }), sink: w.node(factor) });
      }
      const error = await w.execute(INTERVAL, { runner: 'queue' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowExecutionError);
      expect((error as Error).message).toContain('disk full');
    }
    const admin = await openQueueAdmin({ connection: redisUrl, queue });
    const letters = await admin.failed().finally(() => admin.close());
    const byFactor = new Map(letters.map((l) => [l.factor, l]));
    // Linear 300 ms: 300, 600. Exponential 200 ms ×3: 200, 600. Default constant: 100.
    for (const [factor, delays] of [
      ['flaky->linear_out', [300, 600]],
      ['flaky->exp_out', [200, 600]],
      ['flaky->default_out', [100]],
    ] as const) {
      const letter = byFactor.get(factor);
      expect(letter, `no dead letter of ${factor}: ${JSON.stringify(letters)}`).toBeDefined();
      expect(letter!.attempts, factor).toBe(delays.length + 1);
      expect(letter!.reason).toMatch(/^\[TOOL_EXECUTION_FAILED\] .*disk full$/);
      const seen = gaps(letter!.id);
      expect(seen, factor).toHaveLength(delays.length);
      // BullMQ promotes a delayed job when it is due: a loaded machine adds, never subtracts.
      seen.forEach((gap, i) =>
        expect(gap, `${factor} retry ${String(i + 1)}`).toBeGreaterThanOrEqual(delays[i]! - 20),
      );
    }
    await unlink(marker);
    const session = await coordinator.workflows.get('plain').execute(INTERVAL, { runner: 'queue' });
    expect(session.status).toBe('completed');
    expect(session.pieces).toHaveLength(1);
  });
});
