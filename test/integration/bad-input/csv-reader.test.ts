// Bad input to the csv_reader tool: random files give rows, or a ToolExecutionError naming the
// file, and the line and column of the cell that is wrong.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ToolExecutionError } from '../../../src/errors.js';
import type { StreamInstance } from '../../../src/streams/stream-instance.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { MAX_DATE, MIN_DATE } from '../../../src/time/timestamp.js';
import type { ToolInstance } from '../../../src/tools/tool.js';
import csvReader from '../../../tools/csv_reader/2026-11-22_v1.0.0.js';
import { SINK, runTool } from '../../helpers/tool-harness.js';
import { RUNS, outcomeAsync } from '../../unit/bad-input/typed-error.js';

const ALL = new TimeInterval(MIN_DATE, MAX_DATE);
// Each case writes and reads a file (about a millisecond). The 10,000-case bar is met by the unit
// properties of the same CSV code (test/unit/bad-input/csv.property.test.ts); these add the file.
const FILE_RUNS = RUNS / 4;
const tmp = mkdtempSync(join(tmpdir(), 'hs-bad-csv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let files = 0;
function write(text: string): string {
  const path = join(tmp, `f${++files % 8}.csv`);
  writeFileSync(path, text);
  return path;
}

async function read(params: Record<string, unknown>): Promise<StreamInstance[]> {
  const tool = csvReader.create(params as never) as ToolInstance<'tool'>;
  return await runTool(tool, { sources: [], alignment: undefined, sink: SINK, interval: ALL });
}

const dates = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) });
/** Cells: mostly well-formed times and numbers, sometimes text, quotes, blanks and stray separators. */
const cellText = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -1000, max: 1000 }).map(String) },
  { weight: 2, arbitrary: dates.map((t) => new Date(t).toISOString()) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'x',
      '"q"',
      '"a,b"',
      '1e5',
      '-.5',
      'NaN',
      '2016-13-01',
      ';',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 5 }) },
);

describe('csv_reader on random files (bad input)', { timeout: 120_000 }, () => {
  it('gives rows, or ToolExecutionError naming the file and the line and column of a bad cell', async () => {
    const content = fc.array(fc.array(cellText, { minLength: 1, maxLength: 4 }), { maxLength: 6 });
    const options = fc.record(
      {
        header: fc.boolean(),
        delimiter: fc.constantFrom(',', ';'),
        dateParser: fc.constantFrom('iso', 'epochMs', 'yyyyMmm'),
        dateColumn: fc.constantFrom(0, 1, 'a', 'time'),
      },
      { requiredKeys: [], noNullPrototype: true },
    );
    let cellErrors = 0;
    await fc.assert(
      fc.asyncProperty(content, options, fc.constantFrom('\n', '\r\n'), async (rows, opts, eol) => {
        const lines = rows.map((row) => row.join(opts.delimiter ?? ','));
        const path = write(lines.join(eol));
        const result = await outcomeAsync(
          async () => await read({ path, ...opts }),
          [ToolExecutionError],
          path,
        );
        if (result.ok) {
          const times = result.value.map((i) => i.timestamp);
          expect(times).toEqual([...new Set(times)].sort((a, b) => a - b));
          return;
        }
        const { details, message } = result.error;
        expect(details.tool).toBe('csv_reader');
        expect(details.file).toBe(path);
        // A message about a cell quotes it and names its line (1-based) and column.
        const cell =
          /^tool "csv_reader": (?:cannot read the time )?"(.*)" in .* line (\d+), column /.exec(
            message,
          );
        if (cell) {
          cellErrors++;
          expect(details.line).toBe(Number(cell[2]));
          expect(lines[Number(cell[2]) - 1]).toContain(cell[1]!.trim());
          expect(details.column).toBeDefined();
        }
      }),
      { numRuns: FILE_RUNS },
    );
    // The line-and-column check above must have run, not only the other branches.
    expect(cellErrors).toBeGreaterThan(FILE_RUNS / 10);
  });

  it('reads a well-formed file in any row order back as its rows in time order', async () => {
    const table = fc.uniqueArray(
      fc.tuple(
        dates,
        fc.integer({ min: -1000, max: 1000 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x + 0),
      ),
      { selector: (row) => row[0], maxLength: 8 },
    );
    await fc.assert(
      fc.asyncProperty(
        table,
        fc.constantFrom(',', ';', '\t'),
        fc.boolean(),
        async (rows, sep, quote) => {
          const q = (text: string): string => (quote ? `"${text}"` : text);
          const text = [
            ['time', 'count', 'level'].map(q).join(sep),
            ...rows.map(([t, n, x]) =>
              [new Date(t).toISOString(), String(n), String(x)].map(q).join(sep),
            ),
          ].join('\n');
          const out = await read({ path: write(text), delimiter: sep });
          const expected = [...rows]
            .sort((a, b) => a[0] - b[0])
            .map(([t, n, x]) => ({ timestamp: t, value: { count: n, level: x } }));
          expect(out).toEqual(expected);
        },
      ),
      // A check of correct input, not of bad input: fewer cases keep the file quick.
      { numRuns: FILE_RUNS / 5 },
    );
  });
});
