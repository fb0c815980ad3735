import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  link,
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import type { ActionResult, OnlineStatus } from './online-engine.js';

/**
 * Running the online engine as a service: one instance per name, guarded by a lock file, with a
 * JSON state file that `status` reads from another shell. Nothing listens on a network port.
 *
 * @remarks Files live in the state folder: `<name>.lock` (the pid holding it), `<name>.state.json`
 * (rewritten atomically on every change) and `<name>.log` (output of a detached process).
 */

/** The files of one named service. */
export interface ServicePaths {
  readonly name: string;
  readonly stateDir: string;
  readonly lockFile: string;
  readonly stateFile: string;
  readonly logFile: string;
}

/** What `status` returns from another shell: the engine's last state, corrected for liveness. */
export interface ServiceStatus extends Omit<OnlineStatus, 'pid'> {
  /** The process, or `null` when the service never ran. */
  readonly pid: number | null;
  /** When the state file was last written. */
  readonly updated: string | undefined;
  readonly logFile: string | undefined;
}

/** The files for service `name` under `stateDir`; the name must be a plain file-name word. */
export function servicePaths(stateDir: string, name: string): ServicePaths {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new InvalidArgumentError(
      `invalid service name "${name}": use letters, digits, ".", "_" and "-", starting with a letter or digit`,
      { name },
    );
  }
  return {
    name,
    stateDir,
    lockFile: join(stateDir, `${name}.lock`),
    stateFile: join(stateDir, `${name}.state.json`),
    logFile: join(stateDir, `${name}.log`),
  };
}

/** True when `pid` is a live process (a zombie that nobody reaped counts as dead). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): kill(0) is all we know
  }
}

/** The outcome of {@link acquireLock}: a release function, or the live holder's pid. */
export type LockResult =
  | { readonly acquired: true; release(): Promise<void> }
  | { readonly acquired: false; readonly holder: number };

/**
 * Takes the service's lock for `pid` (default this process). A lock left by a dead process is
 * detected and cleared; a live holder wins and is returned.
 */
