// Helpers for tools that work on column batches (the hot built-ins): partitioning rows by a key
// column, merging several sources by timestamp without an object per instance, and collecting
// outputs into batches.
import type { StreamView } from '../channels/stream-view.js';
import type { Batch, Column } from '../streams/batch.js';
import { columnLength, takeRows, valueAt } from '../streams/batch.js';
import { BatchBuilder } from '../streams/batch-builder.js';

/** Rows per output batch of the columnar helpers. */
export const COLUMN_BATCH_ROWS = 65_536;

/**
 * The target of every row of a key column, computed once per distinct key: `target(key)` gives
 * an index in `[0, targets)` or -1 (row dropped). A string column's dictionary is mapped once,
 * not row by row.
 */
export function keyTargets(column: Column, target: (key: unknown) => number): Int32Array {
  const n = columnLength(column);
  const out = new Int32Array(n);
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
 * per column per target): `result[k]` holds the rows whose target is `k`, in order, or is
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
  const out = new Array<Batch | undefined>(count);
  for (let k = 0; k < count; k++) {
    const size = sizes[k + 1]!;
    out[k] =
      size === 0 ? undefined : takeRows(batch, order.subarray(starts[k]!, starts[k]! + size));
  }
  return out;
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

  /** What is collected, as a batch (undefined when empty); starts a new one. */
  take(): Batch | undefined {
    if (this.#builder.length === 0) return undefined;
    const batch = this.#builder.view();
    this.#builder = new BatchBuilder(1024);
    return batch;
  }
}
