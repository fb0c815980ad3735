// The web view's HTTP server over a real engine (tutorial 5): its JSON API, static files (no path
// traversal), the Host check, and the actions behind --allow-actions with their CSRF token.
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/engine.js';
import { InvalidArgumentError, UiServerError } from '../../../src/errors.js';
import { servicePaths, writeServiceState } from '../../../src/online/service.js';
import type { OnlineStatus } from '../../../src/online/online-engine.js';
import type { SessionRecord } from '../../../src/storage/session-store.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import type { UiServer } from '../../../src/ui/server.js';
import { startUi } from '../../../src/ui/server.js';
import { buildUiAssets } from '../../../scripts/build-ui.js';
import { tutorial5, tutorialEngine } from '../../../examples/tutorial-05.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw HTTP request: the path goes on the wire as given (fetch would normalise `..`). */
function raw(
  ui: UiServer,
  path: string,
  options: {
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly body?: string;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: ui.port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function api<T>(ui: UiServer, path: string): Promise<T> {
  const answer = await raw(ui, `/api/${path}`);
  expect(answer.status, answer.body).toBe(200);
  return JSON.parse(answer.body) as T;
}

let engine: Engine;
let session: SessionRecord;
let ui: UiServer;
let stateDir: string;

beforeAll(async () => {
  await buildUiAssets();
  engine = await tutorialEngine();
  ({ session } = await tutorial5(engine));
  stateDir = await mkdtemp(join(tmpdir(), 'hs-ui-state-'));
  ui = await startUi(engine, { port: 0, stateDir, pollIntervalMs: 100 });
});
afterAll(async () => {
  await ui?.close();
  await engine?.close();
  await rm(stateDir, { recursive: true, force: true });
});

describe('startUi', () => {
  it('binds 127.0.0.1 by default and is read-only', async () => {
    expect(ui.host).toBe('127.0.0.1');
    expect(ui.url).toBe(`http://127.0.0.1:${String(ui.port)}/`);
    expect(ui.exposed).toBe(false);
    expect(ui.allowActions).toBe(false);
    // Another interface of this machine (when it has one) does not answer.
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (external !== undefined) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: external, port: ui.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
    const info = await api<Record<string, unknown>>(ui, 'info');
    expect(info).toMatchObject({ name: 'hyperstream-ts', actions: false });
    expect(info).not.toHaveProperty('csrfToken');
  });

  it('refuses bad options with typed errors, and a port in use with UiServerError', async () => {
    await expect(startUi(engine, { port: -1 })).rejects.toThrow(InvalidArgumentError);
    await expect(startUi(engine, { port: 70000 })).rejects.toThrow(InvalidArgumentError);
    await expect(startUi(engine, { port: 0, host: 'example.com' })).rejects.toThrow(
      'invalid host "example.com"',
    );
    await expect(startUi(engine, { port: ui.port })).rejects.toThrow(UiServerError);
    await expect(startUi(engine, { port: ui.port })).rejects.toThrow(
      `port ${String(ui.port)} on 127.0.0.1 is in use`,
    );
  });
});

describe('the JSON API', () => {
  it('lists workflows and gives the graph of tutorial 5', async () => {
    const { workflows, errors } = await api<{
      workflows: { id: string; nodes: number; factors: number }[];
      errors: string[];
    }>(ui, 'workflows');
    expect(errors).toEqual([]);
    expect(workflows).toEqual([
      expect.objectContaining({ id: 'tutorial_05', nodes: 11, factors: 11, name: 'Tutorial 5' }),
    ]);
    const graph = await api<{ nodes: unknown[]; factors: { label: string }[]; boxes: unknown[] }>(
      ui,
      'workflows/tutorial_05/graph',
    );
    expect(graph.nodes).toHaveLength(11);
    expect(graph.factors.map((f) => f.label)).toContain('csv_multi_reader@1.0.0');
    expect(graph.boxes).toHaveLength(4);
  });

  it('gives the coverage of a node: calculated intervals, no gaps, and the session that computed each piece', async () => {
    const coverage = await api<{
      producer: string;
      range: { start: number; end: number };
      rows: {
        stream: string;
        label: string;
        calculated: { start: number; end: number }[];
        gaps: unknown[];
        invalidated: unknown[];
        pieces: { session: string; status: string; start: number; end: number }[];
      }[];
      sessionsRead: number;
    }>(ui, 'workflows/tutorial_05/nodes/city_avg_temp/coverage');
    expect(coverage.producer).toBe('apply->city_avg_temp');
    expect(coverage.range).toEqual({
      start: Date.parse('1999-01-01T00:00:00Z'),
      end: Date.parse('2013-01-01T00:00:00Z'),
    });
    expect(coverage.rows).toHaveLength(20);
    expect(coverage.sessionsRead).toBe(1);
    const auckland = coverage.rows.find((r) => r.label === 'country=NZ, city=Auckland')!;
    expect(auckland.stream).toBe('city_avg_temp[city=Auckland,country=NZ]');
    expect(auckland.calculated).toEqual([coverage.range]);
    expect(auckland.gaps).toEqual([]);
    expect(auckland.invalidated).toEqual([]);
    expect(auckland.pieces).toEqual([
      expect.objectContaining({ session: session.id, status: 'completed', ...coverage.range }),
    ]);
    // A range wider than what is calculated shows the rest as gaps.
    const wider = await api<{ rows: { gaps: { start: number; end: number }[] }[] }>(
      ui,
      `workflows/tutorial_05/nodes/city_avg_temp/coverage?from=1998-01-01T00:00:00Z&to=${String(Date.parse('2014-01-01T00:00:00Z'))}`,
    );
    expect(wider.rows[0]!.gaps).toEqual([
      { start: Date.parse('1998-01-01T00:00:00Z'), end: Date.parse('1999-01-01T00:00:00Z') },
      { start: Date.parse('2013-01-01T00:00:00Z'), end: Date.parse('2014-01-01T00:00:00Z') },
    ]);
  });

  it('lists streams, gives a stream overview and its values downsampled', async () => {
    const { streams } = await api<{ streams: { channel: string; stream: string }[] }>(
      ui,
      'streams?channel=memory&name=world_avg_temp',
    );
    expect(streams).toEqual([
      { channel: 'memory', stream: 'world_avg_temp', name: 'world_avg_temp', meta: [] },
    ]);
    const overview = await api<{ first: number; last: number; calculated: unknown[] }>(
      ui,
      'stream?channel=memory&stream=world_avg_temp',
    );
    expect(overview.first).toBe(Date.parse('2000-01-01T00:00:00Z'));
    expect(overview.last).toBe(Date.parse('2012-10-01T00:00:00Z'));
    const all = await api<{ timestamps: number[]; numeric: number; downsampled: boolean }>(
      ui,
      'stream/values?channel=memory&stream=world_avg_temp&width=800',
    );
    expect(all).toMatchObject({ numeric: 154, downsampled: false });
    expect(all.timestamps[0]).toBe(overview.first);
    const narrow = await api<{ timestamps: number[]; numeric: number; downsampled: boolean }>(
      ui,
      'stream/values?channel=memory&stream=world_avg_temp&width=10',
    );
    expect(narrow.downsampled).toBe(true);
    expect(narrow.timestamps.length).toBeLessThanOrEqual(20);
    const city = encodeURIComponent('city_avg_temp[city=Auckland,country=NZ]');
    const window = await api<{ numeric: number; window: unknown }>(
      ui,
      `stream/values?channel=memory&stream=${city}&from=2005-01-01T00:00:00Z&to=2006-01-01T00:00:00Z`,
    );
    expect(window.numeric).toBe(12);
    expect(window.window).toEqual(
      TimeInterval.of('2005-01-01T00:00:00Z', '2006-01-01T00:00:00Z').toJSON(),
    );
  });

  it('lists sessions and gives one in full', async () => {
    const sessions = await api<{ id: string; status: string; pieces: number; documents: number }[]>(
      ui,
      'sessions?workflow=tutorial_05&limit=5',
    );
    expect(sessions).toEqual([
      expect.objectContaining({
        id: session.id,
        status: 'completed',
        pieces: session.pieces.length,
        documents: session.pieces.reduce((n, p) => n + p.documents, 0),
      }),
    ]);
    const full = await api<SessionRecord>(ui, `sessions/${session.id}`);
    expect(full.pieces).toHaveLength(session.pieces.length);
    expect((await raw(ui, '/api/sessions/nope')).status).toBe(404);
    expect((await raw(ui, '/api/sessions?status=sleeping')).status).toBe(400);
  });

  it('streams services and sessions as server-sent events', async () => {
    const paths = servicePaths(stateDir, 'demo');
    await writeServiceState(paths, {
      name: 'demo',
      active: false,
      status: 'stopped',
      started: '2026-01-01T00:00:00.000Z',
      stopped: '2026-01-01T00:01:00.000Z',
      pid: 999_999,
      iterations: 7,
      lastRun: '2026-01-01T00:00:50.000Z',
      lastError: undefined,
      failedPieces: [],
      memory: { rss: 0, heapUsed: 0 },
      workflows: [],
      current: undefined,
    } satisfies OnlineStatus);
    expect(await api<{ name: string; iterations: number }[]>(ui, 'services')).toEqual([
      expect.objectContaining({ name: 'demo', iterations: 7, status: 'stopped' }),
    ]);
    const events = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: ui.port, path: '/api/events' }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.includes('event: services') && text.includes('event: sessions')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    const data = (name: string) =>
      JSON.parse(new RegExp(`event: ${name}\\ndata: (.*)\\n`).exec(events)![1]!) as {
        id?: string;
        name?: string;
      }[];
    expect(data('services')[0]!.name).toBe('demo');
    expect(data('sessions')[0]!.id).toBe(session.id);
  });

  it('answers bad requests with typed errors and the right status', async () => {
    const cases: [string, number, string][] = [
      ['/api/workflows/nope/graph', 404, 'WORKFLOW_NOT_FOUND'],
      ['/api/workflows/tutorial_05/nodes/nope/coverage', 400, 'WORKFLOW_DEFINITION_INVALID'],
      [
        '/api/workflows/tutorial_05/nodes/city_avg_temp/coverage?from=2000',
        400,
        'INVALID_ARGUMENT',
      ],
      [
        '/api/workflows/tutorial_05/nodes/city_avg_temp/coverage?from=x&to=y',
        400,
        'INVALID_TIMESTAMP',
      ],
      ['/api/stream/values?channel=memory&stream=world_avg_temp&width=0', 400, 'INVALID_ARGUMENT'],
      [
        '/api/stream/values?channel=memory&stream=world_avg_temp&width=1e3',
        400,
        'INVALID_ARGUMENT',
      ],
      ['/api/stream/values?channel=memory', 400, 'INVALID_ARGUMENT'],
      ['/api/stream?channel=memory&stream=nope', 404, 'STREAM_NOT_FOUND'],
      ['/api/stream?channel=nope&stream=x', 404, 'CHANNEL_NOT_FOUND'],
      ['/api/stream?channel=memory&stream=a%5Bb', 400, 'INVALID_STREAM_ID'],
      ['/api/workflows/%E0%A4%A', 400, 'INVALID_ARGUMENT'],
      ['/api/nothing', 404, 'NOT_FOUND'],
    ];
    for (const [path, status, code] of cases) {
      const answer = await raw(ui, path);
      expect([path, answer.status]).toEqual([path, status]);
      expect((JSON.parse(answer.body) as { error: { code: string } }).error.code).toBe(code);
      expect(answer.headers['cache-control']).toBe('no-store');
    }
    expect((await raw(ui, '/api/workflows', { method: 'DELETE' })).status).toBe(405);
  });
});

describe('static files', () => {
  it('serves the page and its bundle with a strict content security policy', async () => {
    const page = await raw(ui, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<script type="module" src="/assets/app.js"></script>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    const script = await raw(ui, '/assets/app.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body.length).toBeGreaterThan(10_000);
    // No code from strings in what the browser runs.
    expect(script.body).not.toMatch(/\beval\(|new Function\(/);
    expect((await raw(ui, '/assets/app.css')).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    const head = await raw(ui, '/assets/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await raw(ui, '/', { method: 'POST' })).status).toBe(405);
  });

  it('serves nothing outside its files: .., encoded, backslash and absolute paths are 404', async () => {
    const attempts = [
      '/assets/../package.json',
      '/assets/../../package.json',
      '/../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/..%2F..%2Fpackage.json',
      '/assets/..%252F..%252Fpackage.json',
      '/assets/..\\..\\package.json',
      '/assets/%5c..%5c..%5cpackage.json',
      '/assets/....//....//package.json',
      '/assets//etc/passwd',
      '/assets/%2Fetc%2Fpasswd',
      '/assets/%2F%2Fetc%2Fpasswd',
      '//etc/passwd',
      '/etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/assets/app.js%00.html',
      '/assets/app.js/..',
      '/assets/',
      '/assets',
      '/index.html/../package.json',
      '/src/ui/server.ts',
      '/dist/ui-assets/app.js',
      'http://127.0.0.1/../../etc/passwd',
      '/assets/%2e%2e/%2e%2e/src/ui/server.ts',
    ];
    for (const path of attempts) {
      const answer = await raw(ui, path);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(answer.body).not.toContain('root:');
      expect(answer.body).not.toContain('"name": "hyperstream-ts"');
      expect(answer.body).not.toContain('createServer');
    }
  });

  it('answers only to its own Host (no DNS rebinding)', async () => {
    const evil = await raw(ui, '/api/workflows', { headers: { Host: 'evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.body).not.toContain('tutorial_05');
    const wrongPort = await raw(ui, '/', { headers: { Host: '127.0.0.1:1' } });
    expect(wrongPort.status).toBe(403);
    const local = await raw(ui, '/api/workflows', {
      headers: { Host: `localhost:${String(ui.port)}` },
    });
    expect(local.status).toBe(200);
  });

  it("bound to every interface, still answers only to this machine's names and addresses", async () => {
    const everywhere = await startUi(engine, { port: 0, host: '0.0.0.0' });
    try {
      expect(everywhere.exposed).toBe(true);
      const port = String(everywhere.port);
      const evil = await raw(everywhere, '/api/workflows', {
        headers: { Host: `evil.example:${port}` },
      });
      expect(evil.status).toBe(403);
      expect(evil.body).not.toContain('tutorial_05');
      const addresses = Object.values(networkInterfaces())
        .flat()
        .flatMap((a) => (a && a.family === 'IPv4' ? [a.address] : []));
      for (const name of ['localhost', hostname(), ...addresses]) {
        const answer = await raw(everywhere, '/api/workflows', {
          headers: { Host: `${name}:${port}` },
        });
        expect([name, answer.status]).toEqual([name, 200]);
      }
    } finally {
      await everywhere.close();
    }
  });
});

describe('actions', () => {
  const purgeBody = JSON.stringify({
    workflow: 'tutorial_05',
    node: 'city_avg_temp',
    interval: '2005-01-01T00:00:00Z/2006-01-01T00:00:00Z',
  });

  it('are refused when not enabled', async () => {
    const answer = await raw(ui, '/api/actions/purge', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: purgeBody,
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('ACTIONS_DISABLED');
  });

  it('need the CSRF token, a JSON body and our origin; then purge and run', async () => {
    const writable = await startUi(engine, { port: 0, allowActions: true });
    try {
      const info = await api<{ actions: boolean; csrfToken: string }>(writable, 'info');
      expect(info.actions).toBe(true);
      expect(info.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const host = `127.0.0.1:${String(writable.port)}`;
      const post = (path: string, headers: Record<string, string>, body = purgeBody) =>
        raw(writable, path, { method: 'POST', headers, body });
      const json = { 'Content-Type': 'application/json' };
      const refused = [
        await post('/api/actions/purge', json),
        await post('/api/actions/purge', { ...json, 'X-CSRF-Token': 'x'.repeat(43) }),
        await post('/api/actions/purge', { ...json, 'X-CSRF-Token': info.csrfToken.slice(1) }),
        await post('/api/actions/purge', {
          'Content-Type': 'text/plain',
          'X-CSRF-Token': info.csrfToken,
        }),
        await post('/api/actions/purge', {
          ...json,
          'X-CSRF-Token': info.csrfToken,
          Origin: 'http://evil.example',
        }),
      ];
      for (const answer of refused) {
        expect(answer.status).toBe(403);
        expect(answer.body).toContain('CSRF_REJECTED');
      }
      const channel = engine.channels.get('memory');
      const auckland = { name: 'city_avg_temp', meta: { country: 'NZ', city: 'Auckland' } };
      const year = TimeInterval.of('2005-01-01T00:00:00Z', '2006-01-01T00:00:00Z');
      expect(await channel.count(auckland, year)).toBe(12);
      const token = { ...json, 'X-CSRF-Token': info.csrfToken, Origin: `http://${host}` };
      expect((await raw(writable, '/api/actions/purge', { headers: token })).status).toBe(405);
      const bad = await post('/api/actions/purge', token, '{"workflow": 1}');
      expect(bad.status).toBe(400);
      expect(bad.body).toContain('invalid purge request');
      expect((await post('/api/actions/purge', token, 'not json')).status).toBe(400);
      expect((await post('/api/actions/purge', token, 'x'.repeat(70_000))).status).toBe(400);
      const purged = await post('/api/actions/purge', token);
      expect(purged.status, purged.body).toBe(200);
      expect(JSON.parse(purged.body)).toMatchObject({ dryRun: false });
      expect(await channel.count(auckland, year)).toBe(0);
      const gaps = await api<{ rows: { gaps: { start: number; end: number }[] }[] }>(
        writable,
        'workflows/tutorial_05/nodes/city_avg_temp/coverage',
      );
      for (const row of gaps.rows) expect(row.gaps).toEqual([year.toJSON()]);
      const ran = await post(
        '/api/actions/run',
        token,
        JSON.stringify({
          workflow: 'tutorial_05',
          interval: '1999-01-01T00:00:00Z/2013-01-01T00:00:00Z',
        }),
      );
      expect(ran.status, ran.body).toBe(200);
      const { session: rerun } = JSON.parse(ran.body) as {
        session: { status: string; pieces: number };
      };
      expect(rerun.status).toBe('completed');
      expect(rerun.pieces).toBe(20); // only the purged year of each city
      expect(await channel.count(auckland, year)).toBe(12);
    } finally {
      await writable.close();
    }
  });
});
