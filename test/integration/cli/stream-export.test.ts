// `hyperstream stream export` and `stream import`, spawned as a user runs them, with every
// exported file read back by an independent reader: DuckDB reads the CSV, JSON lines and Parquet
// files, and (through pyarrow) the Arrow IPC files, and must agree value for value.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckRows } from '../../helpers/python-duckdb.js';
import { duckQuery, duckQueryArrowFile } from '../../helpers/python-duckdb.js';
import type { CliResult } from './run-cli.js';
import { cli, json, makeProject } from './run-cli.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const FROM = '2026-01-01T00:00:00Z';
const MINUTE = 60_000;
const iso = (t: number): string => new Date(t).toISOString();

interface Trip {
  readonly delay: number;
  readonly origin: string;
  readonly cancelled: boolean | null;
  readonly legs: readonly number[];
  readonly note: string;
}

/** 200 trips a minute apart: fractions, extremes, nulls, lists, and text that needs quoting. */
const trips = Array.from({ length: 200 }, (_, i) => ({
  timestamp: T0 + (i + 1) * MINUTE,
  value: {
    delay: i === 10 ? 1e300 : i === 11 ? 5e-324 : i === 12 ? -1.5e-7 : i * 0.37 - 20,
    origin: ['ORD', 'SFO', 'JFK'][i % 3]!,
    cancelled: i % 7 === 0 ? null : i % 2 === 0,
    legs: [i, i + 1],
    note: i % 5 === 0 ? `say "hi", ${String(i)}\nthen go` : `plain ${String(i)}`,
  } satisfies Trip,
}));

/** The trips as [epoch ms, delay, origin, cancelled, legs, note] rows. */
const expectedRows = trips.map(({ timestamp, value }) => [
  timestamp,
  value.delay,
  value.origin,
  value.cancelled,
  value.legs,
  value.note,
]);

/** DuckDB's rows in the same form: BIGINT epochs as numbers, JSON text parsed. */
function normalised(result: DuckRows): unknown[][] {
  return result.rows.map((row) =>
    row.map((cell, i) => {
      if (typeof cell === 'bigint') return Number(cell);
      if (i === 4 && typeof cell === 'string') return JSON.parse(cell) as unknown;
      if (i === 4 && Array.isArray(cell)) return cell.map(Number);
      return cell;
    }),
  );
}

let project: { dir: string; remove(): Promise<void> };
const run = (...args: string[]): Promise<CliResult> => cli(args, { cwd: project.dir });
const file = (name: string): string => join(project.dir, name);
const SELECT = 'epoch_ms("timestamp") AS t, delay, origin, cancelled, legs, note';

