// The benchmark runner: `npm run bench [-- <name>…] [--repetitions N] [--tiny] [--out FILE]`.
//
// Every bench/scenarios/*.ts default-exports a BenchScenario. Each chosen scenario runs in its own
// Node process, so its peak RSS is its own and one scenario's garbage or JIT state cannot slow the
// next. Results are printed as one table per scenario and written as JSON for comparing commits.

import { execFile, fork } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { TestServerKind } from '../test/integration/setup/mongo-server.js';
import { TEST_SERVER_KINDS } from '../test/integration/setup/mongo-server.js';
import type { BenchContext, BenchRow, BenchScenario } from './harness.js';
import { peakRssMiB } from './harness.js';

const execFileAsync = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const SCENARIO_DIR = path.join(HERE, 'scenarios');
const RESULTS_DIR = path.join(HERE, 'results');
const CHILD_FLAG = '--run-scenario-file';

const USAGE = `usage: npm run bench -- [<scenario>…] [--repetitions N] [--tiny] [--out FILE] [--server KINDS] [--no-server] [--list]

  <scenario>       run only these (name or file name); all by default
  --repetitions N  timed repetitions per figure, the median is reported (default 5)
  --tiny           run each scenario once on a tiny input (checks the code, not the speed)
  --out FILE       where to write the JSON rows (default bench/results/latest.json,
                   bench/results/tiny.json with --tiny); the full report (machine, load,
                   commit, every scenario) goes beside it as <FILE>.report.json
  --server KINDS   run the scenarios that need a MongoDB server once against each of these test
                   servers, e.g. java,ferretdb (ferretdb, java, mongod; default: the one
                   HYPERSTREAM_TEST_SERVER names, else MONGODB_URI or the first available)
  --no-server      do not start the test MongoDB server when MONGODB_URI is unset
  --dir DIR        the folder of scenario files (default bench/scenarios)
  --list           list the scenarios and exit`;

/** A row as reported: the scenario's row plus what follows from it. */
export interface ReportedRow extends BenchRow {
  /** engine / baseline (below 1: the engine is faster). */
  readonly ratio: number | undefined;
  /** Items per second of the engine. */
  readonly itemsPerSecond: number | undefined;
}

export interface ScenarioResult {
  readonly name: string;
  readonly file: string;
  readonly description: string;
  readonly status: 'ok' | 'failed';
  readonly error?: string;
  readonly durationMs: number;
  /** Peak resident set size of the scenario's process. */
  readonly peakRssMiB: number | undefined;
  /** The MongoDB server it ran against, for a scenario that needs one. */
  readonly server?: string;
  readonly rows: readonly ReportedRow[];
}

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average when the run started: above the core count, figures are noisy. */
  readonly loadAverage: number;
  readonly mongoServer?: string;
}

/** One line of `latest.json`: a figure with every baseline measured beside it. */
export interface ResultRow {
  readonly scenario: string;
  readonly figure: string;
  readonly engineMs: number;
  /** Median ms per baseline name (`hand-loop`, `columnar-loop`, `duckdb-1t`, `duckdb-2t`, …). */
  readonly baselines: Readonly<Record<string, number>>;
  readonly items: number | undefined;
  readonly peakRssMiB: number | undefined;
}

/** The rows of a report, as `latest.json` holds them. */
export function resultRows(report: BenchReport): ResultRow[] {
  return report.scenarios.flatMap((scenario) =>
    scenario.rows.map((row) => ({
      scenario: scenario.name,
      figure: row.figure,
      engineMs: row.engineMs,
      baselines:
        row.baselines ?? (row.baselineMs === undefined ? {} : { 'hand-loop': row.baselineMs }),
      items: row.items,
      peakRssMiB: row.peakRssMiB ?? scenario.peakRssMiB,
    })),
  );
}

/** Where the full report of a rows file goes. */
export function reportFileOf(rowsFile: string): string {
  return rowsFile.replace(/(\.json)?$/, '.report.json');
}

export interface BenchReport {
  readonly timestamp: string;
  readonly commit: string | undefined;
  readonly tiny: boolean;
  readonly repetitions: number;
  readonly machine: MachineInfo;
  readonly scenarios: readonly ScenarioResult[];
}

interface Options {
  readonly names: readonly string[];
  readonly repetitions: number;
  readonly tiny: boolean;
  readonly out: string | undefined;
  readonly startServer: boolean;
  /** --server: the test servers to run the database scenarios against (empty: the default one). */
  readonly servers: readonly TestServerKind[];
  readonly list: boolean;
  readonly dir: string;
}

