// The one CSV parser of the package (csv-parse), shared by the file channel's CSV loader and the
// CSV importer tools: RFC 4180 quoting (separators, doubled quotes and line breaks inside quoted
// cells), any mix of \n, \r\n and \r line ends, a UTF-8 byte order mark ignored, spaces before an
// opening quote ignored (`1, "x,y"` is two cells). A quote that is never closed, or a stray quote
// inside a cell, is an InvalidCsvError naming the source, line and column, never silently eaten.
import { createReadStream } from 'node:fs';
import type { Options } from 'csv-parse';
import { CsvError, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { InvalidCsvError } from '../errors.js';

/** Where the text comes from (for messages) and how cells are separated. */
export interface CsvParseOptions {
  /** One character (default `,`). */
  readonly delimiter?: string;
  /** A file name or description for error messages (default `CSV text`). */
  readonly source?: string;
}

/** A record with the (1-based) line it starts on. */
export interface CsvRecord {
  readonly cells: string[];
  readonly line: number;
}

function parserOptions(delimiter: string): Options {
  return {
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    bom: true,
    relax_column_count: true,
    // A quote inside an unquoted cell (5'11") is a character; a cell that opens with one must close it.
    relax_quotes: true,
    // Spaces before an opening quote; not when a space or tab is the delimiter itself.
    ltrim: delimiter !== ' ' && delimiter !== '\t',
    skip_empty_lines: false,
  };
}

/** Splits CSV text into rows of cells (see the module comment); throws {@link InvalidCsvError}. */
export function parseCsv(
  text: string,
  delimiterOrOptions: string | CsvParseOptions = {},
): string[][] {
  const options =
    typeof delimiterOrOptions === 'string' ? { delimiter: delimiterOrOptions } : delimiterOrOptions;
  let lastLine = 0;
  try {
    const rows: unknown = parseSync(text, {
      ...parserOptions(options.delimiter ?? ','),
      on_record: (record: string[]) => {
        lastLine += 1 + record.reduce((n, c) => n + (c.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
        return record;
      },
    });
    return rows as string[][];
  } catch (error) {
    throw csvError(error, options.source ?? 'CSV text', lastLine);
  }
}

/**
 * The records of a CSV file, streamed (the file is never read whole), each with the line it
 * starts on; blank lines are skipped. Throws {@link InvalidCsvError} naming the file, line and
 * column of a quoting mistake; file errors (ENOENT…) are thrown as they are.
 */
export async function* readCsvRecords(
  path: string,
  options: CsvParseOptions & { readonly fromLine?: number } = {},
): AsyncGenerator<CsvRecord> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const parser = parse({
    ...parserOptions(options.delimiter ?? ','),
    from_line: options.fromLine ?? 1,
  });
  stream.on('error', (error) => parser.destroy(error));
  stream.pipe(parser);
  // Lines are counted here: csv-parse counts a quoted \r\n as two lines (and so every line after it).
  let nextLine = options.fromLine ?? 1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const line = nextLine;
      nextLine += 1 + record.reduce((n, cell) => n + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
      if (record.every((cell) => cell.trim() === '')) continue;
      yield { cells: record, line };
    }
  } catch (error) {
    if (error instanceof CsvError) throw csvError(error, path, nextLine - 1);
    throw error;
  } finally {
    stream.destroy();
    parser.destroy();
  }
}

function csvError(error: unknown, source: string, lastGoodLine: number | undefined): unknown {
  if (!(error instanceof CsvError)) return error;
  const e = error as CsvError & { lines?: number; column?: number | string };
  const column = typeof e.column === 'number' ? e.column + 1 : undefined;
  let where: string;
  let reason: string;
  if (e.code === 'CSV_QUOTE_NOT_CLOSED') {
    // csv-parse reports the end of the text; the quote opened in the record after the last good one.
    const from = lastGoodLine === undefined ? undefined : lastGoodLine + 1;
    where = `${from === undefined ? '' : `line ${String(from)}, `}column ${String(column ?? '?')}`;
    reason = `a quoted cell is never closed (the quote runs to the end, line ${String(e.lines ?? '?')}): close it with " or double a quote inside it ("")`;
  } else {
    where = `line ${String(e.lines ?? '?')}, column ${String(column ?? '?')}`;
    reason = `${(e.message ?? e.code).replace(/ at line \d+.*$/s, '').replace(/\s+/g, ' ')}: quote the whole cell and double quotes inside it ("")`;
  }
  return new InvalidCsvError(
    `cannot parse ${source} at ${where}: ${reason}`,
    {
      source,
      line:
        e.code === 'CSV_QUOTE_NOT_CLOSED' && lastGoodLine !== undefined
          ? lastGoodLine + 1
          : e.lines,
      column,
      reason: e.code,
    },
    error,
  );
}
