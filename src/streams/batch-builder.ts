// Growable columns: how stores hold streams and how batches are concatenated. A builder only ever
// appends, so views it handed out (subarrays of its buffers) stay valid snapshots; a column that
// meets values of another type is widened into a new builder (an object column, or per field).

import type { Batch, Column } from './batch.js';
import { columnValues, hasFields, structFieldsOf, valueAt } from './batch.js';

const MIN_CAPACITY = 64;
/** A string column whose dictionary grows past this and past half its rows is held as objects. */
const MAX_DICTIONARY = 4096;

/** An append-only column. `append*` return the builder to use from then on (itself, or a wider one). */
export interface ColumnBuilder {
  readonly length: number;
  /** True when appending `column` keeps this builder's type (no widening). */
  accepts(column: Column): boolean;
  appendColumn(column: Column, from: number, to: number): ColumnBuilder;
  /** Appends the rows `indices[from…to)` of `column` (a gather straight into this builder). */
  appendRows(column: Column, indices: Uint32Array, from: number, to: number): ColumnBuilder;
  appendValue(value: unknown): ColumnBuilder;
  /** Rows `[from, to)` as a column (zero-copy for typed arrays). */
  view(from: number, to: number): Column;
  valueAt(i: number): unknown;
  /** An empty builder of the same type that shares this one's string dictionaries (a next chunk). */
  fresh(capacity: number): ColumnBuilder;
}

function grow<T extends Float64Array | Uint32Array>(buffer: T, needed: number): T {
  if (needed <= buffer.length) return buffer;
  const next = new (buffer.constructor as new (n: number) => T)(
    Math.max(needed, buffer.length * 2, MIN_CAPACITY),
  );
  next.set(buffer);
  return next;
}

/** A builder with no rows yet: takes the type of what comes first. */
export class EmptyBuilder implements ColumnBuilder {
  readonly length = 0;
  readonly #capacity: number;
  readonly #nested: boolean;

  /** `nested`: a struct field (never a struct itself, since values may nest deeply or cyclically). */
  constructor(capacity = MIN_CAPACITY, nested = false) {
    this.#capacity = capacity;
    this.#nested = nested;
  }

  accepts(): boolean {
    return true;
  }

  appendColumn(column: Column, from: number, to: number): ColumnBuilder {
    return this.#for(column).appendColumn(column, from, to);
  }

  appendRows(column: Column, indices: Uint32Array, from: number, to: number): ColumnBuilder {
    return this.#for(column).appendRows(column, indices, from, to);
  }

