// FerretDB v1 (Apache-2.0) for tests and benchmarks: built from the Go module proxy once per
// version and cached under .cache/ferretdb, then started on 127.0.0.1 with the SQLite backend and
// temporary state and data folders.
import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import {
  access,
  chmod,
  cp,
  mkdir,
  mkdtemp,
  open,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { hostname } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CACHE = join(ROOT, '.cache/ferretdb');

/**
 * The version built and tested. v1 is the last line with an embedded SQLite backend (v2 needs
 * PostgreSQL with the DocumentDB extension); the proxy refuses v1.24.1, so v1.24.2 it is.
 */
export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
const START_TIMEOUT_MS = 60_000;
/** A build lock older than this is taken to be left by a crashed build. */
const STALE_LOCK_MS = 20 * 60_000;

export const FERRETDB_HINT =
  `FerretDB ${FERRETDB_VERSION} for the tests is built from the Go module proxy (${FERRETDB_MODULE}); ` +
  'this needs Go on PATH (`go` 1.24+, or 1.21+ which fetches the 1.24 toolchain; e.g. `apt-get install golang-go`) and access to proxy.golang.org ' +
  '(or GOPROXY), or put a FerretDB v1 binary on PATH as `ferretdb` and leave HYPERSTREAM_TEST_SERVER unset';

/** The cached FerretDB binary, built first when missing (about 2.5 min on 2 cores, once). */
export async function ferretDbBinary(): Promise<string> {
  const binary = join(CACHE, `ferretdb-${FERRETDB_VERSION}`);
  if (await isExecutable(binary)) return binary;
  await mkdir(CACHE, { recursive: true });
  // Parallel Vitest projects (and benchmarks) share one build: the first takes the lock, the
  // others wait for it and then find the binary. The rename into place is what makes a finished
  // build visible, so even two builds racing past a stale lock cannot leave a partial binary.
  const release = await lock(join(CACHE, `build-${FERRETDB_VERSION}.lock`));
  try {
    if (await isExecutable(binary)) return binary;
    await build(binary);
  } finally {
    await release();
  }
  return binary;
}

async function build(binary: string): Promise<void> {
  if (!(await onPath('go'))) throw new Error(`${FERRETDB_HINT} (\`go\` is not on PATH)`);
  process.stderr.write(
    `building FerretDB ${FERRETDB_VERSION} from the Go module proxy into ${CACHE} (once; a few minutes)\n`,
  );
  const work = await mkdtemp(join(CACHE, 'build-'));
  try {
    // Outside any module or workspace, so the download is exactly the tagged module.
    // No VCS stamping: the copy lies inside this repository's ignored .cache folder.
    const env = { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=mod -buildvcs=false' };
    const { stdout } = await run(
      'go',
      ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`],
      work,
      env,
    );
    const download = JSON.parse(stdout) as { Dir?: string; Error?: string };
    if (download.Error || !download.Dir) {
      throw new Error(
        `${FERRETDB_HINT} (go mod download: ${download.Error ?? 'no module folder reported'})`,
      );
    }
    // The module cache is read-only, and FerretDB panics at start unless
    // build/version/version.txt (generated in its own release builds) names a version.
    const sources = join(work, 'src');
    await cp(download.Dir, sources, { recursive: true });
    await makeWritable(sources);
    await writeFile(join(sources, 'build/version/version.txt'), `${FERRETDB_VERSION}\n`);
    const output = join(work, 'ferretdb');
    await run('go', ['build', '-trimpath', '-o', output, './cmd/ferretdb'], sources, env);
    const { stdout: version } = await run(output, ['--version'], work, env);
    if (!version.includes(`version: ${FERRETDB_VERSION}`)) {
      throw new Error(`the FerretDB built reports another version: ${version.trim()}`);
    }
    await rename(output, binary);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A started FerretDB: its child process and the address it listens on. */
export interface FerretDbProcess {
  readonly child: ChildProcess;
  /** host:port */
  readonly address: string;
}

/**
 * Starts FerretDB with the SQLite backend on data under `dir` (made if missing), on 127.0.0.1 and
 * `port` (0: a free port, read back from its log). The debug HTTP server gets a free port too:
 * its default, 8088, would make a second instance fail. Resolves once it listens.
 */
export async function spawnFerretDb(
  binary: string,
  dir: string,
  port = 0,
): Promise<FerretDbProcess> {
  await mkdir(join(dir, 'sqlite'), { recursive: true });
  await mkdir(join(dir, 'state'), { recursive: true });
  const child = spawn(
    binary,
    [
      '--handler=sqlite',
      // No fsync per commit: a test server needs no durability across an OS crash, and a
      // stopped server (SIGTERM) has committed everything.
      `--sqlite-url=file:${join(dir, 'sqlite')}/?_pragma=synchronous(OFF)`,
      `--state-dir=${join(dir, 'state')}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=127.0.0.1:0',
      '--telemetry=disable',
      '--log-level=info',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  endWithThisProcess(child);
  let log = '';
  const address = await new Promise<string>((resolveAddress, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`FerretDB did not listen within ${START_TIMEOUT_MS} ms: ${log}`)),
      START_TIMEOUT_MS,
    );
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`starting FerretDB (${binary}) failed: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`FerretDB exited (${signal ?? `code ${String(code)}`}) before listening: ${log}`),
      );
    });
    // It logs to stderr; every line is kept (the tail) for error messages, and drained so a chatty
    // server never blocks on a full pipe.
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        log = `${log}${line}\n`.slice(-4000);
        const match = /Listening on TCP (127\.0\.0\.1:\d+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolveAddress(match[1]!);
        }
      });
    }
  }).catch(async (error: unknown) => {
    await stopProcess(child);
    throw error;
  });
  return { child, address };
}

/** Ends a child: SIGTERM (FerretDB and mongod stop gracefully on it), then SIGKILL after 15 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(killer);
}

/**
 * Kills `child` if this process exits first (a crashed or interrupted test run), so a server
 * never outlives the run that started it.
 */
export function endWithThisProcess(child: ChildProcess): void {
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
}

/**
 * Takes an exclusive lock (a folder: `mkdir` is atomic) and returns its release. A lock whose
 * owner has died, or that is older than {@link STALE_LOCK_MS}, is broken.
 */
async function lock(path: string): Promise<() => Promise<void>> {
  const owner = join(path, 'owner');
  for (;;) {
    try {
      await mkdir(path);
      let handle: FileHandle | undefined;
      try {
        handle = await open(owner, 'w');
        await handle.writeFile(`${hostname()} ${process.pid}\n`);
      } finally {
        await handle?.close();
      }
      return async () => await rm(path, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(path, owner)) {
      // Renamed first, so that only one waiter breaks it.
      const broken = `${path}.broken-${process.pid}-${Date.now()}`;
      await rename(path, broken).then(
        async () => await rm(broken, { recursive: true, force: true }),
        () => undefined,
      );
      continue;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function isStale(path: string, owner: string): Promise<boolean> {
  try {
    const { mtimeMs } = await stat(path);
    if (Date.now() - mtimeMs > STALE_LOCK_MS) return true;
    const [host, pid] = (await readFile(owner, 'utf8')).trim().split(' ');
    if (host !== hostname() || !pid) return false;
    try {
      process.kill(Number(pid), 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    // Gone (released) or the owner not written yet: look again.
    return false;
  }
}

/** Gives the owner write access to everything below `dir` (module cache copies are read-only). */
async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else if (entry.isFile()) await chmod(path, (await stat(path)).mode | 0o200);
  }
}

async function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string }> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `building FerretDB failed at \`${command} ${args.join(' ')}\`: ${stdout}${stderr}; ${FERRETDB_HINT}`,
      { cause: error },
    );
  }
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, name)))) return true;
  }
  return false;
}
