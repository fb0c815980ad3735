// The job queue end to end through the CLI, as an operator uses it: `hyperstream worker`,
// `run --distributed`, dead letters (`queue failed`, `queue retry`), bad input that fails a job
// with a clear reason while the worker keeps running, `queue cancel`, `queue pause|resume`, and
// priorities: the online engine's ticks (online.runner "queue") before a backfill.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createQueueScheduler } from '../../../src/distributed.js';
import type { DeadLetter, QueueStatus } from '../../../src/distributed.js';
import { Engine } from '../../../src/engine/engine.js';
import { WorkflowExecutionError } from '../../../src/errors.js';
import { createSqliteBackend } from '../../../src/sqlite.js';
import { defineTool } from '../../../src/tools/tool.js';
import { MemoryToolSource } from '../../../src/tools/tool-source.js';
import type { CliResult } from '../cli/run-cli.js';
import { MAIN, ROOT, TSX, cli, json } from '../cli/run-cli.js';

const T0 = '2026-01-01T00:00:00Z';
const MINUTE = 60_000;
const at = (minutes: number): string => new Date(Date.parse(T0) + minutes * MINUTE).toISOString();
const redisUrl = inject('redisUrl');
const queueName = `cli_${randomUUID().slice(0, 8)}`;
const children = new Set<ChildProcess>();
let dir: string;
let marker: string;

interface Line {
  readonly child: ChildProcess;
  /** stdout and stderr lines, as they came. */
  readonly lines: string[];
  readonly stdout: string[];
  line(match: RegExp, timeout?: number): Promise<string>;
  readonly exited: Promise<number | null>;
}

