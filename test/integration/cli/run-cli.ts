// Spawns the real `hyperstream` binary (from source, through tsx) and collects what it printed.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const MAIN = join(ROOT, 'src/cli/main.ts');
export const FIXTURE = join(ROOT, 'fixtures/config/cli');
// tsx by absolute URL: the CLI runs in temporary folders where "tsx" cannot be resolved.
export const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `hyperstream ...args` in `cwd`; the environment has no MONGODB_URI / HYPERSTREAM_CONFIG unless given. */
export async function cli(
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: Readonly<Record<string, string>> },
): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  if (!options.env?.MONGODB_URI) delete env.MONGODB_URI;
  if (!options.env?.HYPERSTREAM_CONFIG) delete env.HYPERSTREAM_CONFIG;
  return await new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      ['--import', TSX, MAIN, ...args],
      { cwd: options.cwd, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

/** Parses stdout as JSON, failing with what was printed when it is not. */
export function json<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(
      `stdout is not JSON (exit ${String(result.code)}):\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
}

/**
 * A temporary project folder whose config uses the fixture's plugins and workflows by absolute
 * path, with its state files inside the folder. `online` replaces the online section. Storage is
 * memory (each command starts empty) unless `storage` says otherwise (`null`: none configured,
 * the default SQLite file).
 */
export async function makeProject(
  online: Record<string, unknown> = {},
  storage: Record<string, unknown> | null = { kind: 'memory' },
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hs-cli-'));
  const config = {
    ...(storage === null ? {} : { storage }),
    plugins: [{ path: join(FIXTURE, 'plugins/demo'), channelIdPrefix: 'demo' }],
    workflows: [join(FIXTURE, 'workflows/demo.ts')],
    online: {
      name: 'demo',
      stateDir: 'state',
      stopTimeout: 'PT2S',
      retry: { policy: 'constant', delay: 'PT0.1S', maxRetries: 1 },
      workflows: [
        { workflow: 'ticker', every: 'PT1S', window: '-PT10S/-PT1S' },
        { workflow: 'broken', every: 'PT1S', window: '-PT10S/-PT1S' },
      ],
      ...online,
    },
  };
  await writeFile(join(dir, 'hyperstream.config.json'), JSON.stringify(config, null, 2));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A `hyperstream ui` process started by {@link startCliUi}. */
export interface CliUi {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly actions: boolean;
  /** What it wrote to stderr so far (warnings). */
  stderr(): string;
  /** Sends SIGTERM and waits for the exit code (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
}

/**
 * Starts `hyperstream ui --port 0 --json ...args` in `cwd` and waits for the address it prints.
 * The process is killed when it does not start; callers stop it in `finally`/`afterAll`.
 */
export async function startCliUi(
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: Readonly<Record<string, string>> },
): Promise<CliUi> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.MONGODB_URI;
  delete env.HYPERSTREAM_CONFIG;
  delete env.REDIS_URL;
  Object.assign(env, options.env);
  const child = spawn(
    process.execPath,
    ['--import', TSX, MAIN, 'ui', '--port', '0', '--json', ...args],
    { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolveExit) =>
    child.once('exit', (code) => resolveExit(code)),
  );
  try {
    const started = await new Promise<{
      url: string;
      host: string;
      port: number;
      actions: boolean;
    }>((resolveStart, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`hyperstream ui did not start in 60 s:\n${stderr}`)),
        60_000,
      );
      child.stdout.on('data', () => {
        try {
          resolveStart(JSON.parse(stdout) as never);
          clearTimeout(timer);
        } catch {
          // not all of it yet
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`hyperstream ui exited (${String(code)}):\n${stdout}\n${stderr}`));
      });
    });
    return {
      ...started,
      stderr: () => stderr,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        try {
          return await exited;
        } finally {
          clearTimeout(killer);
        }
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