/** What a scenario process sends back. */
type ChildMessage =
  | {
      readonly ok: true;
      readonly name: string;
      readonly description: string;
      readonly rows: BenchRow[];
      readonly peakRssMiB: number;
    }
  | {
      readonly ok: false;
      readonly name?: string;
      readonly description?: string;
      readonly error: string;
      readonly peakRssMiB: number;
    };

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Options {
  const names: string[] = [];
  let repetitions = 5;
  let tiny = false;
  let out: string | undefined;
  let startServer = true;
  let servers: TestServerKind[] = [];
  let list = false;
  let dir = SCENARIO_DIR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--repetitions' || arg === '-n') {
      const raw = value();
      repetitions = Number(raw);
      if (!Number.isInteger(repetitions) || repetitions < 1) {
        throw new UsageError(`--repetitions ${raw}: expected a whole number of at least 1`);
      }
    } else if (arg === '--tiny') tiny = true;
    else if (arg === '--out') out = value();
    else if (arg === '--no-server') startServer = false;
    else if (arg === '--server') {
      const raw = value();
      servers = raw.split(',').map((kind) => {
        if (!(TEST_SERVER_KINDS as readonly string[]).includes(kind))
          throw new UsageError(
            `--server ${raw}: "${kind}" is none of ${TEST_SERVER_KINDS.join(', ')}`,
          );
        return kind as TestServerKind;
      });
    } else if (arg === '--list') list = true;
    else if (arg === '--dir') dir = path.resolve(value());
    else if (arg === '--help' || arg === '-h') throw new UsageError('');
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else names.push(arg);
  }
  return { names, repetitions: tiny ? 1 : repetitions, tiny, out, startServer, servers, list, dir };
}

/** The scenario files, sorted by name. */
export async function scenarioFiles(dir = SCENARIO_DIR): Promise<string[]> {
  const entries = await readdir(dir);
  return entries
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Imports a scenario file and checks that its default export is a BenchScenario. */
export async function loadScenario(file: string): Promise<BenchScenario> {
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  const scenario = module.default;
  if (
    typeof scenario !== 'object' ||
    scenario === null ||
    typeof (scenario as BenchScenario).name !== 'string' ||
    typeof (scenario as BenchScenario).run !== 'function'
  ) {
    throw new Error(
      `${path.relative(ROOT, file)}: the default export must be a BenchScenario ({ name, description, run })`,
    );
  }
  return scenario as BenchScenario;
}

/** Adds ratio and throughput to a scenario's rows. */
export function reportRows(rows: readonly BenchRow[]): ReportedRow[] {
  return rows.map((row) => ({
    ...row,
    ratio:
      row.baselineMs !== undefined && row.baselineMs > 0
        ? row.engineMs / row.baselineMs
        : undefined,
    itemsPerSecond:
      row.items !== undefined && row.engineMs > 0 ? row.items / (row.engineMs / 1000) : undefined,
  }));
}

// --- child: run one scenario file and send the rows back

async function runChild(file: string, context: BenchContext): Promise<void> {
  let scenario: BenchScenario | undefined;
  let message: ChildMessage;
  try {
    scenario = await loadScenario(file);
    const rows = await scenario.run(context);
    message = {
      ok: true,
      name: scenario.name,
      description: scenario.description,
      rows,
      peakRssMiB: peakRssMiB(),
    };
  } catch (error) {
    message = {
      ok: false,
      name: scenario?.name,
      description: scenario?.description,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      peakRssMiB: peakRssMiB(),
    };
  }
  await new Promise<void>((resolve, reject) =>
    process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}

async function runInChild(file: string, context: BenchContext): Promise<ScenarioResult> {
  const started = performance.now();
  const base = path.basename(file, '.ts');
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, file, JSON.stringify(context)], {
    execArgv: ['--import', import.meta.resolve('tsx'), '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let message: ChildMessage | undefined;
  child.on('message', (m) => (message = m as ChildMessage));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolve(signal ? null : exitCode));
  });
  const durationMs = performance.now() - started;
  if (message?.ok) {
    return {
      name: message.name,
      file: path.relative(ROOT, file),
      description: message.description,
      status: 'ok',
      durationMs,
      peakRssMiB: message.peakRssMiB,
      rows: reportRows(message.rows),
    };
  }
  return {
    name: message?.name ?? base,
    file: path.relative(ROOT, file),
    description: message?.description ?? '',
    status: 'failed',
    error:
      message?.error ??
      `the scenario process exited with ${code === null ? 'a signal' : `code ${code}`} and sent no result`,
    durationMs,
    peakRssMiB: message?.peakRssMiB,
    rows: [],
  };
}

// --- parent

