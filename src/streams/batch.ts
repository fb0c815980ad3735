// The columnar data plane: a batch is a timestamp column plus one value column. Stores hand out
// batches as zero-copy views, tools read and write them, and per-instance objects are made only
// by the adapter for tools that ask for `{ timestamp, value }`.

import { InvalidArgumentError, ValueNotStorableError } from '../errors.js';
import { MAX_DATE, MIN_DATE } from '../time/timestamp.js';
import type { StreamInstance } from './stream-instance.js';
import { checkInstanceTimestamp } from './stream-instance.js';

/** Numbers, one `Float64Array` slot each (`-0` and `NaN` kept). */
export interface NumberColumn {
  readonly type: 'number';
  readonly values: Float64Array;
}

/**
 * Strings, dictionary-encoded: row `i` is `dictionary[codes[i]]`. The dictionary may hold more
 * entries than the rows use (stores share one dictionary between the views of a chunk).
 */
export interface StringColumn {
  readonly type: 'string';
  readonly codes: Uint32Array;
  readonly dictionary: readonly string[];
}

/** Any values (JSON-like data), one reference per row: what every value can fall back to. */
export interface ObjectColumn {
  readonly type: 'object';
  readonly values: readonly unknown[];
}

/**
 * Plain objects that all have the same keys in the same order (a flight: delay, distance, origin,
 * destination), held as one column per field. Row `i` is `{ [fields[k]]: columns[k][i], … }`.
 */
export interface StructColumn {
  readonly type: 'struct';
  readonly fields: readonly string[];
  readonly columns: readonly Column[];
}

/** One column of values. */
export type Column = NumberColumn | StringColumn | ObjectColumn | StructColumn;

/**
 * Instances of one stream as columns: `timestamps[i]` and row `i` of `values` make instance `i`.
 * Batches that tools yield and stores hand out are in strictly increasing time order. Treat a
 * batch as immutable: stores return views over their own memory.
 */
export interface Batch {
  readonly length: number;
  readonly timestamps: Float64Array;
  readonly values: Column;
}

/** True for a {@link Batch} (a tool may yield one instead of instances). */
export function isBatch(value: unknown): value is Batch {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { timestamps?: unknown }).timestamps instanceof Float64Array &&
    typeof (value as { values?: { type?: unknown } }).values?.type === 'string'
  );
}

/** A number column (the array is used as is when it is a `Float64Array`). */
export function numberColumn(values: Float64Array | ArrayLike<number>): NumberColumn {
  return {
    type: 'number',
    values: values instanceof Float64Array ? values : Float64Array.from(values),
  };
}

/** A dictionary-encoded string column from strings. */
export function stringColumn(values: readonly string[]): StringColumn {
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const codes = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let code = index.get(value);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(value);
      index.set(value, code);
    }
    codes[i] = code;
  }
  return { type: 'string', codes, dictionary };
}

/** An object column (values by reference). */
export function objectColumn(values: readonly unknown[]): ObjectColumn {
  return { type: 'object', values };
}

/** A struct column from its field columns (all of one length). */
export function structColumn(fields: Readonly<Record<string, Column>>): StructColumn {
  const names = Object.keys(fields);
  if (names.includes('__proto__')) {
    throw new InvalidArgumentError('a struct column cannot have a field named "__proto__"');
  }
  const columns = names.map((name) => fields[name]!);
  const length = columns.length ? columnLength(columns[0]!) : 0;
  for (let k = 1; k < columns.length; k++) {
    if (columnLength(columns[k]!) !== length) {
      throw new InvalidArgumentError(
        `struct column field "${names[k]}" has ${columnLength(columns[k]!)} rows, field "${names[0]}" has ${length}`,
      );
    }
  }
  return { type: 'struct', fields: names, columns };
}

/** The number of rows of a column. */
export function columnLength(column: Column): number {
  switch (column.type) {
    case 'number':
      return column.values.length;
    case 'string':
      return column.codes.length;
    case 'object':
      return column.values.length;
    case 'struct':
      return column.columns.length ? columnLength(column.columns[0]!) : 0;
  }
}

/**
 * A batch of `timestamps` and `values`; `InvalidArgumentError` when their lengths differ. The
 * arrays are used as they are (not copied).
 */
export function makeBatch(timestamps: Float64Array | ArrayLike<number>, values: Column): Batch {
  const ts = timestamps instanceof Float64Array ? timestamps : Float64Array.from(timestamps);
  const length = columnLength(values);
  if (length !== ts.length) {
    throw new InvalidArgumentError(
      `a batch needs one value per timestamp: ${ts.length} timestamps, ${length} values`,
    );
  }
  return { length, timestamps: ts, values };
}

/** An empty batch. */
export const EMPTY_BATCH: Batch = Object.freeze({
  length: 0,
  timestamps: new Float64Array(0),
  values: Object.freeze({ type: 'object', values: Object.freeze([]) }),
});

