// The distributed queue in the web view, against a real redis-server and a real worker: its counts
// and workers over the JSON API, kept live over server-sent events (a worker that stops leaves the
// list), that no queue is configured, and a queue that does not answer.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PieceWorker } from '../../../src/distributed.js';
import { createQueueScheduler, startWorker } from '../../../src/distributed.js';
import { Engine } from '../../../src/engine/engine.js';
import type { QueueOverview } from '../../../src/ui/api-types.js';
import type { UiServer } from '../../../src/ui/server.js';
import { startUi } from '../../../src/ui/server.js';
import { buildUiAssets } from '../../../scripts/build-ui.js';
import { openEngine } from '../distributed/fixtures/engines.js';

const redisUrl = inject('redisUrl');
const queue = `ui_${randomUUID().slice(0, 8)}`;
let engine: Engine;
let workerEngine: Engine;
let worker: PieceWorker | undefined;
const servers: UiServer[] = [];

beforeAll(async () => {
  await buildUiAssets();
  engine = await Engine.create();
  workerEngine = await Engine.create();
  worker = await startWorker({
    engine: workerEngine,
    connection: redisUrl,
    queue,
    name: 'ui-worker-1',
    concurrency: 2,
    heartbeatInterval: 200,
  });
});
afterAll(async () => {
  for (const ui of servers) await ui.close();
  await worker?.close({ timeout: 1000 });
  await workerEngine?.close();
  await engine?.close();
});

async function ui(options: Parameters<typeof startUi>[1]): Promise<UiServer> {
  const server = await startUi(engine, { port: 0, pollIntervalMs: 100, ...options });
  servers.push(server);
  return server;
}

async function overview(server: UiServer): Promise<QueueOverview> {
  const response = await fetch(`${server.url}api/queue`);
  expect(response.status).toBe(200);
  return (await response.json()) as QueueOverview;
}

/** The `queue` events of the page's event stream, until `until` accepts one. */
async function queueEvents(
  server: UiServer,
  until: (overview: QueueOverview) => boolean,
): Promise<QueueOverview[]> {
  return await new Promise((resolve, reject) => {
    const seen: QueueOverview[] = [];
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no matching queue event in 15 s; saw ${JSON.stringify(seen)}`));
    }, 15_000);
    const req = request({ host: '127.0.0.1', port: server.port, path: '/api/events' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const message = text.slice(0, end);
          text = text.slice(end + 2);
          const match = /^event: queue\ndata: (.*)$/m.exec(message);
          if (!match) continue;
          const event = JSON.parse(match[1]!) as QueueOverview;
          seen.push(event);
          if (until(event)) {
            clearTimeout(timer);
            req.destroy();
            resolve(seen);
          }
        }
      });
    });
    req.on('error', () => undefined);
    req.end();
  });
}

const workerNames = (o: QueueOverview): string[] =>
  o.configured && o.reachable ? o.workers.map((w) => w.name) : [];

describe('queue workers in the web view', () => {
  it('lists the queue and its live worker, as `queue status` does', async () => {
    const server = await ui({ queue: { connection: redisUrl, queue } });
    const status = await overview(server);
    expect(status).toMatchObject({
      configured: true,
      reachable: true,
      queue,
      redis: expect.stringContaining('127.0.0.1') as unknown,
      paused: false,
      waiting: 0,
      failed: 0,
    });
    if (!status.configured || !status.reachable) throw new Error('unreachable');
    expect(status.workers).toEqual([
      expect.objectContaining({
        name: 'ui-worker-1',
        status: 'running',
        pid: process.pid,
        concurrency: 2,
        current: [],
        done: 0,
      }),
    ]);
    expect(Date.now() - status.workers[0]!.heartbeatAt).toBeLessThan(5_000);
  });

  it('sends the worker list as events while it changes: a stopped worker leaves it', async () => {
    const server = await ui({ queue: { connection: redisUrl, queue } });
    const before = await queueEvents(server, (o) => workerNames(o).includes('ui-worker-1'));
    expect(before.at(-1)).toMatchObject({ configured: true, reachable: true });
    // A second worker joins, then the first stops: both show up in the events.
    const second = await startWorker({
      engine: workerEngine,
      connection: redisUrl,
      queue,
      name: 'ui-worker-2',
      heartbeatInterval: 200,
    });
    try {
      await queueEvents(server, (o) => workerNames(o).join() === 'ui-worker-1,ui-worker-2');
      await worker!.close({ timeout: 1000 });
      worker = undefined;
      const after = await queueEvents(server, (o) => workerNames(o).join() === 'ui-worker-2');
      expect(workerNames(after.at(-1)!)).toEqual(['ui-worker-2']);
    } finally {
      await second.close({ timeout: 1000 });
    }
  });

  it('shows the piece a worker is running, and its count once done', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hs-ui-queue-'));
    const busyQueue = `ui_busy_${randomUUID().slice(0, 8)}`;
    const storage = { kind: 'sqlite', path: join(dir, 'hs.sqlite') } as const;
    const workers = await openEngine(storage);
    const coordinator = await openEngine(storage, {
      schedulers: { queue: createQueueScheduler({ connection: redisUrl, queue: busyQueue }) },
    });
    const busy = await startWorker({
      engine: workers,
      connection: redisUrl,
      queue: busyQueue,
      name: 'busy-worker',
      heartbeatInterval: 100,
    });
    try {
      const server = await ui({ queue: { connection: redisUrl, queue: busyQueue } });
      const w = coordinator.workflow('sleepy');
      const slow = await coordinator.tool('slow', 'tool');
      w.factor({ tool: slow.create({ step: 60_000, ms: 2_000 }), sink: w.node('ticks') });
      const run = w.execute('2026-01-01T00:00:00Z/PT1H', { runner: 'queue' });
      const running = await queueEvents(server, (o) =>
        o.configured && o.reachable ? o.workers.some((x) => x.current.length > 0) : false,
      );
      const worker = (running.at(-1) as Extract<QueueOverview, { reachable: true }>).workers[0]!;
      expect(worker.name).toBe('busy-worker');
      expect(worker.current).toEqual([
        expect.objectContaining({
          workflow: 'sleepy',
          interval: {
            start: Date.parse('2026-01-01T00:00:00Z'),
            end: Date.parse('2026-01-01T01:00:00Z'),
          },
        }),
      ]);
      const session = await run;
      expect(session.status).toBe('completed');
      const done = await queueEvents(server, (o) =>
        o.configured && o.reachable ? o.workers.some((x) => x.done === 1) : false,
      );
      expect(done.at(-1)).toMatchObject({
        workers: [expect.objectContaining({ current: [], done: 1, documents: 60 })],
      });
    } finally {
      await busy.close({ timeout: 1000 });
      await coordinator.close();
      await workers.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says when no queue is configured', async () => {
    const server = await ui({});
    expect(await overview(server)).toEqual({ configured: false });
    const [event] = await queueEvents(server, () => true);
    expect(event).toEqual({ configured: false });
  });

  it('says when the queue does not answer, without failing the page', async () => {
    // A port nothing listens on.
    const server = await ui({ queue: { connection: 'redis://127.0.0.1:9', queue } });
    const status = await overview(server);
    expect(status).toMatchObject({
      configured: true,
      reachable: false,
      queue,
      redis: expect.stringContaining('127.0.0.1:9') as unknown,
    });
    if (status.configured && !status.reachable) expect(status.error).toMatch(/\S/);
    expect((await fetch(`${server.url}api/info`)).status).toBe(200);
  });
});
