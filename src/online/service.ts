import { execFileSync, spawn } from 'node:child_process';
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
 * @remarks Files live in the state folder: `<name>.lock` (the identity of the process holding it:
 * pid and start time), `<name>.state.json` (rewritten atomically on every change) and `<name>.log`
 * (output of a detached process). A process is only ever taken for the service's, and signalled,
 * when both its pid and its start time match: after a reboot or pid reuse an unrelated process
 * with the same pid is never touched.
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
  /** When that process started, as {@link processStartOf} gives it (identifies it with the pid). */
  readonly processStart?: string | undefined;
  /** How many times the service was started again after its first start (resuming its state). */
  readonly restarts: number;
  /** When the state file was last written. */
  readonly updated: string | undefined;
  readonly logFile: string | undefined;
}

/** A process as the lock and state files record it: its pid and when it started. */
export interface ProcessIdentity {
  readonly pid: number;
  /** {@link processStartOf} at the time; `undefined` in a lock written by an older version. */
  readonly start: string | undefined;
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

/**
 * When process `pid` started, as an opaque text that differs for a later process reusing the pid:
 * on Linux the boot id and the start time in clock ticks from `/proc/<pid>/stat` (so a reboot
 * changes it too); elsewhere `ps -o lstart=`. `undefined` when the process does not exist or the
 * system tells nothing.
 */
export function processStartOf(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3,
    // starttime field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    if (ticks === undefined) return undefined;
    let boot = '';
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      // No boot id: the start time alone still tells pid reuse apart.
    }
    return `${boot}:${ticks}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && existsProc()) return undefined;
  }
  try {
    const started = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return started === '' ? undefined : `ps:${started}`;
  } catch {
    return undefined;
  }
}

function existsProc(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

/** The identity of process `pid` now (default this process). */
export function processIdentity(pid = process.pid): ProcessIdentity {
  return { pid, start: processStartOf(pid) };
}

/**
 * True when `identity` is a live process that is still the one recorded: same pid and same start
 * time. An identity without a start time (an old lock, or a pid written by hand) is never taken
 * for ours.
 */
export function isSameProcess(identity: ProcessIdentity): boolean {
  if (identity.start === undefined || !isProcessAlive(identity.pid)) return false;
  return processStartOf(identity.pid) === identity.start;
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
  const me = processIdentity(pid);
  const text = JSON.stringify(me);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await open(paths.lockFile, 'wx');
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
      return { acquired: true, release: () => releaseLock(paths, me) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(paths.lockFile);
    if (holder !== undefined && sameIdentity(holder, me)) {
      return { acquired: true, release: () => releaseLock(paths, me) };
    }
    if (holder !== undefined && isSameProcess(holder)) {
      return { acquired: false, holder: holder.pid };
    }
    if (holder === undefined && (await lockIsFresh(paths.lockFile))) {
      await delay(50); // being written by its creator
      continue;
    }
    // Dead, or a live process that is not the one that took the lock (pid reused, a reboot).
    await clearStaleLock(paths, holder);
  }
  const holder = (await readLock(paths.lockFile))?.pid ?? 0;
  return { acquired: false, holder };
}

/** The service's running process as its lock file (or else its state file) records it, when it is still that process. */
export async function runningProcess(paths: ServicePaths): Promise<ProcessIdentity | undefined> {
  const lock = await readLock(paths.lockFile);
  if (lock !== undefined) return isSameProcess(lock) ? lock : undefined;
  const saved = await readState(paths);
  if (saved?.pid === null || saved?.pid === undefined || saved.status !== 'running')
    return undefined;
  const identity = { pid: saved.pid, start: saved.processStart };
  return isSameProcess(identity) ? identity : undefined;
}

/** True when the service has a state file (it ran at least once under this name). */
export async function serviceExists(paths: ServicePaths): Promise<boolean> {
  return (await readState(paths)) !== undefined;
}

/**
 * Reads `<name>.state.json` and corrects it: a "running" service whose process is gone, or whose
 * pid now belongs to another process, failed.
 */
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
      current: undefined,
      restarts: 0,
      updated: undefined,
      logFile: undefined,
    };
  }
  const normalised: ServiceStatus = { ...saved, restarts: saved.restarts ?? 0 };
  if (
    saved.status === 'running' &&
    (saved.pid === null || !isSameProcess({ pid: saved.pid, start: saved.processStart }))
  ) {
    return {
      ...normalised,
      active: false,
      status: 'failed',
      current: undefined,
      lastError: `process ${String(saved.pid)} ended without stopping cleanly${saved.lastError ? ` (last error: ${saved.lastError})` : ''}`,
    };
  }
  return normalised;
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

/**
 * Writes the state file atomically (a reader never sees half a file), with the identity of the
 * process (so `status` can tell it from a later process with the same pid) and the restart count.
 */
export async function writeServiceState(
  paths: ServicePaths,
  status: OnlineStatus,
  extra: { readonly restarts?: number } = {},
): Promise<void> {
  await mkdir(paths.stateDir, { recursive: true });
  const state: ServiceStatus = {
    ...status,
    processStart: status.pid === process.pid ? ownStart() : processStartOf(status.pid),
    restarts: extra.restarts ?? 0,
    updated: new Date().toISOString(),
    logFile: paths.logFile,
  };
  await writeJsonAtomically(paths.stateFile, state);
}

let ownStartCache: string | undefined;
function ownStart(): string | undefined {
  return (ownStartCache ??= processStartOf(process.pid));
}

let temporaryCounter = 0;

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.${String(process.pid)}.${String(++temporaryCounter)}.tmp`;
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
  const lock = await readLock(paths.lockFile);
  const running = await runningProcess(paths);
  if (running === undefined) {
    // Never signal a process that is not the one that took the lock: after a reboot or pid
    // reuse that pid is someone else's.
    if (lock !== undefined) await clearStaleLock(paths, lock);
    const other =
      lock !== undefined && isProcessAlive(lock.pid)
        ? ` (its lock named pid ${String(lock.pid)}, now another process, which was left alone; the stale lock was cleared)`
        : '';
    return { status: 'ERROR', message: `online engine "${paths.name}" is not running${other}` };
  }
  const { pid } = running;
  process.kill(pid, 'SIGTERM');
  if (await waitUntil(() => !isSameProcess(running), options.timeout)) {
    return {
      status: 'SUCCESS',
      message: `online engine "${paths.name}" (pid ${String(pid)}) stopped`,
    };
  }
  if (isSameProcess(running)) process.kill(pid, 'SIGKILL');
  await waitUntil(() => !isSameProcess(running), 5000);
  await clearStaleLock(paths, running);
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
  const holder = await runningProcess(paths);
  if (holder !== undefined) {
    return {
      status: 'ERROR',
      message: `online engine "${paths.name}" is already running (pid ${String(holder.pid)})`,
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

/** The lock's holder: `{ pid, start }` (JSON), or a bare pid as older versions wrote it. */
async function readLock(file: string): Promise<ProcessIdentity | undefined> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (/^\d+$/.test(text)) {
    const pid = Number(text);
    return pid > 0 ? { pid, start: undefined } : undefined;
  }
  try {
    const value = JSON.parse(text) as { pid?: unknown; start?: unknown };
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) {
      return undefined;
    }
    return { pid: value.pid, start: typeof value.start === 'string' ? value.start : undefined };
  } catch {
    return undefined; // half written, or garbage: treated as no holder
  }
}

function sameIdentity(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return a.pid === b.pid && a.start !== undefined && a.start === b.start;
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
async function clearStaleLock(
  paths: ServicePaths,
  stale: ProcessIdentity | undefined,
): Promise<void> {
  const moved = `${paths.lockFile}.${String(process.pid)}.stale`;
  try {
    await rename(paths.lockFile, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const found = await readLock(moved);
  if (found?.pid !== stale?.pid || found?.start !== stale?.start) {
    await link(moved, paths.lockFile).catch(() => undefined);
  }
  await unlink(moved).catch(() => undefined);
}

async function releaseLock(paths: ServicePaths, me: ProcessIdentity): Promise<void> {
  const holder = await readLock(paths.lockFile);
  if (holder !== undefined && sameIdentity(holder, me)) {
    await unlink(paths.lockFile).catch(() => undefined);
  }
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
