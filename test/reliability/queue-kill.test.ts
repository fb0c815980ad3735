// Queue workers killed with SIGKILL mid-piece while a distributed run is in progress (seeded,
// replayable with RELIABILITY_SEED): BullMQ's stalled-job check gives each killed worker's piece to
// another worker, the run completes with one session equal to a local run's, and at no moment does
// a calculated interval claim data that was not written. Storage: one SQLite file shared by the
// processes of this machine, read straight from its tables (not through the engine under test),
// intervals before instances.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createQueueScheduler } from '../../src/distributed.js';
import type { SessionRecord } from '../../src/storage/session-store.js';
import { channelSnapshot, sessionShape } from '../integration/distributed/fixtures/compare.js';
import type { StorageSpec } from '../integration/distributed/fixtures/engines.js';
import { openEngine } from '../integration/distributed/fixtures/engines.js';
import type { WorkerProcessConfig } from '../integration/distributed/fixtures/worker-process.js';
import { spawnWorker } from '../integration/distributed/fixtures/workers.js';
import type { Script } from './fixtures/processes.js';
import { pollWhile, runSeed, seededRandom, sleep } from './fixtures/processes.js';
import type { Snapshot } from './fixtures/outputs.js';
import { differences, falseClaims } from './fixtures/outputs.js';
import { readSqliteSnapshot } from './fixtures/targets.js';
import { INTERVAL, build } from './fixtures/queue-workflow.js';

const TRIALS = 10;

const seed = runSeed();
const random = seededRandom(seed);
const redisUrl = inject('redisUrl');
const workers = new Set<Script>();
let dir: string;
let reference: { snapshot: Snapshot; streams: Map<string, string>; session: SessionRecord };

function storage(name: string): StorageSpec & { readonly kind: 'sqlite' } {
  return { kind: 'sqlite', path: join(dir, `${name}.sqlite`) };
}

function startWorker(config: WorkerProcessConfig): Script {
  const script = spawnWorker(config);
  workers.add(script);
  void script.exited.then(() => workers.delete(script));
  return script;
}

async function killAll(): Promise<void> {
  await Promise.all(
    [...workers].map(async (script) => {
      script.child.kill('SIGKILL');
      await script.exited;
    }),
  );
}

beforeAll(async () => {
  process.stderr.write(`queue kill test seed ${seed} (replay with RELIABILITY_SEED=${seed})\n`);
  dir = await mkdtemp(join(tmpdir(), 'hs-queue-kill-'));
  const engine = await openEngine(storage('reference'));
  try {
    const session = await (await build(engine)).execute(INTERVAL);
    expect(session.status).toBe('completed');
    reference = {
      snapshot: readSqliteSnapshot(storage('reference').path),
      streams: await channelSnapshot(engine, 'sqlite'),
      session,
    };
  } finally {
    await engine.close();
  }
});

// Whatever happens, no worker outlives its trial.
afterEach(killAll);

afterAll(async () => {
  await killAll();
  await rm(dir, { recursive: true, force: true });
});

describe('queue workers killed with SIGKILL during a distributed run', () => {
  it(`complete every piece once, never claim unwritten data (${TRIALS} seeded trials)`, async () => {
    const report = { kills: 0, stalled: 0, polls: 0, replaced: 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      const queue = `kill_${String(process.pid)}_${String(trial)}`;
      const spec = storage(`trial_${String(trial)}`);
      const config: WorkerProcessConfig = {
        storage: spec,
        redis: redisUrl,
        queue,
        concurrency: 1 + Math.floor(random() * 2),
        lockDuration: 1_000,
        stalledInterval: 500,
      };
      const count = 2 + Math.floor(random() * 2);
      await Promise.all(
        Array.from({ length: count }, async () => await startWorker(config).line('READY')),
      );
      const events = new QueueEvents(queue, { connection: { url: redisUrl }, prefix: 'hs' });
      const stalled = new Set<string>();
      events.on('stalled', ({ jobId }) => stalled.add(jobId));
      await events.waitUntilReady();
      const engine = await openEngine(spec, {
        schedulers: { queue: createQueueScheduler({ connection: redisUrl, queue }) },
      });
      try {
        const workflow = await build(engine);
        const started = Date.now();
        const run = workflow.execute(INTERVAL, { runner: 'queue' });
        const problems: string[] = [];
        const polled = pollWhile(run, async () => {
          // The file exists once a worker or the coordinator opened it.
          problems.push(
            ...falseClaims(readSqliteSnapshot(spec.path), reference.snapshot.documents),
          );
          await Promise.resolve();
        });
        // One to three kills, each of a random live worker at a random moment; a new worker
        // replaces it (always when it was the last one, so the run can finish).
        const kills = 1 + Math.floor(random() * 3);
        for (let k = 0; k < kills; k++) {
          await sleep(200 + random() * 2_000);
          const live = [...workers];
          const victim = live[Math.floor(random() * live.length)];
          if (!victim) break;
          victim.child.kill('SIGKILL');
          await victim.exited;
          report.kills++;
          if (live.length === 1 || random() < 0.5) {
            startWorker(config);
            report.replaced++;
          }
        }
        const session = await run;
        report.polls += await polled;
        expect(problems, `trial ${String(trial)} (seed ${String(seed)})`).toEqual([]);
        expect(session.status).toBe('completed');
        // One session, its pieces exactly the local run's: none lost, none recorded twice.
        expect(sessionShape(session)).toEqual(sessionShape(reference.session));
        expect(differences(readSqliteSnapshot(spec.path), reference.snapshot)).toEqual([]);
        expect(await channelSnapshot(engine, 'sqlite')).toEqual(reference.streams);
        // A re-run finds everything computed.
        expect((await workflow.execute(INTERVAL, { runner: 'queue' })).pieces).toHaveLength(0);
        report.stalled += stalled.size;
        process.stderr.write(
          `trial ${String(trial)}: ${String(count)} workers ×${String(config.concurrency)}, ` +
            `${String(kills)} kill(s), ${String(stalled.size)} stalled piece(s) taken again, ` +
            `${String(Date.now() - started)} ms\n`,
        );
      } finally {
        await engine.close();
        await events.close();
        await killAll();
      }
    }
    process.stderr.write(`queue kill test: ${JSON.stringify(report)}\n`);
    // The kills did land in the middle of pieces, and those pieces were recovered.
    expect(report.stalled).toBeGreaterThan(0);
  }, 900_000);
});
