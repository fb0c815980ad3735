// A window as columns: what `view.toColumns()`, `view.toArrow()` and the file exports hand over.
// The shape of the values is inferred in one pass (ShapeAccumulator); toColumns fills typed
// arrays from the instances. Every backend is read through its batches today; a columnar store
// can hand over its column chunks here, without copies, behind the same `readColumns`.
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

/** The shape of `instances`' values. */
export function shapeOf(instances: readonly StreamInstance[]): ValueShape {
  const shape = new ShapeAccumulator();
  for (const item of instances) shape.add(item.value);
  return shape.shape();
}

/**
 * Reads a window into columns (see {@link Columns}) and says their shape: numbers as a
 * `Float64Array`, objects that share their fields as one column per field, anything else as an
 * array of values. An empty window is `kind: 'number'` with empty arrays. The one place a window
 * becomes columns (`toColumns`, `toArrow`): where a store keeps typed column chunks, they can be
 * handed over here without a copy.
 */
export async function readColumns(
  batches: AsyncIterable<readonly StreamInstance[]>,
): Promise<{ readonly columns: Columns; readonly shape: ValueShape }> {
  const instances: StreamInstance[] = [];
  for await (const batch of batches) for (const item of batch) instances.push(item);
  const shape = shapeOf(instances);
  return { columns: columnsOf(instances, shape), shape };
}

/** Instances as columns of the given shape (what exports write batch by batch). */
export function columnsOf(instances: readonly StreamInstance[], shape: ValueShape): Columns {
  const n = instances.length;
  const timestamps = new Float64Array(n);
  for (let i = 0; i < n; i++) timestamps[i] = instances[i]!.timestamp;
  switch (shape.kind) {
    case 'number': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = instances[i]!.value as number;
      return { kind: 'number', timestamps, values };
    }
    case 'fields': {
      const values: Record<string, Float64Array | unknown[]> = {};
      for (const field of shape.fields) {
        const column: Float64Array | unknown[] =
          field.type === 'float64' && !field.nullable ? new Float64Array(n) : new Array(n);
        for (let i = 0; i < n; i++) {
          column[i] = (instances[i]!.value as Record<string, number>)[field.name]!;
        }
        values[field.name] = column;
      }
      return { kind: 'fields', timestamps, values };
    }
    case 'values':
      return { kind: 'values', timestamps, values: instances.map((item) => item.value) };
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
