// A window as columns: what `view.toColumns()`, `view.toArrow()` and the file exports hand over.
// toColumns reads the window's column batches (a columnar store's chunks, handed out without
// copies): number columns, and the number fields of struct columns, are copied into the result with
// one memcpy per batch, string fields read through their dictionaries, with no object per
// instance; other values have their shape inferred in one pass (ShapeAccumulator), as the file
// exports do for instances.
import type { Batch, Column, StringColumn, StructColumn } from '../streams/batch.js';
import { columnValues } from '../streams/batch.js';
import type { StreamInstance } from '../streams/stream-instance.js';

/** The type of one exported column of values. */
export type ColumnType = 'float64' | 'utf8' | 'bool' | 'json';

/** One field of object values, and its type. */
export interface FieldShape {
  readonly name: string;
  readonly type: ColumnType;
  /** True when some values lack it or hold `null`/`undefined`. */
  readonly nullable: boolean;
}

/**
 * What a window's values look like: all numbers; objects that share their fields (one column per
 * field); or anything else (one column of `type`).
 */
export type ValueShape =
  | { readonly kind: 'number' }
  | { readonly kind: 'fields'; readonly fields: readonly FieldShape[] }
  | { readonly kind: 'values'; readonly type: ColumnType; readonly nullable: boolean };

/** A window as columns; `kind` says which form `values` has. */
export type Columns =
  | {
      readonly kind: 'number';
      readonly timestamps: Float64Array;
      readonly values: Float64Array;
    }
  | {
      readonly kind: 'fields';
      readonly timestamps: Float64Array;
      /** One column per field: a `Float64Array` for numbers (without gaps), else an array. */
      readonly values: Readonly<Record<string, Float64Array | unknown[]>>;
    }
  | {
      readonly kind: 'values';
      readonly timestamps: Float64Array;
      readonly values: unknown[];
    };

/** Tracks which JavaScript types a column has held. */
class TypeTracker {
  #number = false;
  #string = false;
  #boolean = false;
  #other = false;
  nullable = false;

  add(value: unknown): void {
    if (value === null || value === undefined) this.nullable = true;
    else if (typeof value === 'number') this.#number = true;
    else if (typeof value === 'string') this.#string = true;
    else if (typeof value === 'boolean') this.#boolean = true;
    else this.#other = true;
  }

