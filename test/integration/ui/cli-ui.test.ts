// `hyperstream ui` as a process over the default storage (the SQLite file beside the config): it
// shows what earlier commands, each in its own process, stored; it sees runs made while it serves;
// it binds 127.0.0.1 and is read-only unless told otherwise; actions write to the same file. And
// `hyperstream graph` over the same config.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildUiAssets } from '../../../scripts/build-ui.js';
import type { CliResult, CliUi } from '../cli/run-cli.js';
import { MAIN, TSX, cli, json, makeProject, startCliUi } from '../cli/run-cli.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const FROM = '2026-01-01T00:00:00Z';
const MINUTE = 60_000;
const iso = (t: number): string => new Date(t).toISOString();

let project: { dir: string; remove(): Promise<void> };
const run = (...args: string[]): Promise<CliResult> => cli(args, { cwd: project.dir });
const started: CliUi[] = [];
const startUiProcess = async (...args: string[]): Promise<CliUi> =>
  await startUiProcessWith({}, ...args);
const startUiProcessWith = async (
  env: Readonly<Record<string, string>>,
  ...args: string[]
): Promise<CliUi> => {
  const ui = await startCliUi(args, { cwd: project.dir, env });
  started.push(ui);
  return ui;
};

async function get<T>(ui: CliUi, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(new URL(path, ui.url));
  expect(response.status, path).toBe(200);
  return { status: response.status, body: (await response.json()) as T };
}

/** The status of a GET sent with the given Host header (fetch would set its own). */
function statusWithHost(ui: CliUi, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: ui.host, port: ui.port, path, headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

interface SessionRow {
  readonly id: string;
  readonly status: string;
  readonly workflows: string[];
  readonly documents: number;
}

let firstRun: string;

beforeAll(async () => {
  await buildUiAssets();
  project = await makeProject({}, null);
  // Three commands, three processes, one SQLite file: a run, a purge of its middle, and a run
  // killed while it computes (abandoned).
  const first = await run('run', 'ticker', '--interval', `${FROM}/PT1H`, '--json');
  expect(first.code, first.stderr).toBe(0);
  firstRun = json<{ session: string }>(first).session;
  const purge = await run(
    'purge',
    'doubled',
    '--from',
    iso(T0 + 20 * MINUTE),
    '--to',
    iso(T0 + 40 * MINUTE),
  );
  expect(purge.code, purge.stderr).toBe(0);
  const slow = spawn(
    process.execPath,
    ['--import', TSX, MAIN, 'run', 'slow', '--interval', `${FROM}/PT10S`],
    { cwd: project.dir },
  );
  try {
    let stderr = '';
    slow.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!stderr.includes('pieces planned') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stderr).toContain('pieces planned');
  } finally {
    slow.kill('SIGKILL');
    await new Promise((resolve) =>
      slow.exitCode === null ? slow.once('exit', resolve) : resolve(undefined),
    );
  }
}, 180_000);

afterAll(async () => {
  for (const ui of started) await ui.stop();
  await project?.remove();
});

