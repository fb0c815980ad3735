// Keeps the benchmarks working: every scenario that needs no MongoDB server runs once on a tiny
// input (no timing assertions; the others are in bench-smoke.mongo.test.ts), and the runner is run
// end to end on one scenario and on a scenario that throws.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport, ResultRow } from '../../../bench/index.js';
import { reportFileOf, scenarioFiles } from '../../../bench/index.js';
import { loadFlights } from '../../../bench/data/flights.js';
import { itRunsEachScenario, usesServer } from './scenario-smoke.js';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const files = await scenarioFiles();

describe('every bench scenario on a tiny input', () => {
  it('finds the scenarios', () => {
    expect(files.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining([
        'interval-algebra.ts',
        'memory-channel.ts',
        'flights-ingest.ts',
        'flights-window-reads.ts',
        'flights-windowed.ts',
        'flights-columnar.ts',
        'flights-plates.ts',
        'flights-on-request.ts',
        'flights-database.ts',
        'flights-python-hyperstream.ts',
        'mongo.ts',
        'queue.ts',
        'sliding-window.ts',
        'sqlite.ts',
        'workflow.ts',
      ]),
    );
  });

  itRunsEachScenario(
    files.filter((file) => !usesServer(file)),
    undefined,
  );
});

describe('the flights sample', () => {
  it('holds real flights with unique, increasing timestamps inside their minute', async () => {
    const { flights, source } = await loadFlights({ sample: 5_000 });
    expect(source).toBe('sample');
    expect(flights.count).toBe(5_000);
    const jan1 = Date.UTC(2001, 0, 1);
    const jul1 = Date.UTC(2001, 6, 1);
    for (let i = 0; i < flights.count; i++) {
      const t = flights.timestamps[i]!;
      expect(t > jan1 && t <= jul1).toBe(true);
      if (i > 0) expect(t).toBeGreaterThan(flights.timestamps[i - 1]!);
      // Within (minute − 1 min, minute]: the scheduled minute is the next whole minute at or after t.
      expect(Math.ceil(t / 60_000) * 60_000 - t).toBeLessThan(60_000);
      expect(flights.airports[flights.origin[i]!]).toMatch(/^[A-Z0-9]{3}$/);
    }
  });
});

describe('the bench runner', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hs-bench-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const runner = async (
    args: string[],
  ): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await execFileAsync(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'bench/index.ts'), ...args],
        { cwd: ROOT, env: { ...process.env, MONGODB_URI: '' } },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('runs a chosen scenario, prints its table and writes the JSON report', async () => {
    const out = path.join(dir, 'report.json');
    const { code, stdout } = await runner(['interval-algebra', '--tiny', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^machine: .+ cores/m);
    expect(stdout).toContain('## interval-algebra');
    expect(stdout).toMatch(/\| union 1k with 1k +\| +[\d.]+ \| +[\d.]+ \| +[\d.]+× \|/);
    // The rows file: one row per figure, baselines by name, peak RSS.
    const rows = JSON.parse(await readFile(out, 'utf8')) as ResultRow[];
    const unionRow = rows.find((r) => r.figure.startsWith('union'));
    expect(unionRow?.scenario).toBe('interval-algebra');
    expect(unionRow?.engineMs).toBeGreaterThanOrEqual(0);
    expect(Object.keys(unionRow?.baselines ?? {})).toEqual(['hand-loop']);
    expect(unionRow?.peakRssMiB).toBeGreaterThan(0);
    const report = JSON.parse(await readFile(reportFileOf(out), 'utf8')) as BenchReport;
    expect(report.tiny).toBe(true);
    expect(report.scenarios.map((s) => s.name)).toEqual(['interval-algebra']);
    const [result] = report.scenarios;
    expect(result?.status).toBe('ok');
    expect(result?.peakRssMiB).toBeGreaterThan(0);
    const union = result?.rows.find((r) => r.figure.startsWith('union'));
    expect(union?.ratio).toBeCloseTo(union!.engineMs / union!.baselineMs!, 9);
  }, 60_000);

  it('reports a failing scenario, runs the others and exits 1', async () => {
    const scenarios = path.join(dir, 'scenarios');
    await execFileAsync('mkdir', ['-p', scenarios]);
    await writeFile(
      path.join(scenarios, 'a-throws.ts'),
      `export default { name: 'throws', description: 'fails', run: () => Promise.reject(new Error('broken on purpose')) };\n`,
    );
    await writeFile(
      path.join(scenarios, 'b-works.ts'),
      `export default { name: 'works', description: 'one row', run: () => Promise.resolve([{ figure: 'x', engineMs: 2, baselineMs: 4, items: 10 }]) };\n`,
    );
    const out = path.join(dir, 'failing.json');
    const { code, stdout } = await runner(['--dir', scenarios, '--out', out]);
    expect(code).toBe(1);
    expect(stdout).toContain('FAILED');
    expect(stdout).toContain('broken on purpose');
    expect(stdout).toMatch(/\| x +\| +2\.00 \| +4\.00 \| +0\.50× \| +5\.0 k \|/);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual([
      expect.objectContaining({
        scenario: 'works',
        figure: 'x',
        engineMs: 2,
        baselines: { 'hand-loop': 4 },
        items: 10,
      }),
    ]);
    const report = JSON.parse(await readFile(reportFileOf(out), 'utf8')) as BenchReport;
    expect(report.scenarios.map((s) => [s.name, s.status])).toEqual([
      ['throws', 'failed'],
      ['works', 'ok'],
    ]);
  }, 60_000);

  it('rejects an unknown scenario name with the list of known ones', async () => {
    const { code, stderr } = await runner([
      'no-such-scenario',
      '--tiny',
      '--out',
      path.join(dir, 'x.json'),
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown scenario no-such-scenario: choose from');
    expect(stderr).toContain('interval-algebra');
  }, 60_000);
});