/** The value of row `i` (a new object for struct rows). */
export function valueAt(column: Column, i: number): unknown {
  switch (column.type) {
    case 'number':
      return column.values[i];
    case 'string':
      return column.dictionary[column.codes[i]!];
    case 'object':
      return column.values[i];
    case 'struct': {
      const out: Record<string, unknown> = {};
      const { fields, columns } = column;
      for (let k = 0; k < fields.length; k++) out[fields[k]!] = valueAt(columns[k]!, i);
      return out;
    }
  }
}

/** Every value of a column as an array (struct rows become objects). */
export function columnValues(column: Column, from = 0, to = columnLength(column)): unknown[] {
  const out = new Array<unknown>(Math.max(0, to - from));
  switch (column.type) {
    case 'number': {
      const values = column.values;
      for (let i = from; i < to; i++) out[i - from] = values[i];
      return out;
    }
    case 'string': {
      const { codes, dictionary } = column;
      for (let i = from; i < to; i++) out[i - from] = dictionary[codes[i]!];
      return out;
    }
    case 'object':
      return column.values.slice(from, to);
    case 'struct': {
      const { fields, columns } = column;
      const parts = columns.map((c) => columnValues(c, from, to));
      for (let i = 0; i < out.length; i++) {
        const row: Record<string, unknown> = {};
        for (let k = 0; k < fields.length; k++) row[fields[k]!] = parts[k]![i];
        out[i] = row;
      }
      return out;
    }
  }
}

/** The instances of a batch (the adapter for tools that want `{ timestamp, value }` objects). */
export function batchToInstances(batch: Batch, from = 0, to = batch.length): StreamInstance[] {
  const values = columnValues(batch.values, from, to);
  const ts = batch.timestamps;
  const out = new Array<StreamInstance>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = { timestamp: ts[from + i]!, value: values[i] };
  return out;
}

/** Rows `[from, to)` of a column: zero-copy views for typed arrays. */
export function sliceColumn(column: Column, from: number, to: number): Column {
  switch (column.type) {
    case 'number':
      return { type: 'number', values: column.values.subarray(from, to) };
    case 'string':
      return {
        type: 'string',
        codes: column.codes.subarray(from, to),
        dictionary: column.dictionary,
      };
    case 'object':
      return { type: 'object', values: column.values.slice(from, to) };
    case 'struct':
      return {
        type: 'struct',
        fields: column.fields,
        columns: column.columns.map((c) => sliceColumn(c, from, to)),
      };
  }
}

/** Rows `[from, to)` of a batch (zero-copy views for typed columns). */
export function sliceBatch(batch: Batch, from: number, to: number): Batch {
  if (from === 0 && to === batch.length) return batch;
  return {
    length: to - from,
    timestamps: batch.timestamps.subarray(from, to),
    values: sliceColumn(batch.values, from, to),
  };
}

/** The rows at `indices` (in that order) of a column. */
export function takeColumn(
  column: Column,
  indices: ArrayLike<number>,
  count = indices.length,
): Column {
  switch (column.type) {
    case 'number': {
      const src = column.values;
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = src[indices[i]!]!;
      return { type: 'number', values: out };
    }
    case 'string': {
      const src = column.codes;
      const out = new Uint32Array(count);
      for (let i = 0; i < count; i++) out[i] = src[indices[i]!]!;
      return { type: 'string', codes: out, dictionary: column.dictionary };
    }
    case 'object': {
      const src = column.values;
      const out = new Array<unknown>(count);
      for (let i = 0; i < count; i++) out[i] = src[indices[i]!];
      return { type: 'object', values: out };
    }
    case 'struct':
      return {
        type: 'struct',
        fields: column.fields,
        columns: column.columns.map((c) => takeColumn(c, indices, count)),
      };
  }
}

/** The rows at `indices` (in that order; the first `count` of them) of a batch. */
export function takeRows(batch: Batch, indices: ArrayLike<number>, count = indices.length): Batch {
  const ts = new Float64Array(count);
  const src = batch.timestamps;
  for (let i = 0; i < count; i++) ts[i] = src[indices[i]!]!;
  return { length: count, timestamps: ts, values: takeColumn(batch.values, indices, count) };
}

/**
 * The column of `value[field]` for every row: a struct's own field column (zero-copy), or, for
 * other columns, the field read from each object value (`undefined` where there is none).
 */
export function fieldColumn(column: Column, field: string): Column {
  if (column.type === 'struct') {
    const k = column.fields.indexOf(field);
    if (k >= 0) return column.columns[k]!;
    return { type: 'object', values: new Array<unknown>(columnLength(column)) };
  }
  if (column.type === 'object') {
    const src = column.values;
    const out = new Array<unknown>(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      out[i] =
        v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[field] : undefined;
    }
    return { type: 'object', values: out };
  }
  // Numbers and strings have no fields (a string's `length` is not data).
  return { type: 'object', values: new Array<unknown>(columnLength(column)) };
}

