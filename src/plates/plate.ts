import type { MetaDataInput, MetaDataPair } from '../streams/stream-id.js';
import { StreamId } from '../streams/stream-id.js';
import type { MetaDataPath } from '../storage/meta-data-store.js';
import type { PlateConfig, PlateFilter } from '../storage/plate-store.js';
import type { MetaDataTree } from './meta-data-tree.js';

/**
 * A plate value: meta-data pairs including every ancestor pair, root first, e.g.
 * `[['country', 'NZ'], ['city', 'Auckland']]`. The empty value stands for "no plate".
 */
export type PlateValue = MetaDataPath;

/**
 * A "for-loop" over one meta-data key: its values are the tree nodes with that key directly under
 * each value of the parent plate (under the root for a plate without parent), filtered. Values are
 * computed from the tree when asked (cached per tree version), never frozen at creation.
 */
export class Plate {
  readonly id: string;
  readonly metaKey: string;
  readonly parent: Plate | undefined;
  readonly filter: PlateFilter;
  readonly description: string;
  readonly #tree: MetaDataTree;
  #cache: { version: number; values: PlateValue[] } | undefined;

  constructor(config: PlateConfig, parent: Plate | undefined, tree: MetaDataTree) {
    this.id = config.id;
    this.metaKey = config.metaKey;
    this.parent = parent;
    this.filter = config.filter;
    this.description = config.description ?? '';
    this.#tree = tree;
  }

  /** The meta-data keys of this plate's values, root first (ancestors' keys, then its own). */
  get keys(): readonly string[] {
    return this.parent ? [...this.parent.keys, this.metaKey] : [this.metaKey];
  }

  /** This plate and its ancestors, root first. */
  get ancestors(): Plate[] {
    return this.parent ? [...this.parent.ancestors, this] : [this];
  }

  /** True when `other` is this plate or one of its ancestors. */
  isDescendantOf(other: Plate): boolean {
    return this.ancestors.some((plate) => plate.id === other.id);
  }

  /** The current values, recomputed when the meta-data tree has changed. */
  values(): PlateValue[] {
    const version = this.#tree.version;
    if (this.#cache?.version !== version) {
      const parents: PlateValue[] = this.parent ? this.parent.values() : [[]];
      const values: PlateValue[] = [];
      for (const parentValue of parents) {
        for (const path of this.#tree.children(parentValue, this.metaKey)) {
          if (this.accepts(path[path.length - 1]![1])) values.push(path);
        }
      }
      this.#cache = { version, values };
    }
    return this.#cache.values;
  }

  /** True when the filter lets `value` (of this plate's key) through. */
  accepts(value: string): boolean {
    switch (this.filter.kind) {
      case 'all':
        return true;
      case 'include':
        return this.filter.values.includes(value);
      case 'exclude':
        return !this.filter.values.includes(value);
    }
  }

  toConfig(): PlateConfig {
    return {
      id: this.id,
      metaKey: this.metaKey,
      ...(this.parent ? { parent: this.parent.id } : {}),
      filter: this.filter,
      ...(this.description ? { description: this.description } : {}),
    };
  }

  toString(): string {
    return `Plate(${this.id}: ${this.keys.join('.')})`;
  }
}

const valueKeys = new WeakMap<PlateValue, string>();

/**
 * A canonical string for a plate value, independent of pair order (like `StreamId.key`). Cached
 * per value: plate values come from the meta-data tree and are reused across runs.
 */
export function plateValueKey(value: PlateValue): string {
  // Nothing to sort: cheaper than a cache lookup (and keeps one-off arrays out of the cache).
  if (value.length <= 1) return JSON.stringify(value);
  let key = valueKeys.get(value);
  if (key === undefined) {
    let sorted = true;
    for (let i = 1; i < value.length && sorted; i++) sorted = value[i - 1]![0] < value[i]![0];
    key = JSON.stringify(
      sorted ? value : [...value].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    );
    valueKeys.set(value, key);
  }
  return key;
}

/**
 * A plate value as the public API takes it: a plain object `{ country: 'NZ', city: 'Auckland' }`
 * or, as before, `[key, value]` pairs. Values may be strings, numbers or booleans (kept as text).
 */
export type PlateValueInput = MetaDataInput;

/** A plate value as the public API returns it: a plain object, e.g. `{ dest: 'ORD' }`. */
export type PlateValueObject = Readonly<Record<string, string>>;

/**
 * The pairs of a plate value given as an object or as pairs, checked as stream meta-data are
 * (`InvalidStreamIdError` naming the problem).
 */
export function toPlateValue(input: PlateValueInput): PlateValue {
  return StreamId.of('plate value', input).meta;
}

/** A plate value as a plain object (`[['dest', 'ORD']]` → `{ dest: 'ORD' }`). */
export function plateValueObject(value: PlateValue): PlateValueObject {
  return Object.fromEntries(value);
}

/** `country=NZ, city=Auckland`, or `(no plate)`. */
export function formatPlateValue(value: PlateValue): string {
  return value.length ? value.map(([k, v]) => `${k}=${v}`).join(', ') : '(no plate)';
}

/** The pairs of `value` whose keys are in `keys` (order kept); `value` itself when all are. */
export function projectPlateValue(value: PlateValue, keys: ReadonlySet<string>): PlateValue {
  for (const [k] of value) if (!keys.has(k)) return value.filter(([key]) => keys.has(key));
  return value;
}

interface Combined {
  /** The `values()` array of each plate the result was built from (identity = tree version). */
  readonly inputs: readonly PlateValue[][];
  readonly values: readonly PlateValue[];
}
const combined = new WeakMap<readonly Plate[], Combined>();

/**
 * The plate values of a node on several plates: every consistent union of one value per plate.
 * Nested plates collapse (a node on `C` and `C.C` has the values of `C.C`); unrelated plates give
 * the Cartesian product; any number of plates is allowed. Cached per `plates` array until the
 * meta-data tree changes; a value taken whole from one plate is that plate's value itself, so
 * caches keyed by plate value (stream ids, keys) keep hitting.
 */
export function combinePlateValues(plates: readonly Plate[]): PlateValue[] {
  const inputs = plates.map((plate) => plate.values());
  const cached = combined.get(plates);
  if (cached?.inputs.length === inputs.length && cached.inputs.every((v, i) => v === inputs[i])) {
    return [...cached.values];
  }
  let combos: PlateValue[] = [[]];
  for (const values of inputs) {
    const next: PlateValue[] = [];
    const seen = new Set<string>();
    for (const combo of combos) {
      const have = new Map(combo);
      for (const value of values) {
        let consistent = true;
        const extra: MetaDataPair[] = [];
        for (const pair of value) {
          const existing = have.get(pair[0]);
          if (existing === undefined) extra.push(pair);
          else if (existing !== pair[1]) {
            consistent = false;
            break;
          }
        }
        if (!consistent) continue;
        // `value` itself when it holds every pair of `combo` (a nested plate): same pairs, same order.
        const merged =
          extra.length === 0
            ? combo
            : combo.length + extra.length === value.length
              ? value
              : [...combo, ...extra];
        const key = plateValueKey(merged);
        if (!seen.has(key)) {
          seen.add(key);
          next.push(merged);
        }
      }
    }
    combos = next;
  }
  combined.set(plates, { inputs, values: combos });
  return [...combos];
}
