// The independent readers of the export tests: DuckDB (npm @duckdb/node-api) for CSV, JSON lines
// and Parquet, and for Arrow IPC files DuckDB's Python package over pyarrow (DuckDB's own Arrow
// IPC reader is a community extension downloaded at run time, which cannot be had here). The
// Python packages are installed once into a virtual environment under .cache/python-duckdb/.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const HERE = join(ROOT, 'test/helpers/python-duckdb');
const VENV = join(ROOT, '.cache', 'python-duckdb');
const PYTHON = join(VENV, 'bin', 'python');

/** Rows as DuckDB gives them: column names and types, values in JavaScript form. */
export interface DuckRows {
  readonly columns: readonly (readonly [name: string, type: string])[];
  readonly rows: readonly (readonly unknown[])[];
}

/** Runs one query in a fresh in-memory DuckDB (numbers as numbers, BIGINT as bigint). */
export async function duckQuery(sql: string): Promise<DuckRows> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return {
      columns: reader.columnNames().map((name, i) => [name, reader.columnTypes()[i]!.toString()]),
      rows: reader.getRowsJS(),
    };
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

/** The Python environment with pyarrow and duckdb (made on first use, about a minute). */
async function python(): Promise<string> {
  const requirements = await readFile(join(HERE, 'requirements.txt'), 'utf8');
  const stamp = join(VENV, 'requirements.txt');
  if (existsSync(PYTHON) && existsSync(stamp) && (await readFile(stamp, 'utf8')) === requirements) {
    return PYTHON;
  }
  await mkdir(VENV, { recursive: true });
  await run('python3', ['-m', 'venv', VENV]);
  await run(PYTHON, ['-m', 'pip', 'install', '--quiet', '-r', join(HERE, 'requirements.txt')], {
    timeout: 600_000,
  });
  await writeFile(stamp, requirements);
  return PYTHON;
}

/**
 * An Arrow IPC file read by pyarrow and queried by DuckDB: `timestamp` as epoch ms (a number), the
 * other columns as DuckDB returns them, ordered by timestamp.
 */
export async function duckQueryArrowFile(file: string): Promise<DuckRows> {
  const { stdout } = await run(await python(), [join(HERE, 'query_arrow.py'), file], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const parsed = JSON.parse(stdout) as { columns: [string, string][]; rows: unknown[][] };
  return {
    columns: parsed.columns,
    rows: parsed.rows.map((row) => row.map(fromPython)),
  };
}

function fromPython(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'float' in value) {
    const text = (value as { float: string }).float;
    if (text === 'nan') return NaN;
    if (text === 'inf') return Infinity;
    if (text === '-inf') return -Infinity;
    return Number(text);
  }
  return value;
}
