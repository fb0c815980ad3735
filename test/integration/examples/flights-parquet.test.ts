// examples/flights-parquet.ts exports a workflow's results (daily delay statistics of the flights
// from Chicago O'Hare) to Parquet; DuckDB reads the file and must agree, value for value, with the
// same statistics computed here by a plain loop over the raw flights.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckQuery } from '../../helpers/python-duckdb.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const DAY = 86_400_000;

interface Flight {
  readonly date: string;
  readonly delay: number;
  readonly origin: string;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hs-flights-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** [day end, count, mean, max] of ORD's flights per day (end − 1 day, end], by a plain loop. */
async function expectedDays(): Promise<number[][]> {
  const vega = dirname(createRequire(import.meta.url).resolve('vega-datasets'));
  const flights = JSON.parse(
    await readFile(join(vega, '..', 'data', 'flights-10k.json'), 'utf8'),
  ) as Flight[];
  const days = new Map<number, number[]>();
  for (const flight of flights) {
    if (flight.origin !== 'ORD') continue;
    const minute = Date.parse(`${flight.date.replace(/\//g, '-').replace(' ', 'T')}:00Z`);
    const end = Math.ceil(minute / DAY) * DAY;
    days.set(end, [...(days.get(end) ?? []), flight.delay]);
  }
  return [...days]
    .sort((a, b) => a[0] - b[0])
    .map(([end, delays]) => [
      end,
      delays.length,
      delays.reduce((sum, d) => sum + d, 0) / delays.length,
      Math.max(...delays),
    ]);
}

describe('examples/flights-parquet.ts', () => {
  it('exports daily delay statistics that DuckDB reads back exactly', async () => {
    const out = join(dir, 'ord.parquet');
    const { stdout } = await run(
      join(root, 'node_modules/.bin/tsx'),
      ['examples/flights-parquet.ts', out],
      {
        cwd: root,
        timeout: 120_000,
      },
    );
    expect(stdout).toContain('wrote 10000 flights');
    expect(stdout).toMatch(/exported \d+ days of daily_delays\[origin=ORD\]/);
    const result = await duckQuery(
      `SELECT epoch_ms("timestamp"), "count", mean, "max" FROM read_parquet('${out}') ORDER BY 1`,
    );
    expect(result.columns.map(([name, type]) => `${name} ${type}`)).toEqual([
      'epoch_ms("timestamp") BIGINT',
      'count DOUBLE',
      'mean DOUBLE',
      'max DOUBLE',
    ]);
    const rows = result.rows.map((row) => row.map(Number));
    const expected = await expectedDays();
    expect(expected.length).toBeGreaterThan(30);
    expect(rows.length).toBe(expected.length);
    for (const [i, row] of rows.entries()) {
      const [end, count, mean, max] = expected[i]!;
      expect(row[0]).toBe(end);
      expect(row[1]).toBe(count);
      expect(row[2]).toBeCloseTo(mean!, 12); // the tool sums in another order
      expect(row[3]).toBe(max);
    }
  });
});
