// The CLI against MongoDB storage: what one process computes, the next one sees.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestServer } from '../setup/mongo-server.js';
import { startTestServer } from '../setup/mongo-server.js';
import type { CliResult } from './run-cli.js';
import { cli, json, makeProject } from './run-cli.js';

const FROM = '2026-01-01T00:00:00Z';
const T0 = Date.parse(FROM);
const MINUTE = 60_000;
const iso = (t: number): string => new Date(t).toISOString();

let server: TestServer | undefined;
let uri: string;
const database = `hs_test_${randomUUID().replace(/-/g, '')}`;
let project: { dir: string; remove(): Promise<void> };
const run = (...args: string[]): Promise<CliResult> => cli(args, { cwd: project.dir });

interface Intervals {
  calculated: { start: string; end: string }[];
  invalidated: { start: string; end: string }[];
  gaps?: { start: string; end: string }[];
}

beforeAll(async () => {
  // The integration project's global setup provides a server; alone, this file starts one.
  const provided = inject('mongoUri') as string | undefined;
  if (provided) uri = provided;
  else {
    server = await startTestServer();
    uri = server.uri;
  }
  project = await makeProject({
    workflows: [
      { workflow: 'ticker', every: 'PT1S', window: '-PT10S/-PT1S' },
      { workflow: 'slow', every: 'PT1S', window: '-PT10S/-PT1S' },
    ],
  });
  const file = join(project.dir, 'hyperstream.config.json');
  const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...config, storage: { kind: 'mongodb', uri, database } }));
});

afterAll(async () => {
  const client = new MongoClient(uri);
  try {
    await client.db(database).dropDatabase();
  } finally {
    await client.close();
  }
  await project.remove();
  await server?.stop();
});

