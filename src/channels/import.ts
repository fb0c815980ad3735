// Reads stream instances from a file — CSV, JSON lines or Parquet, as `exportView` writes them —
// lazily, so a large file is never held whole (Parquet one row group at a time). Each format is
// one module of the ImportFormat interface, registered in IMPORT_FORMATS.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InvalidArgumentError } from '../errors.js';
import { readCsvRecords } from '../internal/csv.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import { toTimestamp } from '../time/timestamp.js';

/** The formats `readInstancesFile` reads. */
export type ImportFormatName = 'csv' | 'jsonl' | 'parquet';

interface ImportFormat {
  read(path: string): AsyncIterable<StreamInstance>;
}

/**
 * The instances of a file, lazily, in file order:
 * - `csv`: a header row with a `timestamp` column (ISO 8601 or epoch ms); a single other column
 *   `value` gives the values, other columns give objects `{ column: cell }`. Cells become numbers
 *   (`NaN` and `Infinity` too), `true`/`false`, JSON objects or arrays where they parse as such,
 *   `null` when empty, text otherwise.
 * - `jsonl`: one `{"timestamp": ISO or ms, "value": …}` per line.
 * - `parquet`: a `timestamp` column (a timestamp, epoch ms or ISO text) and `value` or field columns.
 *
 * A malformed row is an `InvalidArgumentError` naming the file and the line (or row).
 */
export function readInstancesFile(
  path: string,
  format: ImportFormatName,
): AsyncIterable<StreamInstance> {
  const reader = IMPORT_FORMATS[format];
  if (reader === undefined) {
    throw new InvalidArgumentError(
      `unknown import format "${String(format)}": expected one of ${Object.keys(IMPORT_FORMATS).join(', ')}`,
    );
  }
  return reader.read(path);
}

function timestampOf(value: unknown, where: string): number {
  try {
    if (typeof value === 'bigint') return Number(value);
    if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
    return toTimestamp(value as never);
  } catch (error) {
    throw new InvalidArgumentError(
      `${where}: the timestamp ${JSON.stringify(String(value))} is not an ISO 8601 time or epoch milliseconds` +
        (error instanceof Error ? ` (${error.message})` : ''),
    );
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|NaN|Infinity)$/i;

/** A CSV cell as a value (see {@link readInstancesFile}). */
function cellValue(text: string): unknown {
  if (text === '') return null;
  if (NUMBER.test(text)) {
    const lower = text.toLowerCase();
    if (lower.endsWith('nan')) return NaN;
    if (lower.endsWith('infinity')) return text.startsWith('-') ? -Infinity : Infinity;
    return Number(text);
  }
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** The value of a row: `value` alone, or an object of the other columns. */
function rowValue(
  names: readonly string[],
  cells: readonly unknown[],
  timestampIndex: number,
): unknown {
  if (names.length === 2 && names[1 - timestampIndex] === 'value') return cells[1 - timestampIndex];
  const value: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) if (i !== timestampIndex) value[names[i]!] = cells[i];
  return value;
}

function timestampColumn(names: readonly string[], where: string): number {
  const index = names.indexOf('timestamp');
  if (index < 0) {
    throw new InvalidArgumentError(
      `${where}: no "timestamp" column (columns: ${names.join(', ') || '(none)'}); ` +
        'expected timestamp and value columns, or timestamp and field columns',
    );
  }
  return index;
}

const csvFormat: ImportFormat = {
  async *read(path) {
    let names: string[] | undefined;
    let timestampIndex = -1;
    for await (const { cells, line } of readCsvRecords(path, { source: path })) {
      if (names === undefined) {
        names = cells.map((cell) => cell.trim());
        timestampIndex = timestampColumn(names, path);
        continue;
      }
      if (cells.length !== names.length) {
        throw new InvalidArgumentError(
          `${path} line ${String(line)}: ${String(cells.length)} cells, the header has ${String(names.length)}`,
          { file: path, line },
        );
      }
      yield {
        timestamp: timestampOf(cells[timestampIndex], `${path} line ${String(line)}`),
        value: rowValue(
          names,
          cells.map((cell, i) => (i === timestampIndex ? cell : cellValue(cell))),
          timestampIndex,
        ),
      };
    }
  },
};

const jsonlFormat: ImportFormat = {
  async *read(path) {
    const lines = createInterface({
      input: createReadStream(path, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    let line = 0;
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      const where = `${path} line ${String(line)}`;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (error) {
        throw new InvalidArgumentError(
          `${where}: not JSON (${error instanceof Error ? error.message : String(error)})`,
          { file: path, line },
        );
      }
      if (
        typeof record !== 'object' ||
        record === null ||
        !('timestamp' in record) ||
        !('value' in record)
      ) {
        throw new InvalidArgumentError(`${where}: expected {"timestamp": …, "value": …}`, {
          file: path,
          line,
        });
      }
      yield { timestamp: timestampOf(record.timestamp, where), value: record.value };
    }
  },
};

const parquetFormat: ImportFormat = {
  async *read(path) {
    const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } =
      await import('hyparquet');
    const { compressors } = await import('hyparquet-compressors');
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    const names = parquetSchema(metadata).children.map((child) => child.element.name);
    const timestampIndex = timestampColumn(names, path);
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const rows = await parquetReadObjects({ file, metadata, compressors, rowStart, rowEnd });
      for (const [i, row] of rows.entries()) {
        const cells = names.map((name) => normalise(row[name]));
        yield {
          timestamp: timestampOf(row.timestamp, `${path} row ${String(rowStart + i + 1)}`),
          value: rowValue(names, cells, timestampIndex),
        };
      }
      rowStart = rowEnd;
    }
  },
};

/** Parquet cells as stream values: int64 as a number, absent as null. */
function normalise(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  return value;
}

const IMPORT_FORMATS: Readonly<Record<ImportFormatName, ImportFormat>> = {
  csv: csvFormat,
  jsonl: jsonlFormat,
  parquet: parquetFormat,
};

/** The names of the import formats. */
export const IMPORT_FORMAT_NAMES = Object.keys(IMPORT_FORMATS) as readonly ImportFormatName[];