/** A long-running CLI process (a worker, a run in the background) whose output lines are kept. */
function start(args: readonly string[], env: Record<string, string> = {}): Line {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd: dir,
    env: { ...process.env, MONGODB_URI: '', REDIS_URL: '', HS_FLAKY_MARKER: marker, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  const stdout: string[] = [];
  const waiters: { match: RegExp; resolve: (line: string) => void }[] = [];
  const read = (line: string): void => {
    lines.push(line);
    for (const w of waiters.filter((w) => w.match.test(line))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(line);
    }
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    stdout.push(line);
    read(line);
  });
  createInterface({ input: child.stderr }).on('line', read);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return {
    child,
    lines,
    stdout,
    exited,
    line: async (match, timeout = 60_000) => {
      const seen = lines.find((l) => match.test(l));
      if (seen !== undefined) return seen;
      return await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no line matching ${String(match)} within ${timeout} ms:\n${lines.join('\n')}`,
              ),
            ),
          timeout,
        );
        waiters.push({
          match,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}

async function hs(...args: string[]): Promise<CliResult> {
  return await cli(args, { cwd: dir, env: { HS_FLAKY_MARKER: marker } });
}

async function status(): Promise<QueueStatus> {
  return json<QueueStatus>(await hs('queue', 'status', '--json'));
}

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeout = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`never reached: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hs-queue-cli-'));
  marker = join(dir, 'broken-disk');
  const fixture = join(ROOT, 'fixtures/config/queue');
  const config = {
    plugins: [{ path: join(fixture, 'plugins/qtools'), channelIdPrefix: 'q' }],
    workflows: [join(fixture, 'workflows/queue.ts')],
    queue: {
      url: redisUrl,
      name: queueName,
      retry: { policy: 'constant', delay: 'PT0.2S', maxRetries: 1, jitter: 'none' },
      worker: { stopTimeout: 'PT5S', lockDuration: 'PT5S', stalledInterval: 'PT2S' },
    },
    online: {
      name: 'queued',
      stateDir: 'state',
      runner: 'queue',
      workflows: [{ workflow: 'live', every: 'PT1M', window: '-PT10M/-PT0S' }],
    },
  };
  await writeFile(join(dir, 'hyperstream.config.json'), JSON.stringify(config, null, 2));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('the job queue through the CLI', { timeout: 180_000 }, () => {
  let worker: Line;

  it('a worker starts, shows in queue status, and a distributed run completes', async () => {
    worker = start(['worker', '--status-every', 'PT1S']);
    await worker.line(/^worker \S+ running on queue/);
    const live = await until(status, (s) => s.workers.length === 1);
    expect(live.workers[0]!.concurrency).toBe(1);
    const run = await hs(
      'run',
      'quick',
      '--from',
      at(0),
      '--to',
      at(10),
      '--step',
      'PT1M',
      '--distributed',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(json<{ status: string; pieces: number }>(run)).toMatchObject({
      status: 'completed',
      pieces: 20,
    });
    const again = await hs(
      'run',
      'quick',
      '--from',
      at(0),
      '--to',
      at(10),
      '--distributed',
      '--json',
    );
    expect(json<{ pieces: number }>(again).pieces).toBe(0);
  });

  it('keeps a piece that keeps failing as a dead letter, and retries it once fixed', async () => {
    await writeFile(marker, 'disk on fire');
    const run = await hs('run', 'flaky', '--from', at(0), '--to', at(10), '--distributed');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('piece failed on a queue worker');
    expect(run.stderr).toContain('disk on fire');
    const letters = json<DeadLetter[]>(await hs('queue', 'failed', '--json'));
    const letter = letters.find((l) => l.workflow === 'flaky');
    expect(letter, JSON.stringify(letters)).toBeDefined();
    expect(letter!.reason).toBe(
      '[TOOL_EXECUTION_FAILED] tool flaky@1.0.0 failed computing "flaky_copy" over (2026-01-01T00:00:00.000Z, 2026-01-01T00:10:00.000Z]: disk on fire',
    );
    expect(letter!.attempts).toBe(2); // the first attempt and one retry
    const table = await hs('queue', 'failed');
    expect(table.stdout).toContain('disk on fire');
    expect((await status()).failed).toBe(1);

    await unlink(marker);
    const retried = await hs('queue', 'retry', '--all', '--json');
    expect(json<{ retried: string[] }>(retried).retried).toEqual([letter!.id]);
    await until(status, (s) => s.failed === 0 && s.active === 0);
    // The retried piece is recorded: nothing is left to compute.
    const rerun = await hs(
      'run',
      'flaky',
      '--from',
      at(0),
      '--to',
      at(10),
      '--distributed',
      '--json',
    );
    expect(json<{ status: string; pieces: number }>(rerun)).toMatchObject({
      status: 'completed',
      pieces: 0,
    });
    const notDead = await hs('queue', 'retry', 'no-such-job');
    expect(notDead.code).toBe(2);
    expect(notDead.stderr).toContain('is not a dead letter');
  });

  it('fails bad input at once with a clear reason, and the worker keeps running', async () => {
    // A payload that is not a piece, straight into the queue.
    const queue = new Queue(queueName, { connection: { url: redisUrl }, prefix: 'hs' });
    await queue.add('junk', { hello: 'world' }, { jobId: 'junk-1', attempts: 5 });
    await queue.close();
    // A coordinator with tools this worker does not have: a tool it has never heard of, and
    // the built-in clock with parameters its schema refuses.
    const onlyHere = defineTool({
      name: 'only_here',
      version: '1.0.0',
      kind: 'tool',
      description: 'not installed on the workers',
      params: z.strictObject({}),
      async *execute() {},
    });
    const fakeClock = defineTool({
      name: 'clock',
      version: '1.0.0',
      kind: 'tool',
      description: 'a clock whose parameters the real one refuses',
      params: z.strictObject({ stride: z.string() }),
      async *execute() {},
    });
    // The CLI's default storage: the SQLite file every process of this machine shares.
    const engine = await Engine.create({
      storage: await createSqliteBackend(join(dir, '.hyperstream/hyperstream.db')),
      tools: new MemoryToolSource([onlyHere, fakeClock]),
      schedulers: { queue: createQueueScheduler({ connection: redisUrl, queue: queueName }) },
    });
    try {
      for (const [id, tool] of [
        ['uses_unknown_tool', onlyHere.create({})],
        ['uses_bad_params', fakeClock.create({ stride: 'every now and then' })],
      ] as const) {
        const w = engine.workflow(id);
        w.factor({ tool, sink: w.node(`${id}_out`) });
        const error = await w.execute(`${T0}/PT1H`, { runner: 'queue' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WorkflowExecutionError);
        expect((error as Error).message).toContain('failed on a queue worker');
      }
    } finally {
      await engine.close();
    }
    const letters = json<DeadLetter[]>(await hs('queue', 'failed', '--json'));
    const reason = (match: (l: DeadLetter) => boolean): string =>
      letters.find(match)?.reason ?? '(none)';
    expect(reason((l) => l.id === 'junk-1')).toMatch(
      /^\[QUEUE_JOB_INVALID\] job junk-1 is not a hyperstream piece: /,
    );
    expect(letters.find((l) => l.id === 'junk-1')!.attempts).toBe(1); // no retry of bad input
    expect(reason((l) => l.workflow === 'uses_unknown_tool')).toMatch(
      /^\[QUEUE_JOB_INVALID\] worker \S+ cannot build workflow "uses_unknown_tool" .*TOOL_NOT_FOUND: .*tool "only_here" not found/,
    );
    expect(reason((l) => l.workflow === 'uses_bad_params')).toMatch(
      /^\[QUEUE_JOB_INVALID\] worker \S+ cannot build workflow "uses_bad_params" .*TOOL_PARAMETERS_INVALID: .*stride/,
    );
    // Still working.
    expect((await status()).workers).toHaveLength(1);
    const run = await hs(
      'run',
      'quick',
      '--from',
      at(10),
      '--to',
      at(12),
      '--distributed',
      '--json',
    );
    expect(json<{ status: string; pieces: number }>(run)).toMatchObject({
      status: 'completed',
      pieces: 2,
    });
  });

  it('cancels a run: its waiting pieces are revoked and its session ends aborted', async () => {
    const base = (await status()).completed;
    const run = start([
      'run',
      'backfill',
      '--from',
      at(0),
      '--to',
      at(120),
      '--step',
      'PT1M',
      '--distributed',
      '--json',
    ]);
    const sessions = async () =>
      json<{ id: string; status: string; workflows: string[] }[]>(
        await hs('sessions', 'list', '--json'),
      );
    const running = await until(sessions, (list) =>
      list.some((s) => s.workflows.includes('backfill') && s.status === 'running'),
    );
    const id = running.find((s) => s.workflows.includes('backfill') && s.status === 'running')!.id;
    await until(status, (s) => s.completed > base + 20);
    const cancel = await hs('queue', 'cancel', id, '--json');
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(json<{ revoked: number }>(cancel).revoked).toBeGreaterThan(0);
    expect(await run.exited).toBe(130);
    const summary = JSON.parse(run.stdout.join('\n')) as { status: string; pieces: number };
    expect(summary.status).toBe('aborted');
    expect(summary.pieces).toBeLessThan(240);
    const shown = json<{ status: string; error?: { code: string; message: string } }>(
      await hs('sessions', 'show', id, '--json'),
    );
    expect(shown.status).toBe('aborted');
    const after = await until(status, (s) => s.active === 0);
    expect(after.waiting + after.prioritized).toBe(0);
  });

  it("pauses and resumes, and the online engine's ticks run before a backfill", async () => {
    const mark = worker.lines.length;
    expect((await hs('queue', 'pause')).code).toBe(0);
    const before = await status();
    expect(before.paused).toBe(true);
    const backfill = start([
      'run',
      'backfill',
      '--from',
      at(200),
      '--to',
      at(260),
      '--step',
      'PT1M',
      '--distributed',
      '--json',
    ]);
    await until(status, (s) => s.waiting + s.prioritized >= 60);
    // The online engine enqueues its tick with the online priority (1).
    const online = start([
      'online',
      'start',
      '--iterations',
      '1',
      '--virtual-clock',
      at(300),
      '--json',
    ]);
    await until(status, (s) => s.waiting + s.prioritized >= 61);
    const paused = await status();
    expect(paused.completed).toBe(before.completed);
    expect(paused.active).toBe(0);
    expect((await hs('queue', 'resume')).code).toBe(0);
    expect((await status()).paused).toBe(false);
    expect(await online.exited).toBe(0);
    expect(await backfill.exited).toBe(0);
    // The tick's first piece, waiting with the backfill's 120 when the queue resumed, ran among
    // the first (a worker takes a few at once); its second, enqueued only once the first
    // completed (a round trip through the coordinator, longer on a loaded machine, while the
    // worker kept taking backfill pieces), still went ahead of nearly all of the backfill.
    const done = worker.lines.slice(mark).filter((l) => /\bdone (live|backfill) /.test(l));
    const live = done.flatMap((l, i) => (/\bdone live /.test(l) ? [i] : []));
    expect(live).toHaveLength(2);
    expect(live[0], done.slice(0, 10).join('\n')).toBeLessThan(5);
    expect(done.length - live[1]!, done.slice(0, 30).join('\n')).toBeGreaterThan(100);
    const summary = JSON.parse(backfill.stdout.join('\n')) as {
      status: string;
      pieces: number;
    };
    expect(summary).toMatchObject({ status: 'completed', pieces: 120 });
  });

  it('the worker stops gracefully on SIGTERM', async () => {
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.lines.some((l) => /^worker \S+ stopped/.test(l))).toBe(true);
    await until(status, (s) => s.workers.length === 0);
  });
});
