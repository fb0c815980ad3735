// Helpers for tools that work on column batches (the hot built-ins): partitioning rows by a key
// column, merging several sources by timestamp without an object per instance, and collecting
// outputs into batches.
import type { StreamView } from '../channels/stream-view.js';
import type { Batch, Column } from '../streams/batch.js';
import { columnLength, sliceBatch, takeRows, valueAt } from '../streams/batch.js';
import { BatchBuilder } from '../streams/batch-builder.js';

/** Rows per output batch of the columnar helpers. */
export const COLUMN_BATCH_ROWS = 65_536;

/**
 * The target of every row of a key column, computed once per distinct key: `target(key)` gives
 * an index in `[0, targets)` or -1 (row dropped). A string column's dictionary is mapped once,
 * not row by row. `scratch` (long enough) is filled instead of a new array.
 */
export function keyTargets(
  column: Column,
  target: (key: unknown) => number,
  scratch?: Int32Array,
): Int32Array {
  const n = columnLength(column);
  const out = scratch && scratch.length >= n ? scratch.subarray(0, n) : new Int32Array(n);
  if (column.type === 'string') {
    const { codes, dictionary } = column;
    const byCode = new Int32Array(dictionary.length).fill(-2);
    for (let i = 0; i < n; i++) {
      const code = codes[i]!;
      let t = byCode[code]!;
      if (t === -2) t = byCode[code] = target(dictionary[code]);
      out[i] = t;
    }
    return out;
  }
  if (column.type === 'number') {
    const values = column.values;
    const cache = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const key = values[i]!;
      let t = cache.get(key);
      if (t === undefined) cache.set(key, (t = target(key)));
      out[i] = t;
    }
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = target(valueAt(column, i));
  return out;
}

/**
 * Splits a batch by row target (a counting sort: one pass to count, one to place, then one gather
 * per column): `result[k]` holds the rows whose target is `k`, in order, or is
 * undefined when there are none. Rows with target -1 are dropped.
 */
export function partitionRows(
  batch: Batch,
  targets: Int32Array,
  count: number,
): (Batch | undefined)[] {
  const n = batch.length;
  const sizes = new Uint32Array(count + 1);
  for (let i = 0; i < n; i++) sizes[targets[i]! + 1]!++;
  const starts = new Uint32Array(count + 1);
  let at = 0;
  for (let k = 0; k < count; k++) {
    starts[k] = at;
    at += sizes[k + 1]!;
  }
  starts[count] = at;
  const order = new Uint32Array(at);
  const next = starts.slice(0, count);
  for (let i = 0; i < n; i++) {
    const t = targets[i]!;
    if (t >= 0) order[next[t]!++] = i;
  }
  // One gather per column for all targets; each target's rows are then a zero-copy view of it.
  const sorted = takeRows(batch, order);
  const out = new Array<Batch | undefined>(count);
  for (let k = 0; k < count; k++) {
    const size = sizes[k + 1]!;
    out[k] = size === 0 ? undefined : sliceBatch(sorted, starts[k]!, starts[k]! + size);
  }
  return out;
}

type Leaf = Float64Array | Uint32Array | unknown[];

/** One target's rows so far: timestamps and one array per leaf column. */
interface TargetRows {
  ts: Float64Array;
  leaves: Leaf[];
  length: number;
}

/** The value layout the partitioner holds: the struct fields (or none), and each leaf's type. */
interface Layout {
  readonly fields: readonly string[] | undefined;
  readonly types: readonly Column['type'][];
  readonly dictionaries: readonly (readonly string[] | undefined)[];
}

/**
 * Splits column batches by row target, scattering each column in one sequential pass straight
 * into per-target buffers (no per-row object, no intermediate copy), and hands out a target's rows
 * once it has `rows` of them: the way a splitter turns one stream into many.
 */
export class Partitioner {
  readonly #targets: (TargetRows | undefined)[];
  readonly #rows: number;
  #layout: Layout | undefined;
  #sizes = new Uint32Array(0);
  #positions = new Uint32Array(0);

  constructor(targets: number, rows = 8192) {
    this.#targets = new Array<TargetRows | undefined>(targets);
    this.#rows = rows;
  }

