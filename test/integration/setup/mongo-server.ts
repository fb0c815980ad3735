// Finds or starts a MongoDB-compatible server for tests and benchmarks. HYPERSTREAM_TEST_SERVER
// chooses one (`ferretdb`, `java` or `mongod`; failing with the reason when it cannot be had);
// unset, the first of: MONGODB_URI; a `mongod` on PATH; a `ferretdb` (v1, SQLite backend) on PATH;
// mongo-java-server built from scripts/mongo-server with Maven and cached under .cache/mongo-server.
// FerretDB, when chosen, is built from the Go module proxy and cached under .cache/ferretdb.
import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import {
  FERRETDB_VERSION,
  endWithThisProcess,
  ferretDbBinary,
  spawnFerretDb,
  stopProcess,
} from './ferretdb.js';

const execFileAsync = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SERVER_SOURCES = join(ROOT, 'scripts/mongo-server');
const CACHE = join(ROOT, '.cache/mongo-server');
const START_TIMEOUT_MS = 60_000;

/** The servers HYPERSTREAM_TEST_SERVER can choose. */
export const TEST_SERVER_KINDS = ['ferretdb', 'java', 'mongod'] as const;
export type TestServerKind = (typeof TEST_SERVER_KINDS)[number];

/** A running (or given) server: its URI, what it is, and how to stop it. */
export interface TestServer {
  readonly uri: string;
  /** Where it came from. */
  readonly source: 'MONGODB_URI' | 'mongod' | 'ferretdb' | 'mongo-java-server';
  /** Server name and version, e.g. "mongo-java-server 1.47.0 (reports MongoDB 4.4.0, wire 9)". */
  readonly description: string;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'no MongoDB-compatible server for the tests: set MONGODB_URI to a running MongoDB ' +
  '(e.g. mongodb://127.0.0.1:27017), or put `mongod` (MongoDB Community Server) or `ferretdb` v1 on PATH, ' +
  'or install a JDK 17+ (`java`, `javac`) and Maven 3 (`mvn`, e.g. `apt-get install openjdk-17-jdk-headless maven`) ' +
  'so the test setup can build mongo-java-server from Maven Central';

/** The server HYPERSTREAM_TEST_SERVER asks for, or undefined when it is unset. */
export function chosenTestServer(): TestServerKind | undefined {
  const value = process.env.HYPERSTREAM_TEST_SERVER?.trim();
  if (!value) return undefined;
  if (!(TEST_SERVER_KINDS as readonly string[]).includes(value)) {
    throw new Error(
      `HYPERSTREAM_TEST_SERVER="${value}" names no test server: use ${TEST_SERVER_KINDS.join(', ')}, ` +
        'or leave it unset (MONGODB_URI, mongod, ferretdb on PATH, then mongo-java-server)',
    );
  }
  return value as TestServerKind;
}

/**
 * Starts the server `kind` (default: HYPERSTREAM_TEST_SERVER), or when none is chosen finds or
 * starts the first available; throws with the reason or installation advice when it cannot.
 */
export async function startTestServer(
  kind: TestServerKind | undefined = chosenTestServer(),
): Promise<TestServer> {
  switch (kind) {
    case 'ferretdb':
      return await startFerretDb(await ferretDbBinary());
    case 'java':
      return await startJavaServer();
    case 'mongod': {
      const mongod = await findOnPath('mongod');
      if (!mongod) {
        throw new Error(
          'HYPERSTREAM_TEST_SERVER=mongod, but `mongod` is not on PATH: install MongoDB Community Server ' +
            '(https://www.mongodb.com/try/download/community) or choose ferretdb or java',
        );
      }
      return await startMongod(mongod);
    }
    case undefined:
      break;
  }
  const fromEnv = process.env.MONGODB_URI;
  if (fromEnv) {
    const version = await probe(fromEnv, 'MONGODB_URI');
    return {
      uri: fromEnv,
      source: 'MONGODB_URI',
      description: version,
      stop: () => Promise.resolve(),
    };
  }
  const mongod = await findOnPath('mongod');
  if (mongod) return await startMongod(mongod);
  const ferretdb = await findOnPath('ferretdb');
  if (ferretdb) return await startFerretDb(ferretdb);
  return await startJavaServer();
}

/** Stops a server started by {@link startTestServer} (a given MONGODB_URI is left alone). */
export async function stopTestServer(server: TestServer): Promise<void> {
  await server.stop();
}

async function startMongod(binary: string): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'hs-mongod-'));
  const port = await freePort();
  const child = spawnMongod(binary, dir, port);
  return await started(child, `mongodb://127.0.0.1:${port}`, 'mongod', dir);
}

