// Redis restarted in the middle of distributed runs: once gracefully (it saves its append-only file
// and comes back with its jobs) and once killed with SIGKILL and restarted empty (every job and
// definition lost). Workers and the run reconnect; the run finds the pieces whose events it missed
// and enqueues again the ones Redis lost, then completes with the outputs of a local run, each
// piece recorded exactly once in its session, and no calculated interval ever claims data that
// was not written. Seeded, as the other fault
// tests (RELIABILITY_SEED replays).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueScheduler } from '../../src/distributed.js';
import type { SessionRecord } from '../../src/storage/session-store.js';
import { channelSnapshot, sessionShape } from '../integration/distributed/fixtures/compare.js';
import { openEngine } from '../integration/distributed/fixtures/engines.js';
import type { WorkerProcesses } from '../integration/distributed/fixtures/workers.js';
import { startWorkers } from '../integration/distributed/fixtures/workers.js';
import type { TestRedis } from '../integration/setup/redis-server.js';
import { startTestRedis } from '../integration/setup/redis-server.js';
import type { Snapshot } from './fixtures/outputs.js';
import { differences, falseClaims } from './fixtures/outputs.js';
import { pollWhile, runSeed, seededRandom, sleep } from './fixtures/processes.js';
import { INTERVAL, build } from './fixtures/queue-workflow.js';
import { readSqliteSnapshot } from './fixtures/targets.js';

const seed = runSeed();
const random = seededRandom(seed);
let dir: string;
let redis: TestRedis;
let reference: { snapshot: Snapshot; streams: Map<string, string>; session: SessionRecord };
let workers: WorkerProcesses | undefined;

const file = (name: string): { kind: 'sqlite'; path: string } => ({
  kind: 'sqlite',
  path: join(dir, `${name}.sqlite`),
});

beforeAll(async () => {
  process.stderr.write(
    `queue Redis restart test seed ${seed} (replay with RELIABILITY_SEED=${seed})\n`,
  );
  dir = await mkdtemp(join(tmpdir(), 'hs-queue-redis-'));
  // This test stops its server: it owns one (never REDIS_URL's), with an append-only file.
  redis = await startTestRedis({ own: true, persist: true });
  const engine = await openEngine(file('reference'));
  try {
    const session = await (await build(engine)).execute(INTERVAL);
    reference = {
      snapshot: readSqliteSnapshot(file('reference').path),
      streams: await channelSnapshot(engine, 'sqlite'),
      session,
    };
  } finally {
    await engine.close();
  }
});

afterAll(async () => {
  await workers?.kill();
  await redis?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('Redis restarted during a distributed run', () => {
  it.each(['graceful', 'SIGKILL'] as const)(
    'a %s restart: the run completes with the outputs of a local run, never claiming unwritten data',
    async (how) => {
      const spec = file(`restart_${how}`);
      const queue = `restart_${how}_${String(process.pid)}`;
      workers = await startWorkers(2, { storage: spec, redis: redis.url, queue });
      const engine = await openEngine(spec, {
        schedulers: {
          queue: createQueueScheduler({
            connection: redis.url,
            queue,
            redisTimeout: 60_000,
            sweepInterval: 500,
          }),
        },
      });
      try {
        const workflow = await build(engine);
        const run = workflow.execute(INTERVAL, { runner: 'queue' });
        const problems: string[] = [];
        const polled = pollWhile(run, async () => {
          problems.push(
            ...falseClaims(readSqliteSnapshot(spec.path), reference.snapshot.documents),
          );
          await Promise.resolve();
        });
        await sleep(500 + random() * 1_500);
        await (how === 'graceful' ? redis.stop() : redis.kill());
        await sleep(500 + random() * 1_500);
        await redis.start();
        const session = await run;
        await polled;
        expect(problems).toEqual([]);
        expect(session.status).toBe('completed');
        // One session, its pieces exactly the local run's: a piece that finished while Redis
        // was down is taken again once it is back and finds its intervals stamped with this
        // session, so it is listed with what it wrote — once.
        expect(sessionShape(session)).toEqual(sessionShape(reference.session));
        expect(differences(readSqliteSnapshot(spec.path), reference.snapshot)).toEqual([]);
        expect(await channelSnapshot(engine, 'sqlite')).toEqual(reference.streams);
        expect((await workflow.execute(INTERVAL, { runner: 'queue' })).pieces).toHaveLength(0);
      } finally {
        await engine.close();
        await workers.kill();
        workers = undefined;
      }
    },
    300_000,
  );
});
