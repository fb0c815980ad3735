import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessAlive, processStartOf } from '../../../src/online/service.js';
import type { CliResult } from './run-cli.js';
import { cli, json, makeProject } from './run-cli.js';

interface Status {
  name: string;
  active: boolean;
  status: string;
  pid: number | null;
  restarts: number;
  iterations: number;
  current?: {
    workflow: string;
    window: string;
    attempt: number;
    pieces: number;
    lastPiece?: { factor: string; documents: number };
  };
}

const projects: { remove(): Promise<void> }[] = [];
const children: ChildProcess[] = [];
const pids: number[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const pid of pids.splice(0)) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
  for (const project of projects.splice(0)) await project.remove();
});

async function project(online: Record<string, unknown> = {}) {
  const p = await makeProject(online);
  projects.push(p);
  const state = join(p.dir, 'state');
  await mkdir(state, { recursive: true });
  return {
    dir: p.dir,
    state,
    run: (...args: string[]): Promise<CliResult> => cli(args, { cwd: p.dir }),
  };
}

/** A real, unrelated process: what a reused pid points at after a reboot. */
async function unrelatedSleep(): Promise<number> {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid!;
}

describe('the service lock records the process identity', () => {
  it('never signals an unrelated process whose pid is in the lock (reused pid, bare pid)', async () => {
    const { state, run } = await project();
    const sleeper = await unrelatedSleep();
    // What an older version, or a reboot, leaves: a bare pid now owned by someone else.
    await writeFile(join(state, 'demo.lock'), String(sleeper));
    const stop = await run('online', 'stop', '--json');
    expect(stop.code).toBe(1);
    expect(json<{ message: string }>(stop).message).toContain(
      'online engine "demo" is not running',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(isProcessAlive(sleeper), 'the unrelated sleep was signalled').toBe(true);

    // A lock with the right pid but another start time (the pid was reused) is not ours either.
    await writeFile(
      join(state, 'demo.lock'),
      JSON.stringify({ pid: sleeper, start: 'another-boot:12345' }),
    );
    const [status, again] = [
      json<Status>(await run('online', 'status', '--json')),
      await run('online', 'stop', '--json'),
    ];
    expect(status).toMatchObject({ status: 'stopped', active: false });
    expect(again.code).toBe(1);
    expect(isProcessAlive(sleeper)).toBe(true);
  });

  it('starts when the lock names a live unrelated process, agreeing with status', async () => {
    const { state, run } = await project({
      workflows: [{ workflow: 'ticker', every: 'PT1S', window: '-PT10S/-PT1S' }],
    });
    const sleeper = await unrelatedSleep();
    await writeFile(join(state, 'demo.lock'), String(sleeper));
    // A state file that says "running" under that pid: the process is not the engine.
    await writeFile(
      join(state, 'demo.state.json'),
      JSON.stringify({
        name: 'demo',
        active: true,
        status: 'running',
        started: '2026-01-01T00:00:00.000Z',
        pid: sleeper,
        processStart: 'another-boot:1',
        iterations: 3,
        failedPieces: [],
        workflows: [],
        memory: { rss: 1, heapUsed: 1 },
      }),
    );
    const crashed = await run('online', 'status', '--json');
    expect(crashed.code).toBe(1); // failed: exits non-zero
    expect(json<Status>(crashed)).toMatchObject({ status: 'failed', active: false });

    const start = await run('online', 'start', '--detach', '--json');
    expect(start.code, start.stdout + start.stderr).toBe(0);
    const pid = Number(/pid (\d+)/.exec(start.stdout)?.[1]);
    pids.push(pid);
    const lock = JSON.parse(await readFile(join(state, 'demo.lock'), 'utf8')) as {
      pid: number;
      start: string;
    };
    expect(lock).toEqual({ pid, start: processStartOf(pid) });
    const running = json<Status>(await run('online', 'status', '--json'));
    // It resumed the state of the earlier (crashed) run: one restart.
    expect(running).toMatchObject({ status: 'running', active: true, pid, restarts: 1 });
    expect((await run('online', 'stop')).code).toBe(0);
    expect(isProcessAlive(sleeper)).toBe(true);
  });
});

describe('hyperstream online status', () => {
  it('says a service that never ran does not exist, with exit 1', async () => {
    const { run } = await project();
    const [nosuch, asJson, configured] = await Promise.all([
      run('online', 'status', '--name', 'nosuch'),
      run('online', 'status', '--name', 'nosuch', '--json'),
      run('online', 'status'),
    ]);
    expect(nosuch.code).toBe(1);
    expect(nosuch.stdout).toMatch(
      /^online engine "nosuch" does not exist: no state file in .*; services: demo\n$/,
    );
    expect(json(asJson)).toMatchObject({ status: 'ERROR' });
    // The configured service exists before its first start.
    expect(configured.code).toBe(0);
    expect(configured.stdout).toMatch(/^online engine "demo": stopped \(never started\)\n/);
  });

  it('shows what the service is computing now, and counts restarts', async () => {
    const { run } = await project({
      workflows: [{ workflow: 'slow', every: 'PT1S', window: '-PT10S/-PT1S' }],
    });
    const start = await run('online', 'start', '--detach', '--json');
    expect(start.code, start.stdout + start.stderr).toBe(0);
    pids.push(Number(/pid (\d+)/.exec(start.stdout)?.[1]));
    // The slow workflow's clock factor finishes at once, then its slow tool takes 30 s.
    const deadline = Date.now() + 20_000;
    let status: Status;
    for (;;) {
      status = json<Status>(await run('online', 'status', '--json'));
      if (status.current?.lastPiece || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(status.current).toMatchObject({ workflow: 'slow', attempt: 1, pieces: 1 });
    expect(status.current!.lastPiece!.factor).toMatch(/slow_ticks/);
    expect(status.restarts).toBe(0);
    const text = await run('online', 'status');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/active: yes, started: \S+, restarts: 0/);
    expect(text.stdout).toMatch(/memory: [\d.]+ MB rss/);
    expect(text.stdout).toMatch(
      /now: workflow slow over \(.*\] \(attempt 1, since .*\): 1 pieces, \d+ documents; last piece: .*slow_ticks/,
    );
    const restart = await run('online', 'restart', '--json', '--timeout', 'PT10S');
    expect(restart.code, restart.stdout + restart.stderr).toBe(0);
    pids.push(Number(/pid (\d+)/.exec(restart.stdout)?.[1]));
    expect(json<Status>(await run('online', 'status', '--json')).restarts).toBe(1);
    expect((await run('online', 'stop', '--timeout', 'PT10S')).code).toBe(0);
  }, 90_000);
});
