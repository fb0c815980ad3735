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
  const n = columns.timestamps.length;
  const epochs = new BigInt64Array(n);
  for (let i = 0; i < n; i++) epochs[i] = BigInt(columns.timestamps[i]!);
  const vectors: Record<string, Vector> = {
    timestamp: arrow.makeVector(
      arrow.makeData({ type: new arrow.TimestampMillisecond('UTC'), length: n, data: epochs }),
    ),
  };
  for (const column of tableColumns(shape)) {
    vectors[column.name] = arrowVector(arrow, column, column.read(columns));
  }
  return new arrow.Table(vectors);
}

// Buffers are built directly: apache-arrow's generic builders (vectorFromArray with a type) take
// seconds per million strings.
function arrowVector(arrow: ArrowModule, column: TableColumn, data: ArrayLike<unknown>): Vector {
  switch (column.type) {
    case 'float64': {
      if (data instanceof Float64Array) return arrow.makeVector(data);
      const values = new Float64Array(data.length);
      for (let i = 0; i < data.length; i++) values[i] = (data[i] as number | null) ?? 0;
      return arrow.makeVector(
        arrow.makeData({
          type: new arrow.Float64(),
          length: data.length,
          data: values,
          ...validity(data),
        }),
      );
    }
    case 'utf8':
      return utf8Vector(arrow, data as ArrayLike<string | null | undefined>);
    case 'bool':
      return arrow.vectorFromArray(
        Array.from(data, (value) => value ?? null),
        new arrow.Bool(),
      );
    case 'json':
      return utf8Vector(arrow, Array.from(data, jsonCell));
  }
}

/** The null bitmap of a column (bit set: a value), or nothing when it has no nulls. */
function validity(data: ArrayLike<unknown>): { nullBitmap?: Uint8Array; nullCount?: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array(Math.ceil(data.length / 8));
  for (let i = 0; i < data.length; i++) {
    if (data[i] === null || data[i] === undefined) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return nullCount === 0 ? {} : { nullBitmap: bitmap, nullCount };
}

function utf8Vector(arrow: ArrowModule, data: ArrayLike<string | null | undefined>): Vector {
  const encoder = new TextEncoder();
  const offsets = new Int32Array(data.length + 1);
  // A UTF-16 code unit is at most 3 bytes of UTF-8: one buffer, encoded into in place.
  let capacity = 0;
  for (let i = 0; i < data.length; i++) capacity += (data[i]?.length ?? 0) * 3;
  const buffer = new Uint8Array(capacity);
  let total = 0;
  for (let i = 0; i < data.length; i++) {
    const text = data[i];
    if (text !== null && text !== undefined) {
      total += encoder.encodeInto(text, buffer.subarray(total)).written;
    }
    offsets[i + 1] = total;
  }
  const bytes = buffer.subarray(0, total);
  return arrow.makeVector(
    arrow.makeData({
      type: new arrow.Utf8(),
      length: data.length,
      data: bytes,
      valueOffsets: offsets,
      ...validity(data),
    }),
  );
}