  appendValue(value: unknown): ColumnBuilder {
    if (typeof value === 'number') return new NumberBuilder(this.#capacity).appendValue(value);
    if (typeof value === 'string') return new StringBuilder(this.#capacity).appendValue(value);
    if (!this.#nested) {
      const fields = structFieldsOf(value);
      if (fields) return new StructBuilder(fields, this.#capacity).appendValue(value);
    }
    return new ObjectBuilder().appendValue(value);
  }

  view(): Column {
    return { type: 'object', values: [] };
  }

  valueAt(): unknown {
    return undefined;
  }

  fresh(capacity: number): ColumnBuilder {
    return new EmptyBuilder(capacity, this.#nested);
  }

  #for(column: Column): ColumnBuilder {
    switch (column.type) {
      case 'number':
        return new NumberBuilder(this.#capacity);
      case 'string':
        return new StringBuilder(this.#capacity);
      case 'struct':
        if (!this.#nested) return new StructBuilder(column.fields, this.#capacity);
        return new ObjectBuilder();
      case 'object':
        return new ObjectBuilder();
    }
  }
}

/** Widens any builder to objects: its rows materialised, then `column` appended. */
function widen(from: ColumnBuilder): ObjectBuilder {
  const out = new ObjectBuilder();
  out.values = columnValues(from.view(0, from.length));
  return out;
}

export class NumberBuilder implements ColumnBuilder {
  length = 0;
  #values: Float64Array;

  constructor(capacity = MIN_CAPACITY) {
    this.#values = new Float64Array(Math.max(1, capacity));
  }

  accepts(column: Column): boolean {
    return column.type === 'number';
  }

  appendColumn(column: Column, from: number, to: number): ColumnBuilder {
    if (column.type !== 'number') return widen(this).appendColumn(column, from, to);
    const n = to - from;
    this.#values = grow(this.#values, this.length + n);
    this.#values.set(column.values.subarray(from, to), this.length);
    this.length += n;
    return this;
  }

  appendRows(column: Column, indices: Uint32Array, from: number, to: number): ColumnBuilder {
    if (column.type !== 'number') return widen(this).appendRows(column, indices, from, to);
    this.#values = grow(this.#values, this.length + to - from);
    const out = this.#values;
    const src = column.values;
    let at = this.length;
    for (let j = from; j < to; j++) out[at++] = src[indices[j]!]!;
    this.length = at;
    return this;
  }

  appendValue(value: unknown): ColumnBuilder {
    if (typeof value !== 'number') return widen(this).appendValue(value);
    if (this.length === this.#values.length) this.#values = grow(this.#values, this.length + 1);
    this.#values[this.length++] = value;
    return this;
  }

  view(from: number, to: number): Column {
    return { type: 'number', values: this.#values.subarray(from, to) };
  }

  valueAt(i: number): unknown {
    return this.#values[i];
  }

  fresh(capacity: number): ColumnBuilder {
    return new NumberBuilder(capacity);
  }
}

/**
 * A string dictionary that builders share: append-only, so every code handed out stays valid.
 * Builders fed from one dictionary (the chunks of a stream, what a tool gathers from them) adopt
 * it, and their codes are then copied as they are, with no lookup per row.
 */
class StringDictionary {
  readonly values: string[] = [];
  readonly index = new Map<string, number>();

  code(value: string): number {
    let code = this.index.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.index.set(value, code);
    }
    return code;
  }
}

// The shared dictionary behind each dictionary array that builders made (weakly held).
const DICTIONARIES = new WeakMap<readonly string[], StringDictionary>();

function newDictionary(): StringDictionary {
  const dictionary = new StringDictionary();
  DICTIONARIES.set(dictionary.values, dictionary);
  return dictionary;
}

export class StringBuilder implements ColumnBuilder {
  length = 0;
  #codes: Uint32Array;
  #dictionary: StringDictionary | undefined;
  // A dictionary this builder made (not adopted): only then may it give up on it.
  #owned = false;
  // The code of each entry of the last foreign dictionary appended from (-1: not mapped yet).
  #lastDictionary: readonly string[] | undefined;
  #translate = new Int32Array(0);

  constructor(capacity = MIN_CAPACITY, dictionary?: StringDictionary) {
    this.#codes = new Uint32Array(Math.max(1, capacity));
    this.#dictionary = dictionary;
  }

  accepts(column: Column): boolean {
    return column.type === 'string';
  }

  #own(): StringDictionary {
    if (this.#dictionary) return this.#dictionary;
    this.#owned = true;
    return (this.#dictionary = newDictionary());
  }

  fresh(capacity: number): ColumnBuilder {
    return new StringBuilder(capacity, this.#own());
  }

  appendColumn(column: Column, from: number, to: number): ColumnBuilder {
    if (column.type !== 'string') return widen(this).appendColumn(column, from, to);
    const n = to - from;
    this.#codes = grow(this.#codes, this.length + n);
    const { codes, dictionary } = column;
    // A builder's dictionary: adopt it when empty; then codes are the same.
    if (this.#dictionary === undefined) this.#dictionary = DICTIONARIES.get(dictionary);
    const own = this.#own();
    if (dictionary === own.values) {
      this.#codes.set(codes.subarray(from, to), this.length);
      this.length += n;
      return this;
    }
    if (dictionary !== this.#lastDictionary || this.#translate.length < dictionary.length) {
      const previous = dictionary === this.#lastDictionary ? this.#translate : undefined;
      this.#translate = new Int32Array(dictionary.length).fill(-1);
      if (previous) this.#translate.set(previous);
      this.#lastDictionary = dictionary;
    }
    const translate = this.#translate;
    const out = this.#codes;
    let at = this.length;
    for (let i = from; i < to; i++) {
      const c = codes[i]!;
      let code = translate[c]!;
      if (code < 0) code = translate[c] = own.code(dictionary[c]!);
      out[at++] = code;
    }
    this.length = at;
    return this.#tooManyStrings() ? widen(this) : this;
  }

  appendRows(column: Column, indices: Uint32Array, from: number, to: number): ColumnBuilder {
    if (column.type !== 'string') return widen(this).appendRows(column, indices, from, to);
    if (this.#dictionary === undefined) this.#dictionary = DICTIONARIES.get(column.dictionary);
    if (column.dictionary !== this.#own().values) {
      // A foreign dictionary: gather, then translate through appendColumn.
      const codes = new Uint32Array(to - from);
      for (let j = from; j < to; j++) codes[j - from] = column.codes[indices[j]!]!;
      return this.appendColumn({ ...column, codes }, 0, codes.length);
    }
    this.#codes = grow(this.#codes, this.length + to - from);
    const out = this.#codes;
    const src = column.codes;
    let at = this.length;
    for (let j = from; j < to; j++) out[at++] = src[indices[j]!]!;
    this.length = at;
    return this;
  }

  appendValue(value: unknown): ColumnBuilder {
    if (typeof value !== 'string') return widen(this).appendValue(value);
    if (this.length === this.#codes.length) this.#codes = grow(this.#codes, this.length + 1);
    this.#codes[this.length++] = this.#own().code(value);
    return this.#tooManyStrings() ? widen(this) : this;
  }

  // Mostly distinct strings gain nothing from a dictionary, and its index costs memory.
  #tooManyStrings(): boolean {
    if (!this.#owned) return false;
    const size = this.#dictionary?.values.length ?? 0;
    return size > MAX_DICTIONARY && size * 2 > this.length;
  }

  view(from: number, to: number): Column {
    return {
      type: 'string',
      codes: this.#codes.subarray(from, to),
      dictionary: this.#own().values,
    };
  }

  valueAt(i: number): unknown {
    return this.#own().values[this.#codes[i]!];
  }
}

export class ObjectBuilder implements ColumnBuilder {
  values: unknown[] = [];

  get length(): number {
    return this.values.length;
  }

  accepts(): boolean {
    return true;
  }

  appendColumn(column: Column, from: number, to: number): ColumnBuilder {
    const values = this.values;
    if (column.type === 'object') {
      const src = column.values;
      for (let i = from; i < to; i++) values.push(src[i]);
    } else {
      for (const v of columnValues(column, from, to)) values.push(v);
    }
    return this;
  }

  appendRows(column: Column, indices: Uint32Array, from: number, to: number): ColumnBuilder {
    const values = this.values;
    if (column.type === 'object') {
      const src = column.values;
      for (let j = from; j < to; j++) values.push(src[indices[j]!]);
    } else {
      for (let j = from; j < to; j++) values.push(valueAt(column, indices[j]!));
    }
    return this;
  }

  appendValue(value: unknown): ColumnBuilder {
    this.values.push(value);
    return this;
  }

  view(from: number, to: number): Column {
    return { type: 'object', values: this.values.slice(from, to) };
  }

  valueAt(i: number): unknown {
    return this.values[i];
  }

  fresh(): ColumnBuilder {
    return new ObjectBuilder();
  }
}

export class StructBuilder implements ColumnBuilder {
  length = 0;
  readonly #fields: readonly string[];
  readonly #columns: ColumnBuilder[];

  constructor(fields: readonly string[], capacity = MIN_CAPACITY, columns?: ColumnBuilder[]) {
    this.#fields = fields;
    this.#columns = columns ?? fields.map(() => new EmptyBuilder(capacity, true));
  }

  fresh(capacity: number): ColumnBuilder {
    return new StructBuilder(
      this.#fields,
      capacity,
      this.#columns.map((c) => c.fresh(capacity)),
    );
  }

  accepts(column: Column): boolean {
    return column.type === 'struct' && sameFields(column.fields, this.#fields);
  }

  appendColumn(column: Column, from: number, to: number): ColumnBuilder {
    if (!this.accepts(column)) return widen(this).appendColumn(column, from, to);
    const { columns } = column as { columns: readonly Column[] };
    for (let k = 0; k < columns.length; k++) {
      this.#columns[k] = this.#columns[k]!.appendColumn(columns[k]!, from, to);
    }
    this.length += to - from;
    return this;
  }

  appendRows(column: Column, indices: Uint32Array, from: number, to: number): ColumnBuilder {
    if (!this.accepts(column)) return widen(this).appendRows(column, indices, from, to);
    const { columns } = column as { columns: readonly Column[] };
    for (let k = 0; k < columns.length; k++) {
      this.#columns[k] = this.#columns[k]!.appendRows(columns[k]!, indices, from, to);
    }
    this.length += to - from;
    return this;
  }

  appendValue(value: unknown): ColumnBuilder {
    if (!hasFields(value, this.#fields)) return widen(this).appendValue(value);
    const record = value as Record<string, unknown>;
    for (let k = 0; k < this.#fields.length; k++) {
      this.#columns[k] = this.#columns[k]!.appendValue(record[this.#fields[k]!]);
    }
    this.length++;
    return this;
  }

  view(from: number, to: number): Column {
    return {
      type: 'struct',
      fields: this.#fields,
      columns: this.#columns.map((c) => c.view(from, to)),
    };
  }

  valueAt(i: number): unknown {
    const out: Record<string, unknown> = {};
    for (let k = 0; k < this.#fields.length; k++)
      out[this.#fields[k]!] = this.#columns[k]!.valueAt(i);
    return out;
  }
}

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A growing batch: timestamps plus a value column builder. Appending never changes earlier views. */
export class BatchBuilder {
  #timestamps: Float64Array;
  #values: ColumnBuilder;
  length = 0;

  constructor(capacity = MIN_CAPACITY, values?: ColumnBuilder) {
    this.#timestamps = new Float64Array(Math.max(1, capacity));
    this.#values = values ?? new EmptyBuilder(capacity);
  }

  /** An empty builder for the rows after this one's: same column types, shared string dictionaries. */
  successor(capacity = MIN_CAPACITY): BatchBuilder {
    return new BatchBuilder(capacity, this.#values.fresh(capacity));
  }

  /** Rows it holds without reallocating. */
  get capacity(): number {
    return this.#timestamps.length;
  }

  /** The timestamps appended so far (a view). */
  get timestamps(): Float64Array {
    return this.#timestamps.subarray(0, this.length);
  }

  timestampAt(i: number): number {
    return this.#timestamps[i]!;
  }

  /** True when appending `batch` keeps the value column's type. */
  accepts(batch: Batch): boolean {
    return this.length === 0 || this.#values.accepts(batch.values);
  }

  /** Appends rows `[from, to)` of `batch`. */
  append(batch: Batch, from = 0, to = batch.length): this {
    if (to <= from) return this;
    const n = to - from;
    this.#timestamps = grow(this.#timestamps, this.length + n);
    this.#timestamps.set(batch.timestamps.subarray(from, to), this.length);
    this.#values = this.#values.appendColumn(batch.values, from, to);
    this.length += n;
    return this;
  }

  /** Appends the rows `indices[from…to)` of `batch` (a gather straight into this builder). */
  appendRows(batch: Batch, indices: Uint32Array, from = 0, to = indices.length): this {
    if (to <= from) return this;
    this.#timestamps = grow(this.#timestamps, this.length + to - from);
    const out = this.#timestamps;
    const src = batch.timestamps;
    let at = this.length;
    for (let j = from; j < to; j++) out[at++] = src[indices[j]!]!;
    this.#values = this.#values.appendRows(batch.values, indices, from, to);
    this.length = at;
    return this;
  }

  /** Appends one instance. */
  appendInstance(timestamp: number, value: unknown): this {
    if (this.length === this.#timestamps.length) {
      this.#timestamps = grow(this.#timestamps, this.length + 1);
    }
    this.#timestamps[this.length] = timestamp;
    this.#values = this.#values.appendValue(value);
    this.length++;
    return this;
  }

  valueAt(i: number): unknown {
    return this.#values.valueAt(i);
  }

  /** Rows `[from, to)` (all by default) as a batch of views. */
  view(from = 0, to = this.length): Batch {
    return {
      length: to - from,
      timestamps: this.#timestamps.subarray(from, to),
      values: this.length === 0 ? { type: 'object', values: [] } : this.#values.view(from, to),
    };
  }
}

/** One batch of all rows of `batches`, in order (the batch itself when there is one). */
export function concatBatches(batches: readonly Batch[]): Batch {
  if (batches.length === 1) return batches[0]!;
  let rows = 0;
  for (const b of batches) rows += b.length;
  const builder = new BatchBuilder(rows);
  for (const b of batches) builder.append(b);
  return builder.view();
}
