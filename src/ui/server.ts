// The web view's HTTP server: the single-page app (files bundled into the package at build time,
// held in memory, served by exact name only) and the JSON API of api.ts, read-only unless actions
// are allowed. Binds 127.0.0.1 unless told otherwise.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueueLocation } from '../distributed/connection.js';
import type { Engine } from '../engine/engine.js';
import {
  ErrorCode,
  HyperstreamUsageError,
  InvalidArgumentError,
  UiServerError,
  isHyperstreamError,
} from '../errors.js';
import type { SessionRecord } from '../storage/session-store.js';
import {
  coverage,
  getSession,
  listChannels,
  listSessions,
  listStreams,
  listWorkflows,
  purgeAction,
  runAction,
  services,
  streamOverview,
  streamValues,
  summariseSession,
  workflowGraph,
} from './api.js';
import type { UiInfo } from './api-types.js';
import { QueueView } from './queue-view.js';

/** Where the bundled browser files are (`npm run build:ui` writes them): `dist/ui-assets/`. */
export const UI_ASSETS_DIR = fileURLToPath(new URL('../../dist/ui-assets/', import.meta.url));

/** The default port of {@link startUi}. */
export const DEFAULT_UI_PORT = 8765;

/** Options of {@link startUi}. */
export interface UiOptions {
  /** TCP port; 0 picks a free one. Default {@link DEFAULT_UI_PORT}. */
  readonly port?: number;
  /**
   * Address to bind. Default `127.0.0.1` (this machine only). Any other address makes the engine's
   * data readable by whoever can reach it: there is no login.
   */
  readonly host?: string;
  /** Enable the POST actions (run an interval, purge a range). Default false: read-only. */
  readonly allowActions?: boolean;
  /** The online services' state folder (`online.stateDir` of the config), for their live status. */
  readonly stateDir?: string;
  /**
   * The distributed queue (the config's `queue` section), whose workers the sessions page lists
   * with their live status. Without it the page says no queue is configured.
   */
  readonly queue?: QueueLocation | undefined;
  /** How often server-sent events look for changes (ms). Default 1000. */
  readonly pollIntervalMs?: number;
}