beforeAll(async () => {
  project = await makeProject({}, null); // the default SQLite file: commands share their state
  await writeFile(
    file('trips.jsonl'),
    trips.map((t) => JSON.stringify({ timestamp: iso(t.timestamp), value: t.value })).join('\n'),
  );
  const imported = await run(
    'stream',
    'import',
    'trips',
    'trips.jsonl',
    '--calculated',
    `${FROM}/PT4H`,
    '--json',
  );
  expect(imported.code, imported.stderr).toBe(0);
  expect(json(imported)).toMatchObject({
    stream: 'trips',
    documents: 200,
    calculated: [{ start: iso(T0), end: iso(T0 + 4 * 60 * MINUTE) }],
  });
  const exports = await Promise.all(
    ['csv', 'jsonl', 'arrow', 'parquet'].map((format) =>
      run('stream', 'export', 'trips', '--interval', `${FROM}/PT4H`, '--out', `trips.${format}`),
    ),
  );
  for (const result of exports) expect(result.code, result.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await project.remove();
});

describe('stream export: DuckDB reads every format back, value for value', () => {
  it('Parquet: typed columns', async () => {
    const result = await duckQuery(
      `SELECT ${SELECT} FROM read_parquet('${file('trips.parquet')}') ORDER BY 1`,
    );
    expect(result.columns.map(([, type]) => type)).toEqual([
      'BIGINT',
      'DOUBLE',
      'VARCHAR',
      'BOOLEAN',
      'VARCHAR', // a JSON column (logical type JSON): DuckDB reads it as text
      'VARCHAR',
    ]);
    expect(normalised(result)).toEqual(expectedRows);
  });

  it('CSV: ISO timestamps, quoted text, empty cells for nulls', async () => {
    const result = await duckQuery(
      `SELECT ${SELECT} FROM read_csv('${file('trips.csv')}') ORDER BY 1`,
    );
    expect(result.columns.map(([, type]) => type)).toEqual([
      'BIGINT',
      'DOUBLE',
      'VARCHAR',
      'BOOLEAN',
      'VARCHAR',
      'VARCHAR',
    ]);
    expect(normalised(result)).toEqual(expectedRows);
  });

  it('JSON lines: each value whole', async () => {
    const result = await duckQuery(
      `SELECT epoch_ms("timestamp"::TIMESTAMPTZ) AS t, value.delay, value.origin, value.cancelled, value.legs, value.note ` +
        `FROM read_json('${file('trips.jsonl')}', format = 'newline_delimited') ORDER BY 1`,
    );
    expect(normalised(result)).toEqual(expectedRows);
  });

  it('Arrow IPC: read by pyarrow, queried by DuckDB', async () => {
    const result = await duckQueryArrowFile(file('trips.arrow'));
    expect(result.columns).toEqual([
      ['timestamp', 'BIGINT'],
      ['delay', 'DOUBLE'],
      ['origin', 'VARCHAR'],
      ['cancelled', 'BOOLEAN'],
      ['legs', 'VARCHAR'],
      ['note', 'VARCHAR'],
    ]);
    expect(normalised(result)).toEqual(expectedRows);
  }, 300_000);

  it('NaN, infinities and extremes survive Arrow, Parquet and CSV', async () => {
    const values = [Number.NaN, Infinity, -Infinity, 1e300, 5e-324, 0.1, -2.5];
    await writeFile(
      file('specials.csv'),
      `timestamp,value\n${values.map((v, i) => `${String(T0 + i + 1)},${String(v)}`).join('\n')}\n`,
    );
    const imported = await run('stream', 'import', 'specials', 'specials.csv');
    expect(imported.code, imported.stderr).toBe(0);
    const exported = await Promise.all(
      ['csv', 'arrow', 'parquet'].map((format) =>
        run(
          'stream',
          'export',
          'specials',
          '--interval',
          `${FROM}/PT1M`,
          '--out',
          `specials.${format}`,
        ),
      ),
    );
    for (const result of exported) expect(result.code, result.stderr).toBe(0);
    const expected = values.map((v, i) => [T0 + i + 1, v]);
    const parquet = await duckQuery(
      `SELECT epoch_ms("timestamp"), value FROM read_parquet('${file('specials.parquet')}') ORDER BY 1`,
    );
    const csv = await duckQuery(
      `SELECT epoch_ms("timestamp"), value FROM read_csv('${file('specials.csv')}') ORDER BY 1`,
    );
    const arrow = await duckQueryArrowFile(file('specials.arrow'));
    for (const result of [parquet, csv, arrow]) expect(normalised(result)).toEqual(expected);
  }, 300_000);
});

describe('stream export of a workflow node', () => {
  it('computes what is missing first, and shows progress on stderr', async () => {
    const result = await run(
      'stream',
      'export',
      'doubled',
      '--interval',
      `${FROM}/PT1H`,
      '--out',
      'doubled.parquet',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('exported 60 documents of doubled');
    expect(result.stderr).toContain('export doubled: 1 chunks');
    expect(result.stderr).toMatch(/export doubled: chunk 1\/1 rows 1-60 of 60: 60 documents/);
    const rows = await duckQuery(
      `SELECT epoch_ms("timestamp"), value FROM read_parquet('${file('doubled.parquet')}') ORDER BY 1`,
    );
    const ticks = Array.from({ length: 60 }, (_, i) => T0 + (i + 1) * MINUTE);
    expect(normalised(rows)).toEqual(ticks.map((t) => [t, 2 * t]));
  });

  it('refuses an unknown format and a missing --out with exit code 2', async () => {
    const unknown = await run(
      'stream',
      'export',
      'trips',
      '--interval',
      `${FROM}/PT1H`,
      '--out',
      'x.xlsx',
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('give --format csv|jsonl|arrow|parquet');
    const missing = await run('stream', 'export', 'trips', '--interval', `${FROM}/PT1H`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--out');
  });
});

describe('stream import reads what export wrote', () => {
  it.each(['csv', 'jsonl', 'parquet'])('%s gives back the same documents', async (format) => {
    const name = `trips_from_${format}`;
    const imported = await run('stream', 'import', name, `trips.${format}`, '--json');
    expect(imported.code, imported.stderr).toBe(0);
    expect(json(imported)).toMatchObject({ documents: 200, calculated: [] });
    const shown = await run('stream', 'show', name, '--interval', `${FROM}/PT4H`, '--json');
    expect(shown.code, shown.stderr).toBe(0);
    expect(json(shown)).toEqual(
      trips.map((t) => ({ timestamp: iso(t.timestamp), value: t.value })),
    );
  });

  it('a malformed row names the file and line', async () => {
    await writeFile(
      file('bad.jsonl'),
      `${JSON.stringify({ timestamp: iso(T0 + 1), value: 1 })}\n{"value": 2}\n`,
    );
    const result = await run('stream', 'import', 'bad', 'bad.jsonl');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.jsonl line 2: expected {"timestamp": …, "value": …}');
  });
});