async function main(argv: readonly string[]): Promise<number> {
  const childAt = argv.indexOf(CHILD_FLAG);
  if (childAt >= 0) {
    await runChild(argv[childAt + 1]!, JSON.parse(argv[childAt + 2]!) as BenchContext);
    // The result is sent: exit even if the scenario left a handle open (a client, a timer).
    process.exit(0);
  }

  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) process.stderr.write(`${error.message}\n\n`);
    process.stderr.write(`${USAGE}\n`);
    return error.message ? 2 : 0;
  }

  const files = await scenarioFiles(options.dir);
  if (options.list) {
    for (const file of files) {
      const scenario = await loadScenario(file);
      process.stdout.write(`${scenario.name.padEnd(24)} ${scenario.description}\n`);
    }
    return 0;
  }
  const chosen = await chooseFiles(files, options.names);
  if (typeof chosen === 'string') {
    process.stderr.write(`${chosen}\n`);
    return 2;
  }

  const servers = await mongoServers(chosen, options.startServer, options.servers);
  const context: BenchContext = {
    tiny: options.tiny,
    repetitions: options.repetitions,
    mongoUri: servers[0]?.uri,
  };
  const described = servers.flatMap((server) => (server.description ? [server.description] : []));
  const machine: MachineInfo = {
    ...machineInfo(),
    ...(described.length > 0 ? { mongoServer: described.join(' and ') } : {}),
  };
  process.stdout.write(`${formatMachine(machine)}\n`);
  for (const server of servers) if (server.note) process.stdout.write(`${server.note}\n`);

  const results: ScenarioResult[] = [];
  try {
    for (const file of chosen) {
      // A scenario that needs a server runs once against each, the others once.
      const runs = (await needsServer(file)) && servers.length > 1 ? servers : [undefined];
      for (const server of runs) {
        const result = await runInChild(
          file,
          server ? { ...context, mongoUri: server.uri } : context,
        );
        const labelled = server?.description ? { ...result, server: server.description } : result;
        results.push(labelled);
        process.stdout.write(`\n${formatScenario(labelled)}\n`);
      }
    }
  } finally {
    for (const server of servers) await server.stop();
  }

  const report: BenchReport = {
    timestamp: new Date().toISOString(),
    commit: await gitCommit(),
    tiny: options.tiny,
    repetitions: options.repetitions,
    machine,
    scenarios: results,
  };
  const out = path.resolve(
    options.out ?? path.join(RESULTS_DIR, options.tiny ? 'tiny.json' : 'latest.json'),
  );
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(resultRows(report), null, 2)}\n`);
  await writeFile(reportFileOf(out), `${JSON.stringify(report, null, 2)}\n`);
  const failed = results.filter((r) => r.status === 'failed');
  process.stdout.write(
    `\n${results.length - failed.length} scenarios ok, ${failed.length} failed; results in ${path.relative(process.cwd(), out)}\n`,
  );
  return failed.length > 0 ? 1 : 0;
}

/** The files matching the requested names (scenario name or file name), or an error message. */
async function chooseFiles(
  files: readonly string[],
  names: readonly string[],
): Promise<string[] | string> {
  if (names.length === 0) return [...files];
  const bases = files.map((f) => path.basename(f, '.ts'));
  // A scenario's `name` may differ from its file name: import the files only in that case.
  const scenarioNames = names.every((n) => bases.includes(n))
    ? bases
    : await Promise.all(files.map(async (f) => (await loadScenario(f)).name));
  const unknown = names.filter((n) => !bases.includes(n) && !scenarioNames.includes(n));
  if (unknown.length > 0)
    return `unknown scenario ${unknown.join(', ')}: choose from ${bases.join(', ')}`;
  return files.filter((_, i) => names.includes(bases[i]!) || names.includes(scenarioNames[i]!));
}

interface ServerHandle {
  readonly uri: string | undefined;
  readonly description: string | undefined;
  readonly note: string | undefined;
  stop(): Promise<void>;
}

/** Whether a scenario needs a MongoDB server (it reads `mongoUri`, or opens a bench database). */
async function needsServer(file: string): Promise<boolean> {
  return /mongoUri|withBenchDatabase/.test(await readFile(file, 'utf8'));
}

/**
 * When a chosen scenario needs a server: each of `kinds` (--server), started for the run; without
 * kinds, MONGODB_URI when set, otherwise the test server (test/integration/setup/mongo-server.ts:
 * the one HYPERSTREAM_TEST_SERVER names, else the first available).
 */
async function mongoServers(
  files: readonly string[],
  allowStart: boolean,
  kinds: readonly TestServerKind[],
): Promise<ServerHandle[]> {
  const none = (note?: string): ServerHandle[] => [
    { uri: undefined, description: undefined, note, stop: () => Promise.resolve() },
  ];
  if (!(await Promise.all(files.map(needsServer))).some(Boolean)) return none();
  if (kinds.length === 0 && !process.env.MONGODB_URI && !allowStart)
    return none('no MongoDB server: MONGODB_URI is unset and --no-server was given');
  const { startTestServer } = await import('../test/integration/setup/mongo-server.js');
  const handles: ServerHandle[] = [];
  try {
    for (const kind of kinds.length > 0 ? kinds : [undefined]) {
      const server = await startTestServer(kind);
      handles.push({
        uri: server.uri,
        description: server.description,
        note: undefined,
        stop: () => server.stop(),
      });
    }
  } catch (error) {
    for (const handle of handles) await handle.stop();
    const reason = error instanceof Error ? error.message : String(error);
    // Servers asked for by name must be had; the default one may be missing.
    if (kinds.length > 0) throw error;
    return none(`no MongoDB server, the database figures are left out: ${reason}`);
  }
  return handles;
}

function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

async function gitCommit(): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT });
    const { stdout: status } = await execFileAsync('git', ['status', '--porcelain'], { cwd: ROOT });
    return `${stdout.trim()}${status.trim() ? '-dirty' : ''}`;
  } catch {
    return undefined;
  }
}

// --- formatting

export function formatMachine(machine: MachineInfo): string {
  const server = machine.mongoServer ? `; server ${machine.mongoServer}` : '';
  return `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; ${machine.os}; load average ${machine.loadAverage}${server}`;
}

export function formatScenario(result: ScenarioResult): string {
  const server = result.server ? ` [${result.server}]` : '';
  const title = `## ${result.name}${server}${result.description ? ` — ${result.description}` : ''}`;
  if (result.status === 'failed')
    return `${title}\nFAILED after ${formatMs(result.durationMs)}: ${result.error ?? ''}`;
  if (result.rows.some((row) => row.baselines !== undefined)) return formatBaselines(result, title);
  const header = ['figure', 'engine ms', 'baseline ms', 'ratio', 'items/s', 'peak RSS MiB', 'note'];
  const rss = result.peakRssMiB === undefined ? '' : result.peakRssMiB.toFixed(0);
  const lines = result.rows.map((row) => [
    row.figure,
    formatMs(row.engineMs),
    row.baselineMs === undefined ? '—' : formatMs(row.baselineMs),
    row.ratio === undefined ? '—' : formatRatio(row.ratio),
    row.itemsPerSecond === undefined ? '—' : formatRate(row.itemsPerSecond),
    rss,
    row.note ?? '',
  ]);
  return `${title}\n${table(header, lines)}\n(${result.rows.length} figures in ${formatMs(result.durationMs)} ms; ratio = engine / baseline, below 1 the engine is faster; peak RSS of the scenario's process)`;
}