/** A running web view. */
export interface UiServer {
  /** Where to point a browser, e.g. `http://127.0.0.1:8765/`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly allowActions: boolean;
  /** True when bound to an address other than loopback (the CLI warns). */
  readonly exposed: boolean;
  /** Stops listening and ends open connections (event streams included). */
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

const NOT_FOUND_CODES = new Set<string>([
  ErrorCode.STREAM_NOT_FOUND,
  ErrorCode.CHANNEL_NOT_FOUND,
  ErrorCode.WORKFLOW_NOT_FOUND,
  ErrorCode.PLATE_NOT_FOUND,
]);

const MAX_BODY_BYTES = 64 * 1024;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const WILDCARD = new Set(['0.0.0.0', '::']);

/**
 * Starts the web view over `engine`: the workflow graph, the coverage map, stream plots, sessions
 * and online services, and (with `allowActions`) run and purge. The page and its scripts come from
 * the package; nothing is fetched from elsewhere.
 *
 * @example
 * const ui = await startUi(engine, { port: 0 });
 * console.log(`open ${ui.url}`);
 * await ui.close();
 */
export async function startUi(engine: Engine, options: UiOptions = {}): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? DEFAULT_UI_PORT;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new InvalidArgumentError(
      `invalid port ${String(requestedPort)}: expected an integer from 0 to 65535`,
      { port: requestedPort },
    );
  }
  if (host !== 'localhost' && isIP(host) === 0) {
    throw new InvalidArgumentError(
      `invalid host "${host}": expected an IP address such as 127.0.0.1, or localhost`,
      { host },
    );
  }
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  if (!Number.isFinite(pollIntervalMs) || pollIntervalMs < 50) {
    throw new InvalidArgumentError(
      `invalid pollIntervalMs ${String(pollIntervalMs)}: expected at least 50`,
      { pollIntervalMs },
    );
  }
  const assets = await loadAssets(UI_ASSETS_DIR);
  const allowActions = options.allowActions ?? false;
  const csrfToken = randomBytes(32).toString('base64url');
  const version = packageVersion();
  const queue = new QueueView(options.queue);
  const events = new EventHub(engine, options.stateDir, queue, pollIntervalMs);
  let port = requestedPort;
  let actionRunning = false;

  // The names a browser may use for us: loopback, the bound address, and when bound to every
  // interface, each interface's address and the machine's name (looked up per request: they change).
  const allowedHosts = (): Set<string> => {
    const names = new Set([...LOOPBACK, host]);
    if (WILDCARD.has(host)) {
      names.add(hostname().toLowerCase());
      for (const address of Object.values(networkInterfaces()).flat()) {
        if (address) names.add(address.address.toLowerCase());
      }
    }
    return new Set([...names].map((name) => hostHeader(name, port)));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    // DNS rebinding: a page of another site resolving its name to this address must not read us.
    if (!allowedHosts().has((req.headers.host ?? '').toLowerCase())) {
      sendText(res, 403, 'forbidden: unexpected Host header');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://ui.invalid');
    const path = url.pathname;
    if (!path.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendText(res, 405, 'method not allowed');
        return;
      }
      serveAsset(res, assets, path, req.method === 'HEAD');
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    try {
      if (path.startsWith('/api/actions/')) {
        if (req.method !== 'POST') {
          sendJson(res, 405, error('METHOD_NOT_ALLOWED', 'actions are POST requests'));
          return;
        }
        if (!allowActions) {
          sendJson(
            res,
            403,
            error('ACTIONS_DISABLED', 'actions are disabled: start the UI with --allow-actions'),
          );
          return;
        }
        const refusal = checkActionRequest(req, csrfToken);
        if (refusal) {
          sendJson(res, 403, error('CSRF_REJECTED', refusal));
          return;
        }
        if (actionRunning) {
          sendJson(res, 409, error('ACTION_RUNNING', 'another action is running: wait for it'));
          return;
        }
        const body = await readJsonBody(req);
        actionRunning = true;
        try {
          if (path === '/api/actions/run') sendJson(res, 200, await runAction(engine, body));
          else if (path === '/api/actions/purge')
            sendJson(res, 200, await purgeAction(engine, body));
          else sendJson(res, 404, error('NOT_FOUND', `no action ${path}`));
        } finally {
          actionRunning = false;
        }
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendJson(res, 405, error('METHOD_NOT_ALLOWED', 'the API is read with GET'));
        return;
      }
      await route(req, res, url);
    } catch (caught) {
      sendError(res, caught);
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const parts = url.pathname.split('/').slice(2).map(decodeSegment);
    const query = url.searchParams;
    const [first, second, third, fourth, fifth] = parts;
    if (parts.length === 1 && first === 'info') {
      const info: UiInfo = {
        name: 'hyperstream-ts',
        version,
        actions: allowActions,
        ...(allowActions ? { csrfToken } : {}),
        now: engine.clock.now(),
      };
      sendJson(res, 200, info);
    } else if (parts.length === 1 && first === 'workflows') {
      sendJson(res, 200, await listWorkflows(engine));
    } else if (parts.length === 3 && first === 'workflows' && third === 'graph') {
      sendJson(res, 200, await workflowGraph(engine, second!));
    } else if (
      parts.length === 5 &&
      first === 'workflows' &&
      third === 'nodes' &&
      fifth === 'coverage'
    ) {
      sendJson(res, 200, await coverage(engine, second!, fourth!, query));
    } else if (parts.length === 1 && first === 'channels') {
      sendJson(res, 200, listChannels(engine));
    } else if (parts.length === 1 && first === 'streams') {
      sendJson(res, 200, await listStreams(engine, query));
    } else if (parts.length === 1 && first === 'stream') {
      sendJson(res, 200, await streamOverview(engine, query));
    } else if (parts.length === 2 && first === 'stream' && second === 'values') {
      sendJson(res, 200, await streamValues(engine, query));
    } else if (parts.length === 1 && first === 'sessions') {
      sendJson(res, 200, await listSessions(engine, query));
    } else if (parts.length === 2 && first === 'sessions') {
      const session = await getSession(engine, second!);
      if (session) sendJson(res, 200, session);
      else sendJson(res, 404, error('SESSION_NOT_FOUND', `session "${second!}" not found`));
    } else if (parts.length === 1 && first === 'services') {
      sendJson(res, 200, await services(options.stateDir));
    } else if (parts.length === 1 && first === 'queue') {
      sendJson(res, 200, await queue.overview());
    } else if (parts.length === 1 && first === 'events') {
      events.add(req, res);
    } else {
      sendJson(res, 404, error('NOT_FOUND', `no API route ${url.pathname}`));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((caught: unknown) => {
      if (!res.headersSent) sendError(res, caught);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (cause: NodeJS.ErrnoException): void => {
      reject(
        new UiServerError(
          cause.code === 'EADDRINUSE'
            ? `port ${String(requestedPort)} on ${host} is in use: choose another with --port (0 picks a free one)`
            : `cannot listen on ${host}:${String(requestedPort)}: ${cause.message}`,
          { host, port: requestedPort },
          cause,
        ),
      );
    };
    server.once('error', onError);
    server.listen(requestedPort, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : requestedPort;
  const urlHost = WILDCARD.has(host) ? 'localhost' : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${hostHeader(urlHost, port)}/`,
    host,
    port,
    allowActions,
    exposed: !LOOPBACK.has(host),
    close: () =>
      (closed ??= (async () => {
        events.close();
        await queue.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
}

/** `host:port` as a Host header has it (IPv6 in brackets). */
function hostHeader(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${String(port)}`;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidArgumentError(`malformed percent-encoding in "${segment}"`, { segment });
  }
}

/** Why an action request is refused, or `undefined` when it carries the token from our page. */
function checkActionRequest(req: IncomingMessage, token: string): string | undefined {
  const given = req.headers['x-csrf-token'];
  if (typeof given !== 'string' || !safeEqual(given, token)) {
    return 'missing or wrong CSRF token (X-CSRF-Token): reload the page';
  }
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) return 'actions take a JSON body (application/json)';
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) {
    return `cross-origin request from ${origin} refused`;
  }
  return undefined;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new InvalidArgumentError(
        `request body over ${String(MAX_BODY_BYTES)} bytes: send less`,
        {
          limit: MAX_BODY_BYTES,
        },
      );
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (cause) {
    throw new InvalidArgumentError(`request body is not JSON: ${(cause as Error).message}`);
  }
}

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/** Every file of the assets folder, read once: requests are answered by exact name only. */
async function loadAssets(dir: string): Promise<ReadonlyMap<string, Asset>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new UiServerError(
      `the web view's browser files are not built (no ${dir}): run "npm run build:ui" (or "npm run build")`,
      { dir },
      cause,
    );
  }
  const assets = new Map<string, Asset>();
  for (const name of names) {
    const dot = name.lastIndexOf('.');
    const type = CONTENT_TYPES[dot >= 0 ? name.slice(dot) : ''];
    if (type === undefined) continue;
    assets.set(name, { body: await readFile(join(dir, name)), type });
  }
  for (const needed of ['index.html', 'app.js', 'app.css']) {
    if (!assets.has(needed)) {
      throw new UiServerError(
        `the web view's browser files are incomplete (${needed} missing in ${dir}): run "npm run build:ui"`,
        { dir, file: needed },
      );
    }
  }
  return assets;
}

function serveAsset(
  res: ServerResponse,
  assets: ReadonlyMap<string, Asset>,
  path: string,
  head: boolean,
): void {
  // `/index.html` or `/assets/<name>`, matched against the file names as they are: no decoding,
  // no path joining, so `..`, encoded separators and absolute paths can only miss.
  const name =
    path === '/' || path === '/index.html'
      ? 'index.html'
      : path.startsWith('/assets/')
        ? path.slice(8)
        : '';
  const asset = name === '' || name.includes('/') ? undefined : assets.get(name);
  if (!asset) {
    sendText(res, 404, 'not found');
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', asset.type);
  res.setHeader('Content-Length', String(asset.body.length));
  res.setHeader('Cache-Control', 'no-cache');
  res.end(head ? undefined : asset.body);
}

function error(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(Buffer.byteLength(text)));
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(text);
}

/** A thrown error as an API answer: 404 for unknown things, 400 for bad input, 500 otherwise. */
function sendError(res: ServerResponse, caught: unknown): void {
  if (isHyperstreamError(caught)) {
    const status = NOT_FOUND_CODES.has(caught.code)
      ? 404
      : caught instanceof HyperstreamUsageError
        ? 400
        : 500;
    const session = caught.details.session as SessionRecord | undefined;
    sendJson(res, status, {
      error: {
        code: caught.code,
        message: caught.message,
        ...(session && typeof session === 'object' && 'pieces' in session
          ? { session: summariseSession(session) }
          : {}),
      },
    });
    return;
  }
  sendJson(
    res,
    500,
    error('INTERNAL', caught instanceof Error ? caught.message : 'internal error'),
  );
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Server-sent events: `services` (the online services' status), `queue` (the distributed queue and
 * its workers) and `sessions` (the latest sessions) whenever they change, polled while at least
 * one page listens.
 */
class EventHub {
  readonly #engine: Engine;
  readonly #stateDir: string | undefined;
  readonly #queue: QueueView;
  readonly #intervalMs: number;
  readonly #clients = new Set<ServerResponse>();
  readonly #last = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #polling = false;

  constructor(engine: Engine, stateDir: string | undefined, queue: QueueView, intervalMs: number) {
    this.#engine = engine;
    this.#stateDir = stateDir;
    this.#queue = queue;
    this.#intervalMs = intervalMs;
  }

  add(req: IncomingMessage, res: ServerResponse): void {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Connection', 'keep-alive');
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    this.#clients.add(res);
    req.on('close', () => {
      this.#clients.delete(res);
      if (this.#clients.size === 0) this.#stop();
    });
    // A new page gets the current state at once.
    void this.#snapshot().then(
      (events) => {
        for (const [name, data] of events) send(res, name, data);
      },
      () => undefined,
    );
    this.#timer ??= setInterval(() => void this.#poll(), this.#intervalMs);
  }

  close(): void {
    this.#stop();
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #snapshot(): Promise<[string, string][]> {
    const sessions = await this.#engine.sessions.list({ limit: 50 });
    return [
      ['services', JSON.stringify(await services(this.#stateDir))],
      ['queue', JSON.stringify(await this.#queue.overview())],
      ['sessions', JSON.stringify(sessions.map(summariseSession))],
    ];
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#clients.size === 0) return;
    this.#polling = true;
    try {
      for (const [name, data] of await this.#snapshot()) {
        if (this.#last.get(name) === data) continue;
        this.#last.set(name, data);
        for (const res of this.#clients) send(res, name, data);
      }
    } catch {
      // A failed poll (storage busy) is tried again on the next tick.
    } finally {
      this.#polling = false;
    }
  }
}

function send(res: ServerResponse, event: string, data: string): void {
  res.write(`event: ${event}\ndata: ${data}\n\n`);
}