/** The values as numbers: the column itself for numbers, else `NaN` where a value is not a number. */
export function numbersOf(column: Column): Float64Array {
  if (column.type === 'number') return column.values;
  const n = columnLength(column);
  const out = new Float64Array(n);
  if (column.type === 'object') {
    const src = column.values;
    for (let i = 0; i < n; i++) {
      const v = src[i];
      out[i] = typeof v === 'number' ? v : NaN;
    }
  } else out.fill(NaN);
  return out;
}

/**
 * The column that holds `values` best: numbers, dictionary-encoded strings, a struct of one-level
 * plain objects sharing their keys, or (anything else, or a mix) an object column.
 */
export function columnFromValues(values: readonly unknown[]): Column {
  const n = values.length;
  if (n === 0) return { type: 'object', values: [] };
  const first = values[0];
  if (typeof first === 'number') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number') return { type: 'object', values: values.slice() };
      out[i] = v;
    }
    return { type: 'number', values: out };
  }
  if (typeof first === 'string') {
    for (let i = 1; i < n; i++) {
      if (typeof values[i] !== 'string') return { type: 'object', values: values.slice() };
    }
    return stringColumn(values as readonly string[]);
  }
  const fields = structFieldsOf(first);
  if (fields) {
    const k = fields.length;
    const parts: unknown[][] = fields.map(() => new Array<unknown>(n));
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (!hasFields(v, fields)) return { type: 'object', values: values.slice() };
      const record = v as Record<string, unknown>;
      for (let f = 0; f < k; f++) parts[f]![i] = record[fields[f]!];
    }
    return { type: 'struct', fields, columns: parts.map(leafColumn) };
  }
  return { type: 'object', values: values.slice() };
}

/** A field's column: numbers, strings, or objects (no nested structs: values may nest deeply or cyclically). */
function leafColumn(values: unknown[]): Column {
  const n = values.length;
  const first = values[0];
  if (typeof first === 'number') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number') return { type: 'object', values };
      out[i] = v;
    }
    return { type: 'number', values: out };
  }
  if (typeof first === 'string') {
    for (let i = 1; i < n; i++)
      if (typeof values[i] !== 'string') return { type: 'object', values };
    return stringColumn(values as string[]);
  }
  return { type: 'object', values };
}

/** The keys of a plain object that can be a struct row (at least one key, no `__proto__`), else undefined. */
export function structFieldsOf(value: unknown): string[] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  const keys = Object.keys(value);
  if (keys.length === 0 || keys.includes('__proto__')) return undefined;
  return keys;
}

/** True when `value` is a plain object whose own keys are exactly `fields`, in that order. */
export function hasFields(value: unknown, fields: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  let k = 0;
  // for…in on a plain object visits its own enumerable keys in order and allocates nothing.
  for (const key in value) {
    if (key !== fields[k]) return false;
    k++;
  }
  return k === fields.length;
}

/** A batch of instances (values held in the best column; timestamps not checked here). */
export function batchFromInstances(instances: readonly StreamInstance[]): Batch {
  const n = instances.length;
  const timestamps = new Float64Array(n);
  const values = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const item = instances[i]!;
    timestamps[i] = item.timestamp;
    values[i] = item.value;
  }
  return { length: n, timestamps, values: columnFromValues(values) };
}

/**
 * Checks a batch before a store takes it, in one pass over its timestamps: a batch whose columns
 * agree in length, with timestamps as {@link checkInstanceTimestamp} requires. Returns true when
 * the timestamps are strictly increasing (a store must sort and de-duplicate otherwise, the last
 * of equal timestamps winning).
 */
export function checkBatchTimestamps(batch: Batch, streamKey: string): boolean {
  if (!isBatch(batch)) {
    throw new ValueNotStorableError(
      `cannot write to stream "${streamKey}": expected a batch { length, timestamps: Float64Array, values: column }`,
      { stream: streamKey },
    );
  }
  const ts = batch.timestamps;
  const n = ts.length;
  if (batch.length !== n || columnLength(batch.values) !== n) {
    throw new ValueNotStorableError(
      `cannot write to stream "${streamKey}": the batch has ${n} timestamps, length ${batch.length} and ${columnLength(batch.values)} values; they must agree`,
      { stream: streamKey },
    );
  }
  let increasing = true;
  let previous = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    // One comparison chain per row; the precise message comes from the per-instance check.
    if (!(t > MIN_DATE && t <= MAX_DATE) || t !== Math.floor(t))
      checkInstanceTimestamp(t, streamKey);
    if (t <= previous) increasing = false;
    previous = t;
  }
  return increasing;
}
