import { spawn } from 'node:child_process';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../../src/online/service.js';
import type { CliResult } from './run-cli.js';
import { cli, json, makeProject } from './run-cli.js';

interface Status {
  name: string;
  active: boolean;
  status: string;
  pid: number | null;
  iterations: number;
  lastRun?: string;
  lastError?: string;
  failedPieces: { workflow: string; attempts: number; error: string }[];
  memory: { rss: number };
  workflows: { workflow: string; iterations: number; failures: number; lastEnd?: string }[];
}

const projects: { dir: string; remove(): Promise<void> }[] = [];
const pids: number[] = [];

afterEach(async () => {
  // Never leave a background engine behind, whatever failed.
  for (const pid of pids.splice(0)) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
  for (const project of projects.splice(0)) await project.remove();
});

async function project(online: Record<string, unknown> = {}) {
  const p = await makeProject(online);
  projects.push(p);
  return { dir: p.dir, run: (...args: string[]): Promise<CliResult> => cli(args, { cwd: p.dir }) };
}

async function statusUntil(
  run: (...args: string[]) => Promise<CliResult>,
  done: (s: Status) => boolean,
  timeout = 20_000,
): Promise<Status> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const status = json<Status>(await run('online', 'status', '--json'));
    if (done(status)) return status;
    if (Date.now() > deadline) throw new Error(`status never matched: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

function pidOf(result: CliResult): number {
  const pid = Number(/pid (\d+)/.exec(result.stdout)?.[1]);
  expect(pid, result.stdout + result.stderr).toBeGreaterThan(0);
  pids.push(pid);
  return pid;
}

describe('hyperstream online on a virtual clock (foreground)', () => {
  it('runs many ticks in no time, keeping the healthy workflow up to date beside a failing one', async () => {
    const { run } = await project();
    const result = await run(
      'online',
      'start',
      '--virtual-clock',
      '2026-01-01T00:00:00Z',
      '--iterations',
      '30',
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    const status = json<Status>(result);
    expect(status).toMatchObject({
      name: 'demo',
      status: 'stopped',
      active: false,
      iterations: 60,
    });
    expect(status.workflows).toEqual([
      expect.objectContaining({
        workflow: 'ticker',
        iterations: 30,
        failures: 0,
        lastEnd: '2026-01-01T00:00:29.000Z',
      }),
      expect.objectContaining({
        workflow: 'broken',
        iterations: 30,
        failures: 30,
        lastEnd: '2026-01-01T00:00:29.000Z',
      }),
    ]);
    expect(status.failedPieces).toHaveLength(30);
    expect(status.failedPieces[0]).toMatchObject({ workflow: 'broken', attempts: 2 });
    expect(status.failedPieces[0]!.error).toContain('the sensor gateway is unreachable');
    // Its log lines went to stderr, stamped with virtual time.
    expect(result.stderr).toContain(
      '2026-01-01T00:00:01.000Z [INFO ] ticker: computed (2025-12-31T23:59:51.000Z, 2026-01-01T00:00:00.000Z]',
    );
    // A second run resumes where the first stopped and keeps the failed list.
    const again = json<Status>(
      await run(
        'online',
        'start',
        '--virtual-clock',
        '2026-01-01T00:01:00Z',
        '--iterations',
        '1',
        '--workflow',
        'ticker',
        '--json',
      ),
    );
    expect(again.failedPieces).toHaveLength(30);
    expect(again.workflows).toEqual([
      expect.objectContaining({ workflow: 'ticker', lastEnd: '2026-01-01T00:01:00.000Z' }),
    ]);
    expect(again.lastRun).toBe('2026-01-01T00:01:01.000Z');
  });
});

describe('hyperstream online as a service (across processes)', () => {
  it('starts detached, reports status from another process, refuses a second instance, restarts and stops', async () => {
    const { run } = await project();
    const start = await run('online', 'start', '--detach', '--json');
    expect(start.code, start.stderr + start.stdout).toBe(0);
    expect(json(start)).toMatchObject({ status: 'SUCCESS' });
    const pid = pidOf(start);
    expect(isProcessAlive(pid)).toBe(true);

    const running = await statusUntil(run, (s) => s.iterations >= 4 && s.failedPieces.length >= 1);
    expect(running).toMatchObject({ name: 'demo', active: true, status: 'running', pid });
    expect(running.memory.rss).toBeGreaterThan(0);
    expect(running.lastError).toContain('the sensor gateway is unreachable');

    const [second, foreground] = await Promise.all([
      run('online', 'start', '--detach', '--json'),
      run('online', 'start', '--json'),
    ]);
    expect(second.code).toBe(1);
    expect(json(second)).toEqual({
      status: 'ERROR',
      message: `online engine "demo" is already running (pid ${String(pid)})`,
    });
    expect(foreground.code).toBe(1);
    expect(json(foreground)).toMatchObject({ status: 'ERROR' });

    const restart = await run('online', 'restart', '--json');
    expect(restart.code, restart.stderr + restart.stdout).toBe(0);
    expect(json<{ status: string; message: string }>(restart).message).toMatch(
      /^online engine "demo" restarted \(pid \d+\)$/,
    );
    const newPid = pidOf(restart);
    expect(newPid).not.toBe(pid);
    expect(isProcessAlive(pid)).toBe(false);
    const resumed = await statusUntil(run, (s) => s.pid === newPid && s.iterations >= 2);
    // The dead-letter list survives the restart.
    expect(resumed.failedPieces.length).toBeGreaterThanOrEqual(running.failedPieces.length);

    const stop = await run('online', 'stop', '--json');
    expect(stop.code, stop.stdout).toBe(0);
    expect(json(stop)).toEqual({
      status: 'SUCCESS',
      message: `online engine "demo" (pid ${String(newPid)}) stopped`,
    });
    expect(isProcessAlive(newPid)).toBe(false);
    const stopped = json<Status>(await run('online', 'status', '--json'));
    expect(stopped).toMatchObject({ active: false, status: 'stopped', pid: newPid });

    const [stopAgain, list, text] = await Promise.all([
      run('online', 'stop', '--json'),
      run('online', 'list', '--json'),
      run('online', 'status'),
    ]);
    expect(stopAgain.code).toBe(1);
    expect(json(stopAgain)).toEqual({
      status: 'ERROR',
      message: 'online engine "demo" is not running',
    });
    expect(json(list)).toMatchObject({
      services: [{ name: 'demo', status: 'stopped', active: false }],
      workflows: [
        { workflow: 'ticker', schedule: 'every 1 s', window: '(-10s, -1s]' },
        { workflow: 'broken', schedule: 'every 1 s' },
      ],
    });
    expect(text.stdout).toMatch(
      new RegExp(`^online engine "demo": stopped, pid ${String(newPid)}\\n`),
    );
    expect(text.stdout).toContain('failed pieces:');
  });

  it('detects and clears a stale lock left by a dead process', async () => {
    const { dir, run } = await project({
      workflows: [{ workflow: 'ticker', every: 'PT1S', window: '-PT10S/-PT1S' }],
    });
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '']);
      child.on('exit', () => resolve(child.pid!));
    });
    const state = join(dir, 'state');
    await mkdir(state, { recursive: true });
    await writeFile(join(state, 'demo.lock'), String(dead));
    await writeFile(
      join(state, 'demo.state.json'),
      JSON.stringify({
        name: 'demo',
        active: true,
        status: 'running',
        pid: dead,
        iterations: 7,
        failedPieces: [],
        workflows: [],
        memory: { rss: 1, heapUsed: 1 },
      }),
    );
    const crashed = json<Status>(await run('online', 'status', '--json'));
    expect(crashed).toMatchObject({ status: 'failed', active: false, pid: dead, iterations: 7 });
    expect(crashed.lastError).toBe(`process ${String(dead)} ended without stopping cleanly`);

    const start = await run('online', 'start', '--detach', '--json');
    expect(start.code, start.stdout + start.stderr).toBe(0);
    const pid = pidOf(start);
    expect(JSON.parse(await readFile(join(state, 'demo.lock'), 'utf8'))).toMatchObject({ pid });
    expect((await run('online', 'stop')).code).toBe(0);
  });

  it('stops during a long piece within the timeout, recording nothing for it', async () => {
    const { dir, run } = await project({
      workflows: [{ workflow: 'slow', every: 'PT1S', window: '-PT10S/-PT1S' }],
    });
    const start = await run('online', 'start', '--detach', '--json');
    expect(start.code, start.stdout + start.stderr).toBe(0);
    const pid = pidOf(start);
    const log = join(dir, 'state/demo.log');
    // Wait until the first piece is under way (the slow tool takes 30 s).
    const deadline = Date.now() + 15_000;
    while (
      !(await readFile(log, 'utf8')).includes('online engine "demo" started') &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1500));
    const began = Date.now();
    const stop = await run('online', 'stop', '--json');
    expect(stop.code, stop.stdout).toBe(0);
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(isProcessAlive(pid)).toBe(false);
    const status = json<Status>(await run('online', 'status', '--json'));
    expect(status).toMatchObject({ status: 'stopped', iterations: 0, failedPieces: [] });
    expect(status.workflows[0]!.lastEnd).toBeUndefined();
    const text = await readFile(log, 'utf8');
    expect(text).toContain('abandoning the current piece');
    expect(text).toMatch(/slow: piece \(.*\] abandoned by stop/);
  });
});
