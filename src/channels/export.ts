// Writes a window to a file as CSV, JSON lines, Arrow IPC or Parquet, streaming: one pass infers
// the columns (and counts, for progress), a second writes chunk by chunk, so memory stays bounded
// by a chunk however large the window. The file appears whole or not at all (written beside it,
// then renamed). Each format is one module of the FileFormat interface, registered in
// EXPORT_FORMATS.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { SchemaElement } from 'hyparquet';
import { InvalidArgumentError } from '../errors.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import { formatTimestamp } from '../time/timestamp.js';
import { arrowTable, loadArrow } from './arrow.js';
import type { Columns, ColumnType, TableColumn, ValueShape } from './columns.js';
import { ShapeAccumulator, columnsOf, jsonCell, tableColumns } from './columns.js';
import type { StreamView } from './stream-view.js';

/** Writes chunks of a window to one file. */
interface ChunkWriter {
  write(columns: Columns, instances: readonly StreamInstance[]): Promise<void>;
  /** Completes the file (footers); called once, after the last chunk. */
  close(): Promise<void>;
  /** Stops after a failure; the caller deletes the file. */
  abort(): Promise<void>;
}

/** One export format. */
interface ExportFormat {
  /** Opens `path` for a window of this shape. */
  open(path: string, shape: ValueShape): Promise<ChunkWriter>;
}

/** The formats `exportView` writes. */
export type ExportFormatName = 'csv' | 'jsonl' | 'arrow' | 'parquet';

/** Options of {@link exportView}. */
export interface ExportOptions {
  readonly format: ExportFormatName;
  /** The file to write (replaced if it exists). */
  readonly path: string;
  /** Rows per chunk written (default 65,536). */
  readonly chunkSize?: number;
  /** Hears the rows written so far and the window's total after each chunk. */
  readonly onProgress?: (written: number, total: number) => void;
}

/** What an export wrote. */
export interface ExportReport {
  readonly path: string;
  readonly format: ExportFormatName;
  readonly rows: number;
  /** The value columns (after `timestamp`) and their types. */
  readonly columns: readonly { readonly name: string; readonly type: ColumnType }[];
}

const DEFAULT_CHUNK_SIZE = 65_536;

/**
 * Writes a window to a file: `timestamp` first (ISO 8601 text in CSV and JSON lines, a UTC
 * millisecond timestamp in Arrow and Parquet), then `value` or one column per shared field of
 * object values (see `view.toColumns()`). JSON lines keep each value whole: `{"timestamp", "value"}`.
 *
 * @example
 * await exportView(stream.window('2001-01-01T00:00:00Z/P1M'), { format: 'parquet', path: 'delays.parquet' });
 */
export async function exportView(view: StreamView, options: ExportOptions): Promise<ExportReport> {
  const format = EXPORT_FORMATS[options.format];
  if (format === undefined) {
    throw new InvalidArgumentError(
      `unknown export format "${String(options.format)}": expected one of ${Object.keys(EXPORT_FORMATS).join(', ')}`,
    );
  }
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const accumulator = new ShapeAccumulator();
  for await (const batch of view.batches()) for (const item of batch) accumulator.add(item.value);
  const shape = accumulator.shape();
  const total = accumulator.count;
  const partial = `${options.path}.partial-${String(process.pid)}`;
  const writer = await format.open(partial, shape);
  let rows = 0;
  try {
    let chunk: StreamInstance[] = [];
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      await writer.write(columnsOf(chunk, shape), chunk);
      rows += chunk.length;
      chunk = [];
      options.onProgress?.(rows, total);
    };
    for await (const batch of view.batches()) {
      for (const item of batch) {
        chunk.push(item);
        if (chunk.length >= chunkSize) await flush();
      }
    }
    await flush();
    await writer.close();
    await rename(partial, options.path);
  } catch (error) {
    await writer.abort();
    await rm(partial, { force: true });
    throw error;
  }
  return {
    path: options.path,
    format: options.format,
    rows,
    columns: tableColumns(shape).map(({ name, type }) => ({ name, type })),
  };
}

/** A text file written through a stream, waiting when the disk is behind. */
async function textFile(path: string): Promise<{
  write(text: string): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}> {
  const out = createWriteStream(path);
  await once(out, 'open');
  return {
    async write(text) {
      if (!out.write(text)) await drained(out);
    },
    async close() {
      out.end();
      await once(out, 'close');
    },
    async abort() {
      out.destroy();
      await once(out, 'close').catch(() => undefined);
    },
  };
}

