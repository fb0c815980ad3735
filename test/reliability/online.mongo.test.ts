// Online engine: the real `hyperstream online start` (MongoDB storage, virtual clock) is SIGKILLed
// at seeded random moments while it ticks, then started again; each restart resumes from the state
// file where the last finished tick ended. At the end every output stream is calculated over one
// interval without a gap, holds each tick once, and no reader ever saw an unbacked claim.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readServiceStatus, servicePaths } from '../../src/online/service.js';
import { StreamId } from '../../src/streams/stream-id.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import type { Documents } from './fixtures/outputs.js';
import { falseClaims, readSnapshot } from './fixtures/outputs.js';
import { TICK } from './fixtures/online-workflow.js';
import type { Script } from './fixtures/processes.js';
import { ROOT, pollWhile, runScript, runSeed, seededRandom, sleep } from './fixtures/processes.js';

const MAIN = join(ROOT, 'src/cli/main.ts');
const WORKFLOW = fileURLToPath(new URL('./fixtures/online-workflow.ts', import.meta.url));
const T0 = Date.parse('2026-03-01T00:00:00Z');
/** Virtual time between two starts: a restart catches up the gap in its first tick. */
const GAP = 30 * 60_000;
const CYCLES = 6;
const TICKS = StreamId.of('online_ticks').key;
const DOUBLED = StreamId.of('online_doubled').key;

const seed = runSeed();
const random = seededRandom(seed);
const database = `hs_online_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
let dir: string;
let config: string;
let client: MongoClient;

beforeAll(async () => {
  process.stderr.write(`online crash test seed ${seed} (replay with RELIABILITY_SEED=${seed})\n`);
  client = await MongoClient.connect(inject('mongoUri'));
  dir = await mkdtemp(join(tmpdir(), 'hs-online-crash-'));
  config = join(dir, 'hyperstream.config.json');
  await writeFile(
    config,
    JSON.stringify({
      storage: { kind: 'mongodb', uri: inject('mongoUri'), database },
      workflows: [WORKFLOW],
      online: {
        name: 'crash',
        stateDir: 'state',
        stopTimeout: 'PT2S',
        workflows: [{ workflow: 'online', every: 'PT1S', window: '-PT10S/-PT1S' }],
      },
      logging: { level: 'warn' },
    }),
  );
});

afterAll(async () => {
  await client.db(database).dropDatabase();
  await client.close();
  await rm(dir, { recursive: true, force: true });
});

function start(clock: number, ...more: string[]): Script {
  const args = [
    'online',
    'start',
    '--config',
    config,
    '--virtual-clock',
    new Date(clock).toISOString(),
  ];
  return runScript(MAIN, [...args, '--json', ...more]);
}

/** Every tick in (start, end] with its value, for both streams. */
function expected(interval: TimeInterval): Documents {
  const ticks = new Map<number, unknown>();
  const doubled = new Map<number, unknown>();
  for (let t = interval.start + TICK; t <= interval.end; t += TICK) {
    ticks.set(t, t);
    doubled.set(t, 2 * t);
  }
  return new Map([
    [TICKS, ticks],
    [DOUBLED, doubled],
  ]);
}

describe('the online engine killed during ticks', () => {
  it(`resumes with no gap and no duplicate (${CYCLES} SIGKILLs)`, async () => {
    const paths = servicePaths(join(dir, 'state'), 'crash');
    const firstStart = T0 + TICK - 10_000; // the first window is (now + 1 s − 10 s, now + 1 s − 1 s]
    const finalClock = T0 + CYCLES * GAP;
    const reference = expected(new TimeInterval(firstStart, finalClock + 2 * TICK));
    const problems: string[] = [];
    let midTick = 0;
    let polls = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const script = start(T0 + cycle * GAP);
      const checks = pollWhile(script.exited, async () => {
        problems.push(...falseClaims(await readSnapshot(client.db(database)), reference));
      });
      // Once it has finished a tick in this process (so there is a place to resume from)...
      const deadline = Date.now() + 60_000;
      for (;;) {
        const status = await readServiceStatus(paths);
        if (status.pid === script.child.pid && (status.workflows[0]?.iterations ?? 0) > 0) break;
        if (script.child.exitCode !== null)
          throw new Error(`online start exited: ${(await script.exited).stderr}`);
        if (Date.now() > deadline)
          throw new Error(`online start never ticked: ${JSON.stringify(status)}`);
        await sleep(20);
      }
      // ...kill it at a random moment of its ticking.
      await sleep(random() * 1500);
      script.child.kill('SIGKILL');
      expect((await script.exited).signal).toBe('SIGKILL');
      polls += await checks;
      const after = await readSnapshot(client.db(database));
      const [ticksEnd, doubledEnd] = [TICKS, DOUBLED].map((key) => after.intervals.get(key)?.end);
      const lastEnd = (await readServiceStatus(paths)).workflows[0]?.lastEnd;
      // Evidence that the kill fell inside a tick: its first factor recorded more than its second,
      // or more than the state file says is done.
      if (ticksEnd !== doubledEnd || (lastEnd !== undefined && ticksEnd! > Date.parse(lastEnd))) {
        midTick++;
      }
      // It died without stopping: the state file still says running, and status says so.
      expect((await readServiceStatus(paths)).status).toBe('failed');
    }

    const last = start(finalClock, '--iterations', '3');
    const exit = await last.exited;
    expect(exit.code, exit.stderr).toBe(0);
    const status = JSON.parse(last.lines.join('\n')) as {
      status: string;
      workflows: { lastEnd: string; failures: number }[];
    };
    expect(status.status).toBe('stopped');
    expect(status.workflows[0]).toMatchObject({
      lastEnd: new Date(finalClock + 2 * TICK).toISOString(),
      failures: 0,
    });

    expect(problems).toEqual([]);
    const final = await readSnapshot(client.db(database));
    for (const key of [TICKS, DOUBLED]) {
      const want = reference.get(key)!;
      // One interval from the first window's start to the last window's end: no gap.
      expect(final.intervals.get(key)?.toJSON(), key).toEqual([
        { start: firstStart, end: finalClock + 2 * TICK },
      ]);
      // Each tick once, with its value.
      expect(final.counts.get(key), key).toBe(want.size);
      expect(final.documents.get(key), key).toEqual(want);
    }
    process.stderr.write(
      `online crash: ${CYCLES} SIGKILLs (${midTick} visibly inside a tick), ${polls} reader polls, seed ${seed}\n`,
    );
    expect(midTick).toBeGreaterThan(0);
  });
});
