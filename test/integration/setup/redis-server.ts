// Finds or starts Redis for the queue tests and benchmarks: REDIS_URL when set; otherwise a
// `redis-server` on PATH (Debian's redis-server package), started on 127.0.0.1 at a free port
// with a temporary folder, and stopped (folder removed) at the end. Never a mock.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A Redis server for tests: its URL, what it is, and how to stop (and restart) it. */
export interface TestRedis {
  readonly url: string;
  readonly source: 'REDIS_URL' | 'redis-server';
  readonly description: string;
  /** Stops it (SIGTERM: with `persist`, Redis saves its data first). */
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL): whatever was not saved is lost. */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

const INSTALL_HINT =
  'no Redis for the queue tests: set REDIS_URL to a running Redis (e.g. redis://127.0.0.1:6379), ' +
  'or install redis-server (`apt-get install redis-server`) so the test setup can start one';

/**
 * REDIS_URL, or a new `redis-server` on 127.0.0.1. With `persist`, the started server keeps an
 * append-only file, so a graceful restart keeps its jobs; `own` always starts one (a test that
 * stops and restarts the server must own it).
 */
export async function startTestRedis(
  options: { readonly persist?: boolean; readonly own?: boolean } = {},
): Promise<TestRedis> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv && !options.own) {
    const version = await info(fromEnv);
    const nothing = async (): Promise<void> => {};
    return {
      url: fromEnv,
      source: 'REDIS_URL',
      description: version,
      stop: nothing,
      kill: nothing,
      start: nothing,
      dispose: nothing,
    };
  }
  const binary = await findOnPath('redis-server');
  if (!binary) throw new Error(INSTALL_HINT);
  const dir = await mkdtemp(join(tmpdir(), 'hs-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.persist ? 'yes' : 'no',
    '--protected-mode',
    'yes',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  let child: ChildProcess | undefined;
  let stderr = '';
  const start = async (): Promise<void> => {
    if (child) return;
    const started = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    started.stdout?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    started.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child = started;
    started.once('exit', () => {
      if (child === started) child = undefined;
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (started.exitCode !== null) throw new Error(`redis-server exited at start: ${stderr}`);
      try {
        await ping(port);
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`redis-server did not answer on ${url}: ${String(error)} ${stderr}`, {
            cause: error,
          });
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((r) => running.once('exit', () => r()));
    running.kill(signal);
    const killer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    child = undefined;
  };
  try {
    await start();
  } catch (error) {
    await end('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    source: 'redis-server',
    description: await info(url),
    stop: async () => await end('SIGTERM'),
    kill: async () => await end('SIGKILL'),
    start,
    dispose: async () => {
      await end('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `redis_version` of the server, by a raw INFO over a socket (no client library needed). */
async function info(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const text = await command(hostname || '127.0.0.1', Number(port || 6379), 'INFO server\r\n');
  const version = /redis_version:(\S+)/.exec(text)?.[1];
  if (!version) throw new Error(`cannot read INFO from Redis at ${url}: ${text.slice(0, 200)}`);
  return `Redis ${version}`;
}

async function ping(port: number): Promise<void> {
  const text = await command('127.0.0.1', port, 'PING\r\n');
  if (!text.startsWith('+PONG')) throw new Error(`unexpected answer ${text.slice(0, 80)}`);
}

async function command(host: string, port: number, line: string): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const socket = createConnection({ host, port });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('timeout'));
    }, 2000);
    socket.on('connect', () => socket.write(line));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      // INFO is a bulk string: $<length>\r\n<payload>\r\n
      const bulk = /^\$(\d+)\r\n/.exec(text);
      if (!bulk || text.length >= bulk[0].length + Number(bulk[1])) {
        clearTimeout(timer);
        socket.end();
        resolve(text);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}
