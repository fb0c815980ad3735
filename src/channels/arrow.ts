// Columns as an Apache Arrow table (npm `apache-arrow`, loaded on first use): `timestamp` as
// Timestamp<MILLISECOND, UTC>, numbers as Float64, strings as Utf8, booleans as Bool, anything
// else as its JSON text (Utf8).
import type * as Arrow from 'apache-arrow';
import type { Table, Vector } from 'apache-arrow';
import type { Columns, TableColumn, ValueShape } from './columns.js';
import { jsonCell, tableColumns } from './columns.js';

type ArrowModule = typeof Arrow;

let arrowModule: Promise<ArrowModule> | undefined;

/** The `apache-arrow` module, imported once, when a table is first asked for. */
export async function loadArrow(): Promise<ArrowModule> {
  return await (arrowModule ??= import('apache-arrow'));
}

/** An Arrow table of `columns` (of shape `shape`): `timestamp`, then `value` or the fields. */
export function arrowTable(arrow: ArrowModule, columns: Columns, shape: ValueShape): Table {
  const vectors: Record<string, Vector> = {
    timestamp: arrow.vectorFromArray(
      Array.from(columns.timestamps),
      new arrow.TimestampMillisecond('UTC'),
    ),
  };
  for (const column of tableColumns(shape)) {
    vectors[column.name] = arrowVector(arrow, column, column.read(columns));
  }
  return new arrow.Table(vectors);
}

function arrowVector(arrow: ArrowModule, column: TableColumn, data: ArrayLike<unknown>): Vector {
  switch (column.type) {
    case 'float64':
      return data instanceof Float64Array
        ? arrow.makeVector(data)
        : arrow.vectorFromArray(Array.from(data, nullable), new arrow.Float64());
    case 'utf8':
      return arrow.vectorFromArray(Array.from(data, nullable), new arrow.Utf8());
    case 'bool':
      return arrow.vectorFromArray(Array.from(data, nullable), new arrow.Bool());
    case 'json':
      return arrow.vectorFromArray(Array.from(data, jsonCell), new arrow.Utf8());
  }
}

function nullable(value: unknown): unknown {
  return value === undefined ? null : value;
}
