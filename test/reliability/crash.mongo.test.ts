// Crash: a runner process is SIGKILLed at seeded random points while it computes the workflow
// into the Database channel; a re-run completes it. While it runs, and after it died, no calculated
// interval claims data that is missing, and the completed outputs equal a clean reference run.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { createMongoEngineOptions } from '../../src/mongodb.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import type { Snapshot } from './fixtures/outputs.js';
import {
  claimedShare,
  differences,
  falseClaims,
  readSnapshot,
  referenceRun,
} from './fixtures/outputs.js';
import type { Script } from './fixtures/processes.js';
import { pollWhile, runScript, runSeed, seededRandom, sleep } from './fixtures/processes.js';
import { HOUR, TOOLS, buildWorkflow } from './fixtures/workflow.js';

const RUNNER = fileURLToPath(new URL('./fixtures/run-workflow.ts', import.meta.url));
const TRIALS = 20;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const INTERVAL = new TimeInterval(T0, T0 + 12 * HOUR);
const PIECE = 'PT1H';

const seed = runSeed();
const random = seededRandom(seed);
const prefix = `hs_crash_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
let client: MongoClient;
let reference: Snapshot;

beforeAll(async () => {
  process.stderr.write(`crash test seed ${seed} (replay with RELIABILITY_SEED=${seed})\n`);
  client = await MongoClient.connect(inject('mongoUri'));
  reference = await referenceRun(INTERVAL);
});

afterAll(async () => {
  const { databases } = await client.db('admin').admin().listDatabases();
  for (const { name } of databases)
    if (name.startsWith(prefix)) await client.db(name).dropDatabase();
  await client.close();
});

function runner(database: string): Script {
  return runScript(RUNNER, [
    inject('mongoUri'),
    database,
    `${INTERVAL.start}/${INTERVAL.end}`,
    PIECE,
  ]);
}

/** Polls the database until the script exits; every snapshot must be truthful. */
async function watch(
  database: string,
  script: Script,
): Promise<{ polls: number; problems: string[] }> {
  const problems: string[] = [];
  const polls = await pollWhile(script.exited, async () => {
    problems.push(...falseClaims(await readSnapshot(client.db(database)), reference.documents));
  });
  return { polls, problems };
}

/** Completes the run in a fresh engine, as an operator re-running the workflow would. */
async function rerun(database: string): Promise<void> {
  const mongo = await createMongoEngineOptions({ db: client.db(database), defaultChannel: false });
  const engine = await Engine.create({ ...mongo, tools: TOOLS });
  try {
    const workflow = await buildWorkflow(engine, { output: 'mongo', pieceSize: PIECE });
    await workflow.execute(INTERVAL);
  } finally {
    await engine.close();
  }
}

describe('a runner killed with SIGKILL at random points', () => {
  let runMs = 0;

  it('computes the reference in a clean process run', async () => {
    const database = `${prefix}_clean`;
    const script = runner(database);
    const watched = watch(database, script);
    const done = JSON.parse((await script.line('DONE ')).slice(5)) as {
      ms: number;
      pieces: number;
    };
    expect((await script.exited).code).toBe(0);
    const { polls, problems } = await watched;
    expect(problems).toEqual([]);
    expect(polls).toBeGreaterThan(0);
    expect(differences(await readSnapshot(client.db(database)), reference)).toEqual([]);
    runMs = done.ms;
    process.stderr.write(`clean run: ${done.pieces} pieces in ${done.ms} ms, ${polls} polls\n`);
  });

  it(`never claims missing data, and a re-run completes it (${TRIALS} seeded trials)`, async () => {
    expect(runMs).toBeGreaterThan(0);
    const report = { killed: 0, finishedFirst: 0, kills: 0, polls: 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      const database = `${prefix}_${trial}`;
      // One or two processes in a row, each killed at a random point of what it has left to do.
      const rounds = 1 + Math.floor(random() * 2);
      for (let round = 0; round < rounds; round++) {
        const left = 1 - claimedShare(await readSnapshot(client.db(database)), reference);
        if (left < 0.05) break;
        const script = runner(database);
        const watched = watch(database, script);
        await script.line('START');
        await sleep(random() * left * runMs);
        const done = script.lines.find((line) => line.startsWith('DONE '));
        const finished = done !== undefined;
        // Warm runs are faster than the first one: aim at what runs take now.
        if (done && left === 1)
          runMs = Math.min(runMs, (JSON.parse(done.slice(5)) as { ms: number }).ms);
        script.child.kill('SIGKILL');
        const exit = await script.exited;
        report.kills++;
        if (finished || exit.code === 0) report.finishedFirst++;
        else report.killed++;
        const { polls, problems } = await watched;
        report.polls += polls;
        expect(problems, `trial ${trial} round ${round} (seed ${seed})`).toEqual([]);
        // And at rest, after the process died.
        expect(falseClaims(await readSnapshot(client.db(database)), reference.documents)).toEqual(
          [],
        );
      }
      await rerun(database);
      expect(
        differences(await readSnapshot(client.db(database)), reference),
        `trial ${trial} (seed ${seed})`,
      ).toEqual([]);
      await client.db(database).dropDatabase();
    }
    process.stderr.write(
      `crash trials: ${TRIALS} trials, ${report.kills} SIGKILLs (${report.killed} mid-run, ` +
        `${report.finishedFirst} after the run had finished), ${report.polls} reader polls, seed ${seed}\n`,
    );
    // The kill times must mostly land inside runs, or the test proves little.
    expect(report.killed).toBeGreaterThan(report.kills / 2);
  });
});
