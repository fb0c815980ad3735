// Concurrency: two and four runner processes, released at the same moment, execute the workflow
// over overlapping intervals with different piece sizes on one database, so their writes and
// calculated-interval merges interleave. The outputs must equal the reference, the calculated
// intervals must be exactly the union of what was asked (an update lost in a merge would leave a
// hole), and no reader may see an interval claimed before its data.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TimeInterval } from '../../src/time/time-interval.js';
import { differences, falseClaims, readSnapshot, referenceRun } from './fixtures/outputs.js';
import { pollWhile, runScript } from './fixtures/processes.js';
import { HOUR } from './fixtures/workflow.js';

const RUNNER = fileURLToPath(new URL('./fixtures/run-workflow.ts', import.meta.url));
const T0 = Date.parse('2026-01-01T00:00:00Z');

interface RunnerSpec {
  /** Hours after T0, each executed in turn. */
  readonly intervals: readonly (readonly [number, number])[];
  readonly pieceSize: string;
}

let client: MongoClient;
const databases: string[] = [];

beforeAll(async () => {
  client = await MongoClient.connect(inject('mongoUri'));
});

afterAll(async () => {
  for (const name of databases) await client.db(name).dropDatabase();
  await client.close();
});

/** Starts the runners, releases them together once all are set up, and checks the outcome. */
async function race(specs: readonly RunnerSpec[]): Promise<void> {
  const hours = specs.flatMap((spec) => spec.intervals.flat());
  // The runners' intervals together cover this span without a hole.
  const reference = await referenceRun(
    new TimeInterval(T0 + Math.min(...hours) * HOUR, T0 + Math.max(...hours) * HOUR),
  );
  const database = `hs_conc_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  databases.push(database);
  const scripts = specs.map((spec) =>
    runScript(RUNNER, [
      inject('mongoUri'),
      database,
      spec.intervals.map(([from, to]) => `${T0 + from * HOUR}/${T0 + to * HOUR}`).join(','),
      spec.pieceSize,
      'wait',
    ]),
  );
  await Promise.all(scripts.map((script) => script.line('READY')));
  for (const script of scripts) script.child.stdin!.write('go\n');
  const problems: string[] = [];
  const all = Promise.all(scripts.map((script) => script.exited));
  const polls = await pollWhile(all, async () => {
    problems.push(...falseClaims(await readSnapshot(client.db(database)), reference.documents));
  });
  const exits = await all;
  for (const [i, exit] of exits.entries()) expect(exit.code, `runner ${i}: ${exit.stderr}`).toBe(0);
  const done = scripts.map(
    (script) =>
      JSON.parse(script.lines.find((l) => l.startsWith('DONE '))!.slice(5)) as {
        status: string;
        pieces: number;
      },
  );
  expect(done.map((d) => d.status)).toEqual(specs.map(() => 'completed'));
  expect(problems).toEqual([]);
  expect(differences(await readSnapshot(client.db(database)), reference)).toEqual([]);
  process.stderr.write(
    `${specs.length} concurrent runners: pieces ${done.map((d) => d.pieces).join(' + ')}, ${polls} reader polls\n`,
  );
}

describe('runner processes on the same workflow at once', () => {
  it('two runners over overlapping intervals', async () => {
    await race([
      { intervals: [[0, 10]], pieceSize: 'PT1H' },
      { intervals: [[4, 14]], pieceSize: 'PT25M' },
    ]);
  });

  it('four runners over overlapping intervals', async () => {
    await race([
      { intervals: [[0, 8]], pieceSize: 'PT1H' },
      { intervals: [[2, 12]], pieceSize: 'PT25M' },
      { intervals: [[5, 14]], pieceSize: 'PT40M' },
      { intervals: [[0, 14]], pieceSize: 'PT1H' },
    ]);
  });

  it('four runners over interleaved hours, so a lost interval merge would leave a hole', async () => {
    // Runner i executes hours i, i + 4, i + 8 and i + 12 of the hourly node, one after the other:
    // no two runners compute the same piece of it, so no second writer can cover a lost update.
    await race(
      [0, 1, 2, 3].map((i) => ({
        intervals: [0, 4, 8, 12].map((h) => [h + i, h + i + 1] as const),
        pieceSize: 'PT20M',
      })),
    );
  });
});