  get type(): ColumnType {
    const kinds = Number(this.#number) + Number(this.#string) + Number(this.#boolean);
    if (this.#other || kinds > 1) return 'json';
    if (this.#number) return 'float64';
    if (this.#boolean) return 'bool';
    return 'utf8';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Infers the {@link ValueShape} of values seen one at a time (one pass, constant memory). */
export class ShapeAccumulator {
  #count = 0;
  #allNumbers = true;
  /** The shared fields (first object's key order), while every value is an object with them. */
  #fields: Map<string, TypeTracker> | undefined = new Map();
  readonly #values = new TypeTracker();

  /** Values seen. */
  get count(): number {
    return this.#count;
  }

  add(value: unknown): void {
    this.#count += 1;
    this.#values.add(value);
    if (typeof value !== 'number') this.#allNumbers = false;
    const fields = this.#fields;
    if (fields === undefined) return;
    if (!isPlainObject(value)) {
      this.#fields = undefined;
      return;
    }
    if (this.#count === 1) {
      for (const key of Object.keys(value)) fields.set(key, new TypeTracker());
    } else if (Object.keys(value).length !== fields.size) {
      this.#fields = undefined;
      return;
    }
    for (const [key, tracker] of fields) {
      if (!Object.hasOwn(value, key)) {
        this.#fields = undefined;
        return;
      }
      tracker.add(value[key]);
    }
  }

  shape(): ValueShape {
    if (this.#allNumbers) return { kind: 'number' };
    if (this.#fields !== undefined && this.#fields.size > 0) {
      return {
        kind: 'fields',
        fields: [...this.#fields].map(([name, tracker]) => ({
          name,
          type: tracker.type,
          nullable: tracker.nullable,
        })),
      };
    }
    return { kind: 'values', type: this.#values.type, nullable: this.#values.nullable };
  }
}

/**
 * Reads a window's column batches into columns (see {@link Columns}) and says their shape: numbers
 * as a `Float64Array`, objects that share their fields as one column per field, anything else as
 * an array of values. An empty window is `kind: 'number'` with empty arrays. The one place a
 * window becomes columns (`toColumns`, `toArrow`). The result owns its arrays: typed columns are
 * copied out of the batches (the store's memory) in one `set` per batch.
 */
export async function readColumns(
  batches: AsyncIterable<Batch>,
): Promise<{ readonly columns: Columns; readonly shape: ValueShape }> {
  const parts: Batch[] = [];
  let rows = 0;
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    parts.push(batch);
    rows += batch.length;
  }
  const timestamps = concatNumbers(
    parts.map((b) => b.timestamps),
    rows,
  );
  const numbers = numberParts(parts.map((b) => b.values));
  if (numbers) {
    return {
      columns: { kind: 'number', timestamps, values: concatNumbers(numbers, rows) },
      shape: { kind: 'number' },
    };
  }
  const structs = sharedStruct(parts.map((b) => b.values));
  if (structs) return structColumns(timestamps, structs, rows);
  const values = new Array<unknown>(rows);
  let at = 0;
  for (const part of parts) {
    for (const value of columnValues(part.values)) values[at++] = value;
  }
  const accumulator = new ShapeAccumulator();
  for (const value of values) accumulator.add(value);
  const shape = accumulator.shape();
  return { columns: columnsFromValues(timestamps, values, shape), shape };
}

/** The number arrays of `columns` when every one is a number column. */
function numberParts(columns: readonly Column[]): Float64Array[] | undefined {
  const out: Float64Array[] = [];
  for (const column of columns) {
    if (column.type !== 'number') return undefined;
    out.push(column.values);
  }
  return out;
}

/** `columns` when every one is a struct column with the same fields in the same order. */
function sharedStruct(columns: readonly Column[]): StructColumn[] | undefined {
  const first = columns[0];
  if (first?.type !== 'struct' || first.fields.length === 0) return undefined;
  const out: StructColumn[] = [];
  for (const column of columns) {
    if (column.type !== 'struct' || column.fields.length !== first.fields.length) return undefined;
    if (column.fields.some((field, k) => field !== first.fields[k])) return undefined;
    out.push(column);
  }
  return out;
}

/** One column per field of struct batches: number fields copied whole, others typed by their values. */
function structColumns(
  timestamps: Float64Array,
  structs: readonly StructColumn[],
  rows: number,
): { readonly columns: Columns; readonly shape: ValueShape } {
  const values: Record<string, Float64Array | unknown[]> = {};
  const fields: FieldShape[] = [];
  structs[0]!.fields.forEach((name, k) => {
    const parts = structs.map((struct) => struct.columns[k]!);
    const numbers = numberParts(parts);
    if (numbers) {
      values[name] = concatNumbers(numbers, rows);
      fields.push({ name, type: 'float64', nullable: false });
      return;
    }
    if (parts.every((part) => part.type === 'string')) {
      values[name] = stringValues(parts, rows);
      fields.push({ name, type: 'utf8', nullable: false });
      return;
    }
    const column = new Array<unknown>(rows);
    const tracker = new TypeTracker();
    let at = 0;
    for (const part of parts) {
      for (const value of columnValues(part)) {
        tracker.add(value);
        column[at++] = value;
      }
    }
    const type = tracker.type;
    values[name] =
      type === 'float64' && !tracker.nullable ? Float64Array.from(column as number[]) : column;
    fields.push({ name, type, nullable: tracker.nullable });
  });
  return { columns: { kind: 'fields', timestamps, values }, shape: { kind: 'fields', fields } };
}

/** The strings of dictionary-encoded columns, in one array. */
function stringValues(parts: readonly StringColumn[], rows: number): string[] {
  const out = new Array<string>(rows);
  let at = 0;
  for (const { codes, dictionary } of parts) {
    for (let i = 0; i < codes.length; i++) out[at++] = dictionary[codes[i]!]!;
  }
  return out;
}

function concatNumbers(parts: readonly Float64Array[], rows: number): Float64Array {
  const out = new Float64Array(rows);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Instances as columns of the given shape (what exports write batch by batch). */
export function columnsOf(instances: readonly StreamInstance[], shape: ValueShape): Columns {
  const n = instances.length;
  const timestamps = new Float64Array(n);
  const values = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = instances[i]!.timestamp;
    values[i] = instances[i]!.value;
  }
  return columnsFromValues(timestamps, values, shape);
}

/** Values (one per timestamp) as columns of the given shape. */
function columnsFromValues(
  timestamps: Float64Array,
  values: unknown[],
  shape: ValueShape,
): Columns {
  const n = values.length;
  switch (shape.kind) {
    case 'number':
      return { kind: 'number', timestamps, values: Float64Array.from(values as number[]) };
    case 'fields': {
      const columns: Record<string, Float64Array | unknown[]> = {};
      for (const field of shape.fields) {
        const column: Float64Array | unknown[] =
          field.type === 'float64' && !field.nullable ? new Float64Array(n) : new Array(n);
        for (let i = 0; i < n; i++) {
          column[i] = (values[i] as Record<string, number>)[field.name]!;
        }
        columns[field.name] = column;
      }
      return { kind: 'fields', timestamps, values: columns };
    }
    case 'values':
      return { kind: 'values', timestamps, values };
  }
}

/** The columns of a table of this shape: `timestamp`, then `value` or the fields. */
export interface TableColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  /** The values of this column in `columns` (a field, or the values themselves). */
  readonly read: (columns: Columns) => ArrayLike<unknown>;
}

/**
 * The value columns of a table (`timestamp` comes first and is not listed): `value`, or one per
 * field; a field named `timestamp` becomes `value.timestamp`.
 */
export function tableColumns(shape: ValueShape): TableColumn[] {
  switch (shape.kind) {
    case 'number':
      return [
        { name: 'value', type: 'float64', nullable: false, read: (c) => c.values as Float64Array },
      ];
    case 'values':
      return [
        {
          name: 'value',
          type: shape.type,
          nullable: shape.nullable,
          read: (c) => c.values as unknown[],
        },
      ];
    case 'fields':
      return shape.fields.map((field) => ({
        name: field.name === 'timestamp' ? 'value.timestamp' : field.name,
        type: field.type,
        nullable: field.nullable,
        read: (c) => (c.values as Record<string, Float64Array | unknown[]>)[field.name]!,
      }));
  }
}

/** A cell of a `json` column as text (`null` stays null). */
export function jsonCell(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? item.toString() : item,
  );
}