export async function acquireLock(paths: ServicePaths, pid = process.pid): Promise<LockResult> {
  await mkdir(paths.stateDir, { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await open(paths.lockFile, 'wx');
      try {
        await handle.writeFile(String(pid));
      } finally {
        await handle.close();
      }
      return { acquired: true, release: () => releaseLock(paths, pid) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readPid(paths.lockFile);
    if (holder === pid) return { acquired: true, release: () => releaseLock(paths, pid) };
    if (holder !== undefined && isProcessAlive(holder)) return { acquired: false, holder };
    if (holder === undefined && (await lockIsFresh(paths.lockFile))) {
      await delay(50); // being written by its creator
      continue;
    }
    await clearStaleLock(paths, holder);
  }
  const holder = (await readPid(paths.lockFile)) ?? 0;
  return { acquired: false, holder };
}

/** Reads `<name>.state.json` and corrects it: a "running" service whose process is gone failed. */
export async function readServiceStatus(paths: ServicePaths): Promise<ServiceStatus> {
  const saved = await readState(paths);
  if (saved === undefined) {
    return {
      name: paths.name,
      active: false,
      status: 'stopped',
      started: undefined,
      stopped: undefined,
      pid: null,
      iterations: 0,
      lastRun: undefined,
      lastError: undefined,
      failedPieces: [],
      memory: { rss: 0, heapUsed: 0 },
      workflows: [],
      updated: undefined,
      logFile: undefined,
    };
  }
  if (saved.status === 'running' && (saved.pid === null || !isProcessAlive(saved.pid))) {
    return {
      ...saved,
      active: false,
      status: 'failed',
      lastError: `process ${String(saved.pid)} ended without stopping cleanly${saved.lastError ? ` (last error: ${saved.lastError})` : ''}`,
    };
  }
  return saved;
}

/** The statuses of every service with a state file under `stateDir`, by name. */
export async function listServices(stateDir: string): Promise<ServiceStatus[]> {
  let names: string[];
  try {
    names = await readdir(stateDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const services = names
    .filter((file) => file.endsWith('.state.json'))
    .map((file) => file.slice(0, -'.state.json'.length))
    .sort();
  return await Promise.all(services.map((name) => readServiceStatus(servicePaths(stateDir, name))));
}

/** Writes the state file atomically (a reader never sees half a file). */
export async function writeServiceState(paths: ServicePaths, status: OnlineStatus): Promise<void> {
  await mkdir(paths.stateDir, { recursive: true });
  const state: ServiceStatus = {
    ...status,
    updated: new Date().toISOString(),
    logFile: paths.logFile,
  };
  await writeJsonAtomically(paths.stateFile, state);
}

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.${String(process.pid)}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temporary, file);
}

/**
 * Stops the service from another process: SIGTERM (the engine finishes or abandons its current
 * piece), then waits up to `timeout` ms; a process still alive then is killed.
 */
export async function stopService(
  paths: ServicePaths,
  options: { readonly timeout: number },
): Promise<ActionResult> {
  const pid = (await readPid(paths.lockFile)) ?? (await readState(paths))?.pid ?? null;
  if (pid === null || !isProcessAlive(pid)) {
    if (pid !== null) await clearStaleLock(paths, pid);
    return { status: 'ERROR', message: `online engine "${paths.name}" is not running` };
  }
  process.kill(pid, 'SIGTERM');
  if (await waitUntil(() => !isProcessAlive(pid), options.timeout)) {
    return {
      status: 'SUCCESS',
      message: `online engine "${paths.name}" (pid ${String(pid)}) stopped`,
    };
  }
  process.kill(pid, 'SIGKILL');
  await waitUntil(() => !isProcessAlive(pid), 5000);
  await clearStaleLock(paths, pid);
  const saved = await readState(paths);
  if (saved) {
    await writeJsonAtomically(paths.stateFile, {
      ...saved,
      active: false,
      status: 'stopped',
      lastError: `killed after ${String(options.timeout)} ms without stopping`,
    });
  }
  return {
    status: 'ERROR',
    message: `online engine "${paths.name}" (pid ${String(pid)}) did not stop within ${String(options.timeout)} ms and was killed`,
  };
}

/** How to launch the service in the background: a command that runs it in the foreground. */
export interface DetachOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for the state file to say "running" (ms, default 20 s). */
  readonly timeout?: number;
}

/**
 * Starts the service as a detached background process (output to `<name>.log`) and waits until
 * its state file reports it running under the new pid.
 */
export async function startDetached(
  paths: ServicePaths,
  options: DetachOptions,
): Promise<ActionResult & { readonly pid?: number }> {
  const holder = await readPid(paths.lockFile);
  if (holder !== undefined && isProcessAlive(holder)) {
    return {
      status: 'ERROR',
      message: `online engine "${paths.name}" is already running (pid ${String(holder)})`,
    };
  }
  await mkdir(paths.stateDir, { recursive: true });
  const log = await open(paths.logFile, 'a');
  let exited: string | undefined;
  try {
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
    });
    child.on('exit', (code, signal) => {
      exited = signal ?? `exit code ${String(code)}`;
    });
    child.unref();
    const pid = child.pid;
    if (pid === undefined)
      return { status: 'ERROR', message: `could not start "${options.command}"` };
    const running = await waitUntil(async () => {
      const state = await readState(paths);
      return exited !== undefined || (state?.pid === pid && state.status === 'running');
    }, options.timeout ?? 20_000);
    if (exited !== undefined || !running) {
      const tail = await readTail(paths.logFile);
      return {
        status: 'ERROR',
        message: `online engine "${paths.name}" did not start (${exited ?? 'timed out'}); see ${paths.logFile}${tail ? `: ${tail}` : ''}`,
      };
    }
    return {
      status: 'SUCCESS',
      message: `online engine "${paths.name}" started in the background (pid ${String(pid)}); log: ${paths.logFile}`,
      pid,
    };
  } finally {
    await log.close();
  }
}

async function readState(paths: ServicePaths): Promise<ServiceStatus | undefined> {
  try {
    return JSON.parse(await readFile(paths.stateFile, 'utf8')) as ServiceStatus;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (error instanceof SyntaxError) return undefined; // written by a crashed older version
    throw error;
  }
}

async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(file, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function lockIsFresh(file: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs < 2000;
  } catch {
    return false;
  }
}

// Rename first: only one process can move a given file, and if what we moved is not the stale
// lock we read (another process replaced it meanwhile), it is put back.
async function clearStaleLock(paths: ServicePaths, stalePid: number | undefined): Promise<void> {
  const moved = `${paths.lockFile}.${String(process.pid)}.stale`;
  try {
    await rename(paths.lockFile, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((await readPid(moved)) !== stalePid) {
    await link(moved, paths.lockFile).catch(() => undefined);
  }
  await unlink(moved).catch(() => undefined);
}

async function releaseLock(paths: ServicePaths, pid: number): Promise<void> {
  if ((await readPid(paths.lockFile)) === pid) await unlink(paths.lockFile).catch(() => undefined);
}

async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeout: number,
): Promise<boolean> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await delay(50);
  }
}

async function delay(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function readTail(file: string): Promise<string> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text.split('\n').slice(-3).join(' | ');
  } catch {
    return '';
  }
}