describe('hyperstream ui over the SQLite file of earlier commands', () => {
  it('shows their workflows, sessions (the killed one abandoned), coverage with the purged gap, and values', async () => {
    const ui = await startUiProcess();
    expect(ui.host).toBe('127.0.0.1');
    expect(ui.url).toBe(`http://127.0.0.1:${String(ui.port)}/`);
    expect(ui.actions).toBe(false);
    expect(ui.stderr()).not.toContain('warning');

    const workflows = await get<{ workflows: { id: string }[] }>(ui, '/api/workflows');
    expect(workflows.body.workflows.map((w) => w.id)).toEqual(['broken', 'slow', 'ticker']);

    const sessions = await get<SessionRow[]>(ui, '/api/sessions');
    expect(sessions.body.map((s) => [s.workflows[0], s.status])).toEqual([
      ['slow', 'abandoned'],
      ['ticker', 'completed'],
    ]);
    expect(sessions.body[1]).toMatchObject({ id: firstRun, documents: 120 });

    const coverage = await get<{
      channel: string;
      rows: {
        calculated: { start: number; end: number }[];
        gaps: { start: number; end: number }[];
        pieces: { session: string }[];
      }[];
    }>(ui, '/api/workflows/ticker/nodes/doubled/coverage');
    expect(coverage.body.channel).toBe('sqlite');
    expect(coverage.body.rows).toHaveLength(1);
    const [row] = coverage.body.rows;
    expect(row!.calculated).toEqual([
      { start: T0, end: T0 + 20 * MINUTE },
      { start: T0 + 40 * MINUTE, end: T0 + 60 * MINUTE },
    ]);
    expect(row!.gaps).toEqual([{ start: T0 + 20 * MINUTE, end: T0 + 40 * MINUTE }]);
    expect(new Set(row!.pieces.map((p) => p.session))).toEqual(new Set([firstRun]));

    const values = await get<{ count: number; min: number; max: number }>(
      ui,
      '/api/stream/values?channel=sqlite&stream=doubled',
    );
    expect(values.body).toMatchObject({
      count: 40,
      min: (T0 + MINUTE) * 2,
      max: (T0 + 60 * MINUTE) * 2,
    });

    // A run made by another process while the view serves shows on its next read.
    const rerun = await run('run', 'ticker', '--interval', `${FROM}/PT1H`, '--json');
    expect(rerun.code, rerun.stderr).toBe(0);
    const rerunId = json<{ session: string; documents: number }>(rerun).session;
    const after = await get<SessionRow[]>(ui, '/api/sessions?workflow=ticker');
    expect(after.body.map((s) => s.id)).toEqual([rerunId, firstRun]);
    const filled = await get<{ rows: { gaps: unknown[] }[] }>(
      ui,
      '/api/workflows/ticker/nodes/doubled/coverage',
    );
    expect(filled.body.rows[0]!.gaps).toEqual([]);
    expect(await ui.stop()).toBe(0);
  });

  it('is read-only and answers only to its own Host unless told otherwise', async () => {
    const ui = await startUiProcess();
    const info = await get<Record<string, unknown>>(ui, '/api/info');
    expect(info.body).toMatchObject({ actions: false });
    expect(info.body).not.toHaveProperty('csrfToken');
    const purge = await fetch(new URL('/api/actions/purge', ui.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ workflow: 'ticker', node: 'ticks', interval: `${FROM}/PT1H` }),
    });
    expect(purge.status).toBe(403);
    expect(await purge.text()).toContain('ACTIONS_DISABLED');
    // A page of another site whose name resolves here (DNS rebinding) reads nothing.
    const rebound = await statusWithHost(
      ui,
      '/api/workflows',
      `attacker.example:${String(ui.port)}`,
    );
    expect(rebound).toBe(403);
    expect(await statusWithHost(ui, '/api/workflows', `localhost:${String(ui.port)}`)).toBe(200);
    expect(await ui.stop()).toBe(0);
  });

  it('warns when bound beyond this machine', async () => {
    const ui = await startUiProcess('--host', '0.0.0.0');
    expect(ui.host).toBe('0.0.0.0');
    expect(ui.stderr()).toContain('warning: the web view listens on 0.0.0.0');
    expect(ui.stderr()).toContain('there is no login');
    expect(await ui.stop()).toBe(0);
  });

  it('shows the queue of the configuration (REDIS_URL here), and says when there is none', async () => {
    const without = await startUiProcess();
    expect((await get<unknown>(without, '/api/queue')).body).toEqual({ configured: false });
    expect(await without.stop()).toBe(0);
    const redisUrl = inject('redisUrl');
    const withQueue = await startUiProcessWith({ REDIS_URL: redisUrl });
    const { body } = await get<{ configured: boolean; reachable: boolean; queue: string }>(
      withQueue,
      '/api/queue',
    );
    // The config's defaults: queue "hyperstream", as `hyperstream queue status` reads it.
    expect(body).toMatchObject({ configured: true, reachable: true, queue: 'hyperstream' });
    const status = json<{ queue: string; redis: string }>(
      await cli(['queue', 'status', '--json'], {
        cwd: project.dir,
        env: { REDIS_URL: redisUrl },
      }),
    );
    expect(body).toMatchObject({ queue: status.queue, redis: status.redis });
    expect(await withQueue.stop()).toBe(0);
  });

  it('with --allow-actions, runs an interval given the CSRF token, into the same file', async () => {
    const ui = await startUiProcess('--allow-actions');
    expect(ui.actions).toBe(true);
    const { body: info } = await get<{ csrfToken: string }>(ui, '/api/info');
    const body = JSON.stringify({ workflow: 'ticker', interval: `${FROM}/PT2H` });
    const post = (headers: Record<string, string>) =>
      fetch(new URL('/api/actions/run', ui.url), { method: 'POST', headers, body });
    const refused = await post({ 'Content-Type': 'application/json' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('CSRF_REJECTED');
    const ran = await post({ 'Content-Type': 'application/json', 'X-CSRF-Token': info.csrfToken });
    expect(ran.status).toBe(200);
    expect(await ran.json()).toMatchObject({ session: { status: 'completed', documents: 120 } });
    expect(await ui.stop()).toBe(0);
    // Another process reads what the view's run stored.
    const intervals = json<{ calculated: { start: string; end: string }[]; gaps: unknown[] }>(
      await run('stream', 'intervals', 'doubled', '--interval', `${FROM}/PT2H`, '--json'),
    );
    expect(intervals.calculated).toEqual([{ start: iso(T0), end: iso(T0 + 120 * MINUTE) }]);
    expect(intervals.gaps).toEqual([]);
  });
});

describe('hyperstream graph', () => {
  it('prints a workflow as DOT or Mermaid, and asks which one when there are several', async () => {
    const [dot, mermaid, which, bad] = await Promise.all([
      run('graph', 'ticker', '--format', 'dot'),
      run('graph', 'ticker'),
      run('graph'),
      run('graph', 'ticker', '--format', 'svg'),
    ]);
    expect(dot.code, dot.stderr).toBe(0);
    expect(dot.stdout).toMatch(/^digraph "ticker" \{/);
    expect(dot.stdout).toContain('"factor:double->doubled" [label="double@1.0.0"');
    expect(dot.stdout).toContain('"node:ticks" -> "factor:double->doubled";');
    expect(mermaid.code, mermaid.stderr).toBe(0);
    expect(mermaid.stdout).toMatch(/^%% workflow ticker\nflowchart/);
    expect(mermaid.stdout).toContain('clock@1.0.0');
    expect(which.code).toBe(2);
    expect(which.stderr).toContain('several workflows (broken, slow, ticker)');
    expect(bad.code).toBe(2);
  });
});