/** A table with one column per baseline: `ms (engine / baseline ×)`. */
function formatBaselines(result: ScenarioResult, title: string): string {
  const names = [...new Set(result.rows.flatMap((row) => Object.keys(row.baselines ?? {})))];
  const header = [
    'figure',
    'engine ms',
    ...names.map((n) => `${n} ms (ratio)`),
    'items/s',
    'peak RSS MiB',
    'note',
  ];
  const lines = result.rows.map((row) => [
    row.figure,
    formatMs(row.engineMs),
    ...names.map((name) => {
      const ms = row.baselines?.[name];
      return ms === undefined ? '—' : `${formatMs(ms)} (${formatRatio(row.engineMs / ms)})`;
    }),
    row.itemsPerSecond === undefined ? '—' : formatRate(row.itemsPerSecond),
    (row.peakRssMiB ?? result.peakRssMiB)?.toFixed(0) ?? '',
    row.note ?? '',
  ]);
  const numeric = [false, true, ...names.map(() => true), true, true, false];
  return `${title}\n${table(header, lines, numeric)}\n(${result.rows.length} figures in ${formatMs(result.durationMs)} ms; ratio = engine / baseline, below 1 the engine is faster; all measured interleaved in one process)`;
}

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly boolean[] = [false, true, true, true, true, true, false],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Milliseconds with three significant figures (at least one decimal below 100). */
export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toPrecision(2);
}

/** Two decimals, or two significant figures below 0.1 (so 0.0086× does not print as 0.01×). */
export function formatRatio(ratio: number): string {
  return `${ratio >= 0.1 || ratio === 0 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`;
}

/** A rate with a k/M/G suffix. */
export function formatRate(perSecond: number): string {
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, suffix] of units)
    if (perSecond >= scale) return `${(perSecond / scale).toFixed(1)} ${suffix}`;
  return perSecond.toFixed(1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