async function drained(out: Writable): Promise<void> {
  await once(out, 'drain');
}

function csvQuote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV cell: numbers as JavaScript prints them (NaN, Infinity), JSON text for `json`. */
function csvCell(type: ColumnType, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (type !== 'json' && (typeof value === 'number' || typeof value === 'boolean')) {
    return String(value);
  }
  return csvQuote(type !== 'json' && typeof value === 'string' ? value : jsonCell(value)!);
}

const csvFormat: ExportFormat = {
  async open(path, shape) {
    const file = await textFile(path);
    const columns = tableColumns(shape);
    await file.write(`${['timestamp', ...columns.map((c) => c.name)].map(csvQuote).join(',')}\n`);
    return {
      async write(chunk) {
        const data = columns.map((column) => column.read(chunk));
        const lines: string[] = [];
        for (let i = 0; i < chunk.timestamps.length; i++) {
          let line = formatTimestamp(chunk.timestamps[i]!);
          for (let c = 0; c < columns.length; c++) {
            line += `,${csvCell(columns[c]!.type, data[c]![i])}`;
          }
          lines.push(line);
        }
        await file.write(`${lines.join('\n')}\n`);
      },
      close: () => file.close(),
      abort: () => file.abort(),
    };
  },
};

const jsonlFormat: ExportFormat = {
  async open(path) {
    const file = await textFile(path);
    return {
      async write(_columns, instances) {
        let text = '';
        for (const { timestamp, value } of instances) {
          text += `{"timestamp":${JSON.stringify(formatTimestamp(timestamp))},"value":${jsonCell(value) ?? 'null'}}\n`;
        }
        await file.write(text);
      },
      close: () => file.close(),
      abort: () => file.abort(),
    };
  },
};

const arrowFormat: ExportFormat = {
  async open(path, shape) {
    const arrow = await loadArrow();
    const out = createWriteStream(path);
    const writer = new arrow.RecordBatchFileWriter();
    const done = once(out, 'close');
    writer.toNodeStream().pipe(out);
    return {
      async write(columns) {
        for (const batch of arrowTable(arrow, columns, shape).batches) writer.write(batch);
        if (out.writableNeedDrain) await drained(out);
      },
      async close() {
        writer.finish();
        await done;
      },
      async abort() {
        writer.abort();
        out.destroy();
        await done.catch(() => undefined);
      },
    };
  },
};

/** The Parquet schema element of a value column. */
function parquetElement(column: TableColumn): SchemaElement {
  const repetition_type = column.nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (column.type) {
    case 'float64':
      return { name: column.name, type: 'DOUBLE', repetition_type };
    case 'utf8':
      return { name: column.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type };
    case 'bool':
      return { name: column.name, type: 'BOOLEAN', repetition_type };
    case 'json':
      return {
        name: column.name,
        type: 'BYTE_ARRAY',
        converted_type: 'JSON',
        logical_type: { type: 'JSON' },
        repetition_type,
      };
  }
}

const parquetFormat: ExportFormat = {
  async open(path, shape) {
    const { ParquetWriter, fileWriter } = await import('hyparquet-writer');
    const columns = tableColumns(shape);
    const writer = new ParquetWriter({
      writer: fileWriter(path),
      schema: [
        { name: 'root', num_children: 1 + columns.length },
        {
          name: 'timestamp',
          type: 'INT64',
          converted_type: 'TIMESTAMP_MILLIS',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
          repetition_type: 'REQUIRED',
        },
        ...columns.map(parquetElement),
      ],
      createdBy: 'hyperstream-ts',
    });
    return {
      async write(chunk) {
        await writer.write({
          columnData: [
            { name: 'timestamp', data: chunk.timestamps },
            ...columns.map((column) => {
              const data = column.read(chunk);
              return {
                name: column.name,
                data:
                  data instanceof Float64Array ? data : Array.from(data, (value) => value ?? null),
              };
            }),
          ],
          rowGroupSize: chunk.timestamps.length,
        });
      },
      async close() {
        await writer.finish();
      },
      async abort() {
        // The file writer has no abort: the caller deletes what was written.
      },
    };
  },
};

/** Every export format, by name. */
const EXPORT_FORMATS: Readonly<Record<ExportFormatName, ExportFormat>> = {
  csv: csvFormat,
  jsonl: jsonlFormat,
  arrow: arrowFormat,
  parquet: parquetFormat,
};

/** The names of the export formats. */
export const EXPORT_FORMAT_NAMES = Object.keys(EXPORT_FORMATS) as readonly ExportFormatName[];