function spawnMongod(binary: string, dir: string, port: number): ChildProcess {
  const child = spawn(
    binary,
    ['--dbpath', dir, '--bind_ip', '127.0.0.1', '--port', String(port), '--quiet'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  endWithThisProcess(child);
  return child;
}

/** FerretDB (SQLite backend) on temporary state and data folders, removed when it stops. */
async function startFerretDb(binary: string): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'hs-ferretdb-'));
  const stop = async (child?: ChildProcess): Promise<void> => {
    if (child) await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { child, address } = await spawnFerretDb(binary, dir);
    const uri = `mongodb://${address}`;
    try {
      const reported = await waitForServer(uri, 'ferretdb');
      return {
        uri,
        source: 'ferretdb',
        description: `${reported} (SQLite backend)`,
        stop: () => stop(child),
      };
    } catch (error) {
      await stop(child);
      throw error;
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Waits until a spawned server answers, then wraps it; kills it and cleans up when it never does. */
async function started(
  child: ChildProcess,
  uri: string,
  source: TestServer['source'],
  dir: string,
): Promise<TestServer> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) =>
      reject(
        new Error(
          `${source} exited with code ${String(code)} before accepting connections: ${stderr}`,
        ),
      ),
    );
  });
  exited.catch(() => undefined);
  const stop = async (): Promise<void> => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const description = await Promise.race([waitForServer(uri, source), exited]);
    return { uri, source, description, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startJavaServer(): Promise<TestServer> {
  const { child, address, version } = await spawnJavaServer([]);
  const uri = `mongodb://${address}`;
  const reported = await waitForServer(uri, 'mongo-java-server');
  return {
    uri,
    source: 'mongo-java-server',
    description: `mongo-java-server ${version} (memory backend; ${reported})`,
    stop: () => stopChild(child),
  };
}

/** A server on a data file that can be stopped and started again on the same port and data. */
export interface RestartableServer {
  readonly uri: string;
  /** What it is, e.g. "FerretDB v1.24.2 (SQLite backend)". */
  readonly description: string;
  /** Stops the server gracefully (its data is committed); the URI stays the same. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it (if running) and deletes its data. */
  dispose(): Promise<void>;
}

/**
 * Starts a server of its own on new persistent data, which the test can stop and start again:
 * FerretDB (SQLite files) or mongod when HYPERSTREAM_TEST_SERVER (or `kind`) chooses them,
 * otherwise mongo-java-server with its H2 backend. Never MONGODB_URI: a given server cannot be
 * stopped.
 */
export async function startRestartableServer(
  kind: TestServerKind | undefined = chosenTestServer(),
): Promise<RestartableServer> {
  const dir = await mkdtemp(join(tmpdir(), 'hs-restartable-'));
  let port = 0;
  let description: string;
  let launch: () => Promise<ChildProcess>;
  try {
    switch (kind) {
      case 'ferretdb': {
        const binary = await ferretDbBinary();
        description = `FerretDB ${FERRETDB_VERSION} (SQLite backend)`;
        launch = async () => {
          const { child, address } = await spawnFerretDb(binary, dir, port);
          port = Number(address.slice(address.lastIndexOf(':') + 1));
          return child;
        };
        break;
      }
      case 'mongod': {
        const binary = await findOnPath('mongod');
        if (!binary) throw new Error('HYPERSTREAM_TEST_SERVER=mongod, but `mongod` is not on PATH');
        description = 'mongod';
        port = await freePort();
        launch = () => Promise.resolve(spawnMongod(binary, dir, port));
        break;
      }
      default: {
        description = 'mongo-java-server (H2 backend)';
        port = await freePort();
        launch = async () =>
          (await spawnJavaServer(['--port', String(port), '--h2', join(dir, 'data.mv.db')])).child;
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (!child) return;
    await stopChild(child);
    child = undefined;
  };
  const start = async (): Promise<void> => {
    if (child) return;
    child = await launch();
    try {
      await waitForServer(`mongodb://127.0.0.1:${port}`, description);
    } catch (error) {
      await stop();
      throw error;
    }
  };
  try {
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    uri: `mongodb://127.0.0.1:${port}`,
    description,
    start,
    stop,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Builds (once) and spawns MongoServerMain with `args`; resolves once it prints its address. */
async function spawnJavaServer(
  args: readonly string[],
): Promise<{ child: ChildProcess; address: string; version: string }> {
  const { classpath, version } = await buildJavaServer();
  const child = spawn(
    'java',
    ['-cp', classpath, 'MongoServerMain', '--host', '127.0.0.1', '--port', '0', ...args],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const address = await new Promise<string>((resolveAddress, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`mongo-java-server did not start within ${START_TIMEOUT_MS} ms: ${stderr}`),
        ),
      START_TIMEOUT_MS,
    );
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${INSTALL_HINT} (starting java failed: ${error.message})`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mongo-java-server exited with code ${String(code)}: ${stderr}`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = /^LISTENING (\S+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        lines.close();
        resolveAddress(match[1]!);
      }
    });
  }).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  return { child, address, version };
}

/**
 * Compiles MongoServerMain against the jars Maven resolves, once per version of the sources:
 * the result (classes + classpath) is cached under .cache/mongo-server/<hash>.
 */
async function buildJavaServer(): Promise<{ classpath: string; version: string }> {
  const pom = await readFile(join(SERVER_SOURCES, 'pom.xml'), 'utf8');
  const main = await readFile(join(SERVER_SOURCES, 'MongoServerMain.java'), 'utf8');
  const version = /<mongo-java-server\.version>([^<]+)</.exec(pom)?.[1] ?? 'unknown';
  const hash = createHash('sha256').update(pom).update(main).digest('hex').slice(0, 16);
  const target = join(CACHE, hash);
  const cached = await readCachedClasspath(target);
  if (cached) return { classpath: cached, version };

  for (const tool of ['java', 'javac', 'mvn']) {
    if (!(await findOnPath(tool))) throw new Error(`${INSTALL_HINT} (\`${tool}\` is not on PATH)`);
  }
  await mkdir(CACHE, { recursive: true });
  const work = await mkdtemp(join(CACHE, `${hash}.build-`));
  try {
    const classpathFile = join(work, 'classpath.txt');
    await run('mvn', [
      '-q',
      '-B',
      '-f',
      join(SERVER_SOURCES, 'pom.xml'),
      'dependency:build-classpath',
      `-Dmdep.outputFile=${classpathFile}`,
    ]);
    const jars = (await readFile(classpathFile, 'utf8')).trim();
    await run('javac', [
      '-cp',
      jars,
      '-d',
      join(work, 'classes'),
      join(SERVER_SOURCES, 'MongoServerMain.java'),
    ]);
    await writeFile(classpathFile, jars);
    // Rename is atomic: a concurrent build either wins or finds the finished folder.
    await rename(work, target).catch(async () => await rm(work, { recursive: true, force: true }));
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
  const built = await readCachedClasspath(target);
  if (!built) throw new Error(`building mongo-java-server left no usable classpath in ${target}`);
  // Builds of older sources are of no further use.
  for (const entry of await readdir(CACHE)) {
    if (/^[0-9a-f]{16}$/.test(entry) && entry !== hash)
      await rm(join(CACHE, entry), { recursive: true, force: true });
  }
  return { classpath: built, version };
}

/** The cached classpath, or undefined when missing or when a jar has gone (a cleaned ~/.m2). */
async function readCachedClasspath(target: string): Promise<string | undefined> {
  try {
    const jars = (await readFile(join(target, 'classpath.txt'), 'utf8')).trim();
    await access(join(target, 'classes', 'MongoServerMain.class'));
    for (const jar of jars.split(delimiter)) await access(jar);
    return [join(target, 'classes'), jars].join(delimiter);
  } catch {
    return undefined;
  }
}

async function run(command: string, args: string[]): Promise<void> {
  try {
    await execFileAsync(command, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `building mongo-java-server failed at \`${command} ${args.join(' ')}\`: ${stdout}${stderr}`,
      {
        cause: error,
      },
    );
  }
}

/** Pings until the server answers; returns "name version" as the server reports it. */
async function waitForServer(uri: string, what: string): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      return await probe(uri, what);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function probe(uri: string, what: string): Promise<string> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.connect();
    const info = await client.db('admin').command({ buildInfo: 1 });
    const hello = await client.db('admin').command({ isMaster: 1 });
    const ferret =
      typeof info.ferretdbVersion === 'string' ? `FerretDB ${info.ferretdbVersion}, ` : '';
    return `${ferret}reports MongoDB ${String(info.version)}, wire ${String(hello.maxWireVersion)}`;
  } catch (error) {
    throw new Error(
      `cannot reach the MongoDB server from ${what} at ${redact(uri)}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  } finally {
    await client.close();
  }
}

/** Ends a child: closes stdin (mongo-java-server stops on EOF), then SIGTERM, then SIGKILL. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.stdin?.end();
  if (!child.stdin) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGTERM'), 5_000);
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
  clearTimeout(killer);
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolvePort(address.port)
          : reject(new Error('could not find a free TCP port on 127.0.0.1')),
      );
    });
  });
}

function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}