  /**
   * Adds the rows of `batch` to their targets (`targets[i]`, -1: dropped); returns the targets
   * that became full, with their rows, in target order (and, when the batch's layout differs from
   * what is held, everything held before it).
   */
  add(batch: Batch, targets: Int32Array): [number, Batch][] {
    const count = this.#targets.length;
    const n = batch.length;
    const { layout, leaves } = layoutOf(batch.values);
    const out = this.#layout && !sameLayout(this.#layout, layout) ? this.flush() : [];
    this.#layout = layout;
    if (this.#sizes.length < count) {
      this.#sizes = new Uint32Array(count);
      this.#positions = new Uint32Array(count);
    }
    const sizes = this.#sizes;
    sizes.fill(0);
    for (let i = 0; i < n; i++) {
      const k = targets[i]!;
      if (k >= 0) sizes[k]!++;
    }
    for (let k = 0; k < count; k++) {
      if (sizes[k]! > 0) this.#reserve(k, layout, sizes[k]!);
    }
    const held = this.#targets as TargetRows[];
    const positions = this.#positions;
    const start = (): void => {
      for (let k = 0; k < count; k++) positions[k] = held[k]?.length ?? 0;
    };
    // One monomorphic pass per column: sequential reads, each target's buffer written in order.
    start();
    scatterF64(
      targets,
      n,
      batch.timestamps,
      held.map((rows) => rows?.ts),
      positions,
    );
    for (let f = 0; f < leaves.length; f++) {
      start();
      const leaf = leaves[f]!;
      const dsts = held.map((rows) => rows?.leaves[f]);
      if (leaf.type === 'number')
        scatterF64(targets, n, leaf.values, dsts as Float64Array[], positions);
      else if (leaf.type === 'string')
        scatterU32(targets, n, leaf.codes, dsts as Uint32Array[], positions);
      else {
        for (let i = 0; i < n; i++) {
          const k = targets[i]!;
          if (k >= 0) (dsts[k] as unknown[])[positions[k]!++] = valueAt(leaf, i);
        }
      }
    }
    for (let k = 0; k < count; k++) {
      const rows = held[k];
      if (!rows || sizes[k] === 0) continue;
      rows.length += sizes[k]!;
      if (rows.length >= this.#rows) out.push([k, this.#take(k)]);
    }
    return out;
  }

  /** What every target holds, in target order (targets with no rows left out); empties them. */
  flush(): [number, Batch][] {
    const out: [number, Batch][] = [];
    for (let k = 0; k < this.#targets.length; k++) {
      if ((this.#targets[k]?.length ?? 0) > 0) out.push([k, this.#take(k)]);
    }
    return out;
  }

  #take(k: number): Batch {
    const rows = this.#targets[k]!;
    const layout = this.#layout!;
    const n = rows.length;
    const columns = rows.leaves.map((leaf, f): Column => {
      const type = layout.types[f]!;
      if (type === 'number') return { type, values: (leaf as Float64Array).subarray(0, n) };
      if (type === 'string') {
        return {
          type,
          codes: (leaf as Uint32Array).subarray(0, n),
          dictionary: layout.dictionaries[f]!,
        };
      }
      return { type: 'object', values: (leaf as unknown[]).slice(0, n) };
    });
    this.#targets[k] = undefined;
    const values: Column = layout.fields
      ? { type: 'struct', fields: layout.fields, columns }
      : columns[0]!;
    return { length: n, timestamps: rows.ts.subarray(0, n), values };
  }

  #reserve(k: number, layout: Layout, more: number): void {
    const rows = this.#targets[k];
    const needed = (rows?.length ?? 0) + more;
    if (rows && rows.ts.length >= needed) return;
    // Doubling up to the hand-out size: small targets stay small, big ones are copied O(1) times.
    const capacity = Math.max(
      needed,
      Math.min(this.#rows, Math.max(256, 4 * more, 2 * (rows?.ts.length ?? 0))),
    );
    const ts = new Float64Array(capacity);
    const leaves = layout.types.map((type): Leaf => {
      if (type === 'number') return new Float64Array(capacity);
      if (type === 'string') return new Uint32Array(capacity);
      return new Array<unknown>(capacity);
    });
    if (rows) {
      ts.set(rows.ts.subarray(0, rows.length));
      for (let f = 0; f < leaves.length; f++) {
        const from = rows.leaves[f]!;
        const to = leaves[f]!;
        if (Array.isArray(to)) for (let i = 0; i < rows.length; i++) to[i] = (from as unknown[])[i];
        else (to as Float64Array).set((from as Float64Array).subarray(0, rows.length));
      }
    }
    this.#targets[k] = { ts, leaves, length: rows?.length ?? 0 };
  }
}

function scatterF64(
  targets: Int32Array,
  n: number,
  src: Float64Array,
  dsts: readonly (Float64Array | undefined)[],
  positions: Uint32Array,
): void {
  for (let i = 0; i < n; i++) {
    const k = targets[i]!;
    if (k >= 0) dsts[k]![positions[k]!++] = src[i]!;
  }
}

function scatterU32(
  targets: Int32Array,
  n: number,
  src: Uint32Array,
  dsts: readonly (Uint32Array | undefined)[],
  positions: Uint32Array,
): void {
  for (let i = 0; i < n; i++) {
    const k = targets[i]!;
    if (k >= 0) dsts[k]![positions[k]!++] = src[i]!;
  }
}

/** The leaves of a value column (a struct's fields, or the column itself) and their layout. */
function layoutOf(column: Column): { layout: Layout; leaves: Column[] } {
  const leaves = column.type === 'struct' ? [...column.columns] : [column];
  // Nested structs and objects are held as objects.
  const types = leaves.map((leaf) => (leaf.type === 'struct' ? 'object' : leaf.type));
  return {
    layout: {
      fields: column.type === 'struct' ? column.fields : undefined,
      types,
      dictionaries: leaves.map((leaf) => (leaf.type === 'string' ? leaf.dictionary : undefined)),
    },
    leaves,
  };
}

function sameLayout(a: Layout, b: Layout): boolean {
  if ((a.fields === undefined) !== (b.fields === undefined)) return false;
  if (
    a.fields &&
    b.fields &&
    (a.fields.length !== b.fields.length || a.fields.some((f, i) => f !== b.fields![i]))
  ) {
    return false;
  }
  if (a.types.length !== b.types.length) return false;
  for (let i = 0; i < a.types.length; i++) {
    if (a.types[i] !== b.types[i] || a.dictionaries[i] !== b.dictionaries[i]) return false;
  }
  return true;
}

/** Groups of entries sharing a timestamp, as flat arrays (one chunk of a merge). */
export interface MergedGroups {
  /** Number of groups (distinct timestamps) in this chunk. */
  readonly count: number;
  readonly timestamps: Float64Array;
  /** Entries of group g are `offsets[g] … offsets[g + 1] − 1`. */
  readonly offsets: Uint32Array;
  /** The source index of each entry (sources in the order given, increasing within a group). */
  readonly sources: Uint32Array;
  /** The value of each entry. */
  readonly values: readonly unknown[];
}

interface MergeCursor {
  readonly index: number;
  readonly batches: AsyncIterator<Batch>;
  ts: Float64Array;
  column: Column;
  position: number;
  length: number;
}

const GROUPS_PER_CHUNK = 4096;

/**
 * Merges time-sorted views by timestamp, reading each as column batches (one await per batch,
 * none per instance). Yields chunks of groups. Dense inputs (sources sharing most timestamps, as
 * aggregates over a plate do) are merged by scanning the sources' heads; sparse ones by a heap.
 */
export async function* mergeColumnsByTimestamp(
  views: readonly StreamView[],
): AsyncIterable<MergedGroups> {
  const cursors: MergeCursor[] = [];
  for (const [index, view] of views.entries()) {
    const cursor: MergeCursor = {
      index,
      batches: view.columns()[Symbol.asyncIterator](),
      ts: new Float64Array(0),
      column: { type: 'object', values: [] },
      position: 0,
      length: 0,
    };
    if (await refill(cursor)) cursors.push(cursor);
  }
  let active = cursors;
  let timestamps = new Float64Array(GROUPS_PER_CHUNK);
  let offsets = new Uint32Array(GROUPS_PER_CHUNK + 1);
  let sources: number[] = [];
  let values: unknown[] = [];
  let groups = 0;
  let rounds = 0;
  let entries = 0;
  let heap: MergeCursor[] | undefined;
  const flush = (): MergedGroups => {
    offsets[groups] = values.length;
    const chunk: MergedGroups = {
      count: groups,
      timestamps: timestamps.subarray(0, groups),
      offsets: offsets.subarray(0, groups + 1),
      sources: Uint32Array.from(sources),
      values,
    };
    timestamps = new Float64Array(GROUPS_PER_CHUNK);
    offsets = new Uint32Array(GROUPS_PER_CHUNK + 1);
    sources = [];
    values = [];
    groups = 0;
    return chunk;
  };
  while (active.length > 0) {
    // Sparse (few entries per timestamp among many sources): a heap costs log k, not k, per entry.
    if (!heap && active.length > 16 && rounds >= 256 && entries * 4 < rounds * active.length) {
      heap = [];
      for (const cursor of active) heapPush(heap, cursor);
    }
    let t: number;
    offsets[groups] = values.length;
    if (heap) {
      if (heap.length === 0) break;
      const top = heap[0]!;
      t = top.ts[top.position]!;
      while (heap.length > 0 && heap[0]!.ts[heap[0]!.position] === t) {
        const cursor = heap[0]!;
        sources.push(cursor.index);
        values.push(valueAt(cursor.column, cursor.position));
        if (++cursor.position < cursor.length || (await refill(cursor))) heapDown(heap, 0);
        else {
          const last = heap.pop()!;
          if (heap.length > 0) {
            heap[0] = last;
            heapDown(heap, 0);
          }
        }
      }
      // Entries of one group must come in source order.
      sortGroup(sources, values, offsets[groups]!);
    } else {
      t = Infinity;
      for (let k = 0; k < active.length; k++) {
        const c = active[k]!;
        const tc = c.ts[c.position]!;
        if (tc < t) t = tc;
      }
      let exhausted = false;
      for (let k = 0; k < active.length; k++) {
        const c = active[k]!;
        if (c.ts[c.position] !== t) continue;
        sources.push(c.index);
        values.push(valueAt(c.column, c.position));
        entries++;
        if (++c.position >= c.length && !(await refill(c))) exhausted = true;
      }
      rounds++;
      if (exhausted) active = active.filter((c) => c.position < c.length);
    }
    timestamps[groups++] = t;
    if (groups === GROUPS_PER_CHUNK) yield flush();
  }
  if (groups > 0) yield flush();
}

async function refill(cursor: MergeCursor): Promise<boolean> {
  for (;;) {
    const next = await cursor.batches.next();
    if (next.done) {
      cursor.position = cursor.length = 0;
      return false;
    }
    if (next.value.length === 0) continue;
    cursor.ts = next.value.timestamps;
    cursor.column = next.value.values;
    cursor.position = 0;
    cursor.length = next.value.length;
    return true;
  }
}

function heapLess(a: MergeCursor, b: MergeCursor): boolean {
  const ta = a.ts[a.position]!;
  const tb = b.ts[b.position]!;
  return ta < tb || (ta === tb && a.index < b.index);
}

function heapPush(heap: MergeCursor[], cursor: MergeCursor): void {
  heap.push(cursor);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!heapLess(heap[i]!, heap[parent]!)) return;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function heapDown(heap: MergeCursor[], i: number): void {
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && heapLess(heap[left]!, heap[smallest]!)) smallest = left;
    if (right < heap.length && heapLess(heap[right]!, heap[smallest]!)) smallest = right;
    if (smallest === i) return;
    [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
    i = smallest;
  }
}

/** Sorts the entries from `from` on by source index (a heap pops equal timestamps by index already; kept as a guard). */
function sortGroup(sources: number[], values: unknown[], from: number): void {
  for (let i = from + 1; i < sources.length; i++) {
    if (sources[i]! < sources[i - 1]!) {
      const pairs = sources.slice(from).map((s, k) => [s, values[from + k]] as const);
      pairs.sort((a, b) => a[0] - b[0]);
      for (let k = 0; k < pairs.length; k++) {
        sources[from + k] = pairs[k]![0];
        values[from + k] = pairs[k]![1];
      }
      return;
    }
  }
}

/** Collects outputs row by row and hands them out as column batches of a bounded size. */
export class BatchCollector {
  #builder = new BatchBuilder(1024);
  readonly #rows: number;

  constructor(rows = COLUMN_BATCH_ROWS) {
    this.#rows = rows;
  }

  get length(): number {
    return this.#builder.length;
  }

  /** Adds a row; returns a full batch to yield when one is ready. */
  add(timestamp: number, value: unknown): Batch | undefined {
    this.#builder.appendInstance(timestamp, value);
    return this.#builder.length >= this.#rows ? this.take() : undefined;
  }

  /** Adds a row (collect full batches with {@link BatchCollector.full}). */
  push(timestamp: number, value: unknown): void {
    this.#builder.appendInstance(timestamp, value);
  }

  /** A full batch to yield when one is ready, else undefined. */
  full(): Batch | undefined {
    return this.#builder.length >= this.#rows ? this.take() : undefined;
  }

  /** What is collected, as a batch (undefined when empty); starts a new one. */
  take(): Batch | undefined {
    if (this.#builder.length === 0) return undefined;
    const batch = this.#builder.view();
    this.#builder = new BatchBuilder(1024);
    return batch;
  }
}