describe('hyperstream with MongoDB storage', () => {
  it('keeps computed streams and their intervals between commands, and purges them', async () => {
    const first = await run('run', 'ticker', '--interval', `${FROM}/PT1H`, '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(json(first)).toMatchObject({ documents: 120 });

    const [intervals, streams, stored] = await Promise.all([
      run('stream', 'intervals', 'doubled', '--interval', `${FROM}/PT2H`, '--json'),
      run('streams', 'list', '--channel', 'mongo', '--json'),
      run(
        'stream',
        'show',
        'doubled',
        '--interval',
        `${FROM}/PT1H`,
        '--stored',
        '--tail',
        '1',
        '--json',
      ),
    ]);
    expect(json<Intervals>(intervals)).toEqual({
      stream: 'doubled',
      channel: 'mongo',
      calculated: [{ start: iso(T0), end: iso(T0 + 60 * MINUTE) }],
      invalidated: [],
      requested: { start: iso(T0), end: iso(T0 + 120 * MINUTE) },
      gaps: [{ start: iso(T0 + 60 * MINUTE), end: iso(T0 + 120 * MINUTE) }],
    });
    expect(
      json<{ stream: string }[]>(streams)
        .map((s) => s.stream)
        .sort(),
    ).toEqual(['doubled', 'ticks']);
    expect(json(stored)).toEqual([
      { timestamp: iso(T0 + 60 * MINUTE), value: (T0 + 60 * MINUTE) * 2 },
    ]);

    const dry = await run(
      'purge',
      'ticks',
      '--from',
      iso(T0 + 30 * MINUTE),
      '--to',
      iso(T0 + 60 * MINUTE),
      '--cascade',
      '--dry-run',
      '--json',
    );
    expect(dry.code, dry.stderr).toBe(0);
    expect(
      json<{ dryRun: boolean; streams: { stream: string; documents: number }[] }>(dry),
    ).toMatchObject({
      dryRun: true,
      streams: expect.arrayContaining([
        expect.objectContaining({ stream: 'ticks', documents: 30 }),
        expect.objectContaining({ stream: 'doubled', documents: 30 }),
      ]) as unknown,
    });
    const purge = await run(
      'purge',
      'ticks',
      '--from',
      iso(T0 + 30 * MINUTE),
      '--to',
      iso(T0 + 60 * MINUTE),
      '--cascade',
    );
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toContain('purged 2 streams, 60 documents');
    const after = json<Intervals>(
      await run('stream', 'intervals', 'doubled', '--interval', `${FROM}/PT1H`, '--json'),
    );
    expect(after.gaps).toEqual([{ start: iso(T0 + 30 * MINUTE), end: iso(T0 + 60 * MINUTE) }]);

    // Running again computes only the purged half.
    const again = await run('run', 'ticker', '--interval', `${FROM}/PT1H`, '--json');
    expect(json(again)).toMatchObject({ documents: 60 });
  });

  it('keeps the history of runs in sessions: one per run', async () => {
    const runs = [];
    for (const start of ['2026-03-01T00:00:00Z', '2026-03-01T00:05:00Z']) {
      runs.push(
        json<{ session: string }>(
          await run('run', 'ticker', '--interval', `${start}/PT5M`, '--pieces', '1', '--json'),
        ).session,
      );
    }
    const [list, show, text, failed] = await Promise.all([
      run('sessions', 'list', '--workflow', 'ticker', '--limit', '2', '--json'),
      run('sessions', 'show', runs[1]!, '--json'),
      run('sessions', 'show', runs[0]!),
      run('sessions', 'list', '--status', 'failed', '--json'),
    ]);
    const sessions =
      json<{ id: string; status: string; documents: number; intervals: string[] }[]>(list);
    expect(sessions.map((x) => x.id).sort()).toEqual([...runs].sort());
    expect(sessions.every((x) => x.status === 'completed' && x.documents === 10)).toBe(true);
    expect(json(show)).toMatchObject({
      id: runs[1],
      kind: 'execute',
      workflows: ['ticker'],
      status: 'completed',
      intervals: [
        { start: Date.parse('2026-03-01T00:05:00Z'), end: Date.parse('2026-03-01T00:10:00Z') },
      ],
    });
    expect(text.stdout).toMatch(new RegExp(`^session ${runs[0]!}: completed\\n`));
    expect(text.stdout).toMatch(/clock->ticks\s+clock@1\.0\.0\{.*\}\s+1\s+5\s+\d+\n/);
    expect(json(failed)).toEqual([]);
  });

  it("leaves the online engine's results in the store, contiguous", async () => {
    const online = await run(
      'online',
      'start',
      '--virtual-clock',
      '2026-02-01T00:00:00Z',
      '--iterations',
      '20',
      '--workflow',
      'ticker',
      '--json',
    );
    expect(online.code, online.stderr).toBe(0);
    const intervals = json<Intervals>(await run('stream', 'intervals', 'doubled', '--json'));
    expect(intervals.calculated).toContainEqual({
      start: '2026-01-31T23:59:51.000Z',
      end: '2026-02-01T00:00:19.000Z',
    });
  });

  it('stopping the service during a long piece records the finished upstream step and nothing of the abandoned one', async () => {
    const start = await run(
      'online',
      'start',
      '--detach',
      '--workflow',
      'slow',
      '--name',
      'slow',
      '--json',
    );
    expect(start.code, start.stdout + start.stderr).toBe(0);
    const log = join(project.dir, 'state/slow.log');
    const deadline = Date.now() + 20_000;
    // The clock step is recorded first; then the slow step runs for 30 s.
    let ticks: Intervals | undefined;
    while (Date.now() < deadline) {
      const result = await run('stream', 'intervals', 'slow_ticks', '--json');
      if (result.code === 0) {
        ticks = json<Intervals>(result);
        if (ticks.calculated.length) break;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(ticks?.calculated).toHaveLength(1);
    const stop = await run('online', 'stop', '--name', 'slow', '--json');
    expect(json(stop)).toMatchObject({ status: 'SUCCESS' });
    expect(await readFile(log, 'utf8')).toContain('abandoned by stop');
    const copy = await run('stream', 'intervals', 'slow_copy', '--json');
    // Either the sink was never created, or it exists with nothing calculated.
    if (copy.code === 0) expect(json<Intervals>(copy).calculated).toEqual([]);
    else expect(copy.stderr).toContain('STREAM_NOT_FOUND');
    const status = json<{ iterations: number; workflows: { lastEnd?: string }[] }>(
      await run('online', 'status', '--name', 'slow', '--json'),
    );
    expect(status.iterations).toBe(0);
    expect(status.workflows[0]!.lastEnd).toBeUndefined();
  });
});
