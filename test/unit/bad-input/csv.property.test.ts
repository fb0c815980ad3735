// Bad input to the CSV readers: line splitting, whole-text parsing and the date parsers of the
// CSV importer tools.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/channels/file-channel.js';
import { InvalidCsvError, InvalidTimestampError } from '../../../src/errors.js';
import { MAX_DATE, MIN_DATE } from '../../../src/time/timestamp.js';
import type { DateParserName } from '../../../src/tools/csv.js';
import { DATE_PARSERS } from '../../../src/tools/csv.js';
import { RUNS, inRangeTimestamp, nearValid, outcome } from './typed-error.js';

const CSV_FRAGMENTS = ['"', '""', ',', ';', '\t', '\n', '\r\n', '\r', ' ', 'a', '1', '\ufeff'];
const csvText = nearValid(fc.string({ maxLength: 30 }), CSV_FRAGMENTS);
const delimiter = fc.constantFrom(',', ';', '\t', '|', ' ', 'x');
/** Cells of any text, separators, quotes and line breaks included. */
const cell = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...CSV_FRAGMENTS));

function quoted(field: string): string {
  return `"${field.replace(/"/g, '""')}"`;
}

describe('CSV text (bad input)', () => {
  it('parseCsv: one line of quoted fields (separators and quotes inside) splits back exactly', () => {
    const lineCell = cell.filter((c) => !/[\r\n]/.test(c));
    fc.assert(
      fc.property(fc.array(lineCell, { minLength: 1, maxLength: 6 }), delimiter, (fields, sep) => {
        expect(parseCsv(fields.map(quoted).join(sep), sep)).toEqual([fields]);
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  it('parseCsv: any text gives rows of string cells, or InvalidCsvError naming line and column', () => {
    fc.assert(
      fc.property(csvText, delimiter, (text, sep) => {
        const result = outcome(() => parseCsv(text, sep), [InvalidCsvError]);
        if (result.ok) {
          expect(
            result.value.every((row) => row.length >= 1 && row.every((c) => typeof c === 'string')),
          ).toBe(true);
        } else {
          expect(result.error.message).toMatch(/at line \d+, column \d+/);
        }
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  it('parseCsv: rows of quoted cells (line breaks inside) parse back exactly, whatever the line ends', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        delimiter,
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        (rows, sep, eol, trailing) => {
          const text =
            rows.map((row) => row.map(quoted).join(sep)).join(eol) + (trailing ? eol : '');
          expect(parseCsv(text, sep)).toEqual(rows);
        },
      ),
      { numRuns: RUNS },
    );
  }, 60_000);
});

describe('CSV date parsers (bad input)', () => {
  const names = Object.keys(DATE_PARSERS) as DateParserName[];
  const dateText = nearValid(
    fc.oneof(
      inRangeTimestamp.map((t) => new Date(t).toISOString()),
      inRangeTimestamp.map(String),
      fc
        .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }))
        .map(([y, m]) => `${String(y).padStart(4, '0')}M${String(m).padStart(2, '0')}`),
    ),
    ['M', 'e', 'E', '+', '-', '.', '1', '0', '9999', '1e400', 'Infinity', 'NaN', ' ', 'Z', 'T'],
  );

  it('every date parser gives whole epoch ms in range or InvalidTimestampError quoting the text', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), dateText, (name, text) => {
        const result = outcome(() => DATE_PARSERS[name](text), [InvalidTimestampError], text);
        if (result.ok) {
          expect(Number.isInteger(result.value)).toBe(true);
          expect(result.value >= MIN_DATE && result.value <= MAX_DATE).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('yyyyMmm reads every month of years 0001 … 9999 as the first of that month, UTC', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), (y, m) => {
        const text = `${String(y).padStart(4, '0')}M${String(m).padStart(2, '0')}`;
        const date = new Date(DATE_PARSERS.yyyyMmm(text));
        expect([date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()]).toEqual([
          y,
          m,
          1,
        ]);
      }),
      { numRuns: RUNS },
    );
  });

  it('epochMs and epochS read back whole milliseconds and seconds', () => {
    fc.assert(
      fc.property(inRangeTimestamp, (t) => {
        expect(DATE_PARSERS.epochMs(String(t))).toBe(t);
        const seconds = Math.trunc(t / 1000) || 0; // not -0
        expect(DATE_PARSERS.epochS(String(seconds))).toBe(seconds * 1000);
      }),
      { numRuns: RUNS },
    );
  });
});

// Counterexamples the properties above found, kept as plain examples.
describe('regressions found by the bad-input properties', () => {
  it('a last row of one empty quoted cell is a row', () => {
    expect(parseCsv('""', ',')).toEqual([['']]);
    expect(parseCsv('a\n""', ',')).toEqual([['a'], ['']]);
  });

  it('the date parsers throw InvalidTimestampError, not a plain Error', () => {
    expect(() => DATE_PARSERS.epochS('')).toThrow(InvalidTimestampError);
    expect(() => DATE_PARSERS.yyyyMmm('2000M13')).toThrow(InvalidTimestampError);
  });

  it('yyyyMmm reads years before 100 as themselves, not as 19xx', () => {
    expect(new Date(DATE_PARSERS.yyyyMmm('0050M03')).toISOString()).toBe(
      '0050-03-01T00:00:00.000Z',
    );
    expect(() => DATE_PARSERS.yyyyMmm('0000M01')).toThrow(InvalidTimestampError);
  });

  it('a cell of 200,000 digits is read in linear time (the number pattern used to backtrack)', () => {
    const started = performance.now();
    expect(() => DATE_PARSERS.epochMs(`${'1'.repeat(200_000)}x`)).toThrow(InvalidTimestampError);
    // Quadratic backtracking took over a minute here; linear matching takes about a millisecond.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
