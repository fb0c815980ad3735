// Reading time-stamped CSV files for the importer tools (csv_reader, csv_multi_reader).
import { z } from 'zod';
import { InvalidCsvError, InvalidTimestampError, ToolExecutionError } from '../errors.js';
import { readCsvRecords } from '../internal/csv.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import type { TimeInterval } from '../time/time-interval.js';
import { checkTimestamp, formatTimestamp, toTimestamp } from '../time/timestamp.js';

/** How the date column is read. */
export const DATE_PARSERS = {
  /** ISO 8601 date or date-time; without an offset it is UTC. */
  iso: (text: string): number => toTimestamp(text),
  /** `2000M01`: year, `M`, two-digit month (Statistics NZ / TSDL style); the first of that month, UTC. */
  yyyyMmm: (text: string): number => {
    const match = /^(\d{4})M(\d{2})$/.exec(text);
    const month = match ? Number(match[2]) : 0;
    if (!match || month < 1 || month > 12) {
      throw new InvalidTimestampError(`"${text}" is not a month such as 2000M01`, { input: text });
    }
    // Date.UTC would read years 0 … 99 as 1900 … 1999.
    const date = new Date(0);
    date.setUTCFullYear(Number(match[1]), month - 1, 1);
    return checkTimestamp(date.getTime(), text);
  },
  /** Epoch milliseconds. */
  epochMs: (text: string): number => checkTimestamp(parseNumber(text, 'epoch milliseconds'), text),
  /** Epoch seconds (fractions allowed). */
  epochS: (text: string): number =>
    checkTimestamp(Math.round(parseNumber(text, 'epoch seconds') * 1000), text),
} as const;

/** The name of a date parser: `iso`, `yyyyMmm`, `epochMs` or `epochS`. */
export type DateParserName = keyof typeof DATE_PARSERS;

// `\d+(?:\.\d*)?` rather than `\d+\.?\d*`: the latter backtracks quadratically on long digit runs.
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseNumber(text: string, what: string): number {
  if (!NUMBER.test(text))
    throw new InvalidTimestampError(`"${text}" is not ${what}`, { input: text });
  return Number(text);
}

/** A column given by header name or 0-based index. */
const columnRef = z.union([z.string().min(1), z.number().int().min(0)]);

/** The CSV options both importers share, as zod fields (each with its description). */
export const csvOptionFields = {
  header: z
    .boolean()
    .default(true)
    .describe('whether the first row (after skipRows) names the columns'),
  dateColumn: columnRef
    .default(0)
    .describe(
      'the column holding the time: a header name or a 0-based index (default: the first column)',
    ),
  dateParser: z
    .enum(Object.keys(DATE_PARSERS) as [DateParserName, ...DateParserName[]])
    .default('iso')
    .describe(
      'how to read the time: "iso" (ISO 8601, UTC unless an offset is given), "yyyyMmm" (2000M01 = 1 Jan 2000 UTC), "epochMs" or "epochS"',
    ),
  delimiter: z.string().length(1).default(',').describe('the field separator, one character'),
  skipRows: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('lines to skip at the top of the file, before the header'),
  textColumns: z
    .array(columnRef)
    .default([])
    .describe(
      'columns kept as text (names or 0-based indexes); all others are parsed as numbers, empty cells as null',
    ),
  missingValues: z
    .array(z.string())
    .default([])
    .describe(
      'cell texts that mean "no reading" (e.g. "-" or "NA"), read as null like empty cells',
    ),
};

/** Parsed CSV options (see {@link csvOptionFields}). */
export interface CsvOptions {
  readonly header: boolean;
  readonly dateColumn: string | number;
  readonly dateParser: DateParserName;
  readonly delimiter: string;
  readonly skipRows: number;
  readonly textColumns: readonly (string | number)[];
  readonly missingValues: readonly string[];
}

interface Row {
  readonly timestamp: number;
  readonly line: number;
  readonly fields: readonly string[];
}

/**
 * Reads `path` and returns its rows inside `interval` as instances in time order: a dict
 * `{ column: value }` without the date column when there is a header, else the list of the other
 * columns. The file is streamed through the shared CSV parser (quoted cells may hold separators,
 * quotes and line breaks); only the rows inside the interval are kept (to be sorted when the file
 * is not in time order). Bad quoting, bad dates or numbers (in kept rows), missing files and two
 * rows at one time throw {@link ToolExecutionError} naming the file, line and column.
 */
export async function readCsvInstances(
  tool: string,
  path: string,
  options: CsvOptions,
  interval: TimeInterval,
): Promise<StreamInstance[]> {
  const fail = (message: string, details: Record<string, unknown> = {}, cause?: unknown): never => {
    throw new ToolExecutionError(
      `tool "${tool}": ${message}`,
      { tool, file: path, ...details },
      cause,
    );
  };
  const parseDate = DATE_PARSERS[options.dateParser];
  let names: string[] | undefined;
  let dateIndex = -1;
  let textIndexes = new Set<number>();
  const missing = new Set(options.missingValues.map((text) => text.trim()));
  const rows: Row[] = [];
  let sorted = true;
  try {
    for await (const { cells: fields, line: lineNumber } of readCsvRecords(path, {
      delimiter: options.delimiter,
      fromLine: options.skipRows + 1,
    })) {
      if (dateIndex < 0) {
        if (options.header) names = fields.map((name) => name.trim());
        dateIndex = resolveColumn(options.dateColumn, names, fields.length, path, fail);
        textIndexes = new Set(
          options.textColumns.map((c) => resolveColumn(c, names, fields.length, path, fail)),
        );
        if (options.header) continue;
      }
      const dateText = (fields[dateIndex] ?? '').trim();
      let timestamp: number;
      try {
        timestamp = parseDate(dateText);
      } catch (error) {
        return fail(
          `cannot read the time "${dateText}" in ${path} line ${lineNumber}, column ${columnLabel(dateIndex, names)} ` +
            `with the "${options.dateParser}" date parser: check the file or choose another dateParser`,
          { line: lineNumber, column: columnLabel(dateIndex, names) },
          error,
        );
      }
      if (!interval.contains(timestamp)) continue;
      const previous = rows[rows.length - 1];
      if (previous && timestamp <= previous.timestamp) sorted = false;
      rows.push({ timestamp, line: lineNumber, fields });
    }
  } catch (error) {
    if (error instanceof ToolExecutionError) throw error;
    if (error instanceof InvalidCsvError) {
      fail(`${error.message}`, { line: error.details.line, column: error.details.column }, error);
    }
    fail(
      `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
      {},
      error,
    );
  }
  if (!sorted) rows.sort((a, b) => a.timestamp - b.timestamp);
  const out: StreamInstance[] = [];
  for (const [i, row] of rows.entries()) {
    const before = rows[i - 1];
    if (before && before.timestamp === row.timestamp) {
      fail(
        `${path} lines ${before.line} and ${row.line} have the same time ${formatTimestamp(row.timestamp)}: ` +
          'a stream holds one value per time; remove or merge the duplicate',
        { line: row.line, otherLine: before.line },
      );
    }
    out.push({
      timestamp: row.timestamp,
      value: rowValue(row, dateIndex, textIndexes, missing, names, path, fail),
    });
  }
  return out;
}

type Fail = (message: string, details?: Record<string, unknown>, cause?: unknown) => never;

function resolveColumn(
  column: string | number,
  names: readonly string[] | undefined,
  width: number,
  path: string,
  fail: Fail,
): number {
  if (typeof column === 'number') {
    if (column >= width)
      fail(`column ${column} does not exist in ${path}: it has ${width} columns (0-based indexes)`);
    return column;
  }
  if (!names)
    return fail(
      `column "${column}" is named, but ${path} is read without a header: use a 0-based index`,
    );
  const index = names.indexOf(column);
  if (index < 0)
    return fail(
      `column "${column}" is not in the header of ${path}: columns are ${names.join(', ')}`,
    );
  return index;
}

function columnLabel(index: number, names: readonly string[] | undefined): string {
  return names?.[index] !== undefined ? `"${names[index]}"` : String(index);
}

function rowValue(
  row: Row,
  dateIndex: number,
  textIndexes: ReadonlySet<number>,
  missing: ReadonlySet<string>,
  names: readonly string[] | undefined,
  path: string,
  fail: Fail,
): Record<string, unknown> | unknown[] {
  const width = names?.length ?? row.fields.length;
  const cells: unknown[] = [];
  for (let i = 0; i < width; i++) {
    if (i === dateIndex) continue;
    const raw = row.fields[i];
    if (textIndexes.has(i)) {
      cells.push(raw ?? null);
      continue;
    }
    const text = (raw ?? '').trim();
    if (text === '' || missing.has(text)) {
      cells.push(null);
    } else if (NUMBER.test(text)) {
      cells.push(Number(text));
    } else {
      fail(
        `"${text}" in ${path} line ${row.line}, column ${columnLabel(i, names)} is not a number: ` +
          'fix the cell, list the column in textColumns or the text in missingValues',
        { line: row.line, column: columnLabel(i, names) },
      );
    }
  }
  if (!names) return cells;
  const pairs: [string, unknown][] = [];
  let c = 0;
  for (let i = 0; i < names.length; i++) if (i !== dateIndex) pairs.push([names[i]!, cells[c++]]);
  return Object.fromEntries(pairs);
}
