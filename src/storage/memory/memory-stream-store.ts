import type { Batch } from '../../streams/batch.js';
import {
  batchFromInstances,
  batchToInstances,
  checkBatchTimestamps,
  takeRows,
} from '../../streams/batch.js';
import { BatchBuilder } from '../../streams/batch-builder.js';
import type { StreamId } from '../../streams/stream-id.js';
import type { StreamInstance } from '../../streams/stream-instance.js';
import { checkInstanceTimestamp } from '../../streams/stream-instance.js';
import type { TimeInterval } from '../../time/time-interval.js';
import type { TimeIntervals } from '../../time/time-intervals.js';
import { CalculatedRanges } from '../calculated-ranges.js';
import type {
  ColumnReadOptions,
  ReadOptions,
  StreamFilter,
  StreamStore,
  StreamStoreCapabilities,
} from '../stream-store.js';

/** Rows of a chunk at most: windows are views of chunks, so a batch read is at most this long. */
export const CHUNK_ROWS = 65_536;
/**
 * A chunk this long is not grown (a reallocation and a copy): rows that do not fit start the next
 * chunk. Smaller chunks grow by doubling, so streams written a row at a time stay compact.
 */
const GROWN_CHUNK = 8192;
/** Below this, a chunk takes rows of another type (widening its column) rather than starting a new chunk. */
const SMALL_CHUNK = 1024;
const DEFAULT_BATCH = 4096;

/** Rows of a stream, sorted and unique by timestamp, appended to only (views of it stay valid). */
interface Chunk {
  readonly builder: BatchBuilder;
  first: number;
  last: number;
}

interface MemoryStream {
  readonly id: StreamId;
  /** Sorted, disjoint in time: every row of chunk i is before every row of chunk i + 1. */
  chunks: Chunk[];
  calculated: CalculatedRanges;
}

/** A row position: chunk `c`, row `r` (`c === chunks.length` is the end). */
interface Position {
  c: number;
  r: number;
}

/**
 * Streams held in memory as chunks of typed columns (timestamps in a `Float64Array`, values as
 * numbers, dictionary-encoded strings, struct fields or objects). A window `(start, end]` is found
 * by binary search and read as zero-copy views. Writes append to the last chunk; a write that
 * overlaps stored rows is merged in, the incoming value winning at an equal timestamp.
 */
export class MemoryStreamStore implements StreamStore {
  readonly capabilities: StreamStoreCapabilities = { atomicIntervalMerge: true, persistent: false };
  readonly #streams = new Map<string, MemoryStream>();

  ensureStream(id: StreamId): Promise<boolean> {
    if (this.#streams.has(id.key)) return Promise.resolve(false);
    this.#streams.set(id.key, { id, chunks: [], calculated: CalculatedRanges.EMPTY });
    return Promise.resolve(true);
  }

  hasStream(id: StreamId): Promise<boolean> {
    return Promise.resolve(this.#streams.has(id.key));
  }

  listStreams(filter: StreamFilter = {}): Promise<StreamId[]> {
    const ids: StreamId[] = [];
    for (const { id } of this.#streams.values()) {
      if (filter.name !== undefined && id.name !== filter.name) continue;
      if (filter.meta && !id.matches(filter.meta)) continue;
      ids.push(id);
    }
    return Promise.resolve(ids);
  }

  deleteStream(id: StreamId): Promise<void> {
    this.#streams.delete(id.key);
    return Promise.resolve();
  }

  write(id: StreamId, instances: readonly StreamInstance[]): Promise<number> {
    try {
      return Promise.resolve(this.#write(id, instances));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #write(id: StreamId, instances: readonly StreamInstance[]): number {
    const stream = this.#get(id);
    let sorted = true;
    for (let i = 0; i < instances.length; i++) {
      const timestamp = instances[i]!.timestamp;
      checkInstanceTimestamp(timestamp, id.key);
      if (i > 0 && timestamp <= instances[i - 1]!.timestamp) sorted = false;
    }
    if (instances.length === 0) return 0;
    const chunks = stream.chunks;
    const tail = chunks[chunks.length - 1];
    if (
      sorted &&
      instances.length <= SMALL_CHUNK &&
      (!tail || (tail.builder.length < SMALL_CHUNK && instances[0]!.timestamp > tail.last))
    ) {
      // A few instances after the last: appended row by row, with no batch made first.
      appendInstances(chunks, instances);
      return instances.length;
    }
    const batch = batchFromInstances(instances);
    insert(stream, sorted ? batch : sortedUnique(batch));
    return instances.length;
  }

  writeBatch(id: StreamId, batch: Batch): Promise<number> {
    try {
      const sorted = checkBatchTimestamps(batch, id.key);
      if (batch.length === 0) return Promise.resolve(0);
      insert(this.#get(id), sorted ? batch : sortedUnique(batch));
      return Promise.resolve(batch.length);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  read(
    id: StreamId,
    interval: TimeInterval,
    options: ReadOptions = {},
  ): AsyncIterable<readonly StreamInstance[]> {
    // A hand-written iterator rather than an async generator: `first`/`last` read one small
    // batch, and the generator machinery cost more than the read itself.
    return {
      [Symbol.asyncIterator]: () =>
        new InstanceCursor(this.#streams.get(id.key), interval, options),
    };
  }

  readColumns(
    id: StreamId,
    interval: TimeInterval,
    options: ColumnReadOptions = {},
  ): AsyncIterable<Batch> {
    return {
      [Symbol.asyncIterator]: () => new ColumnCursor(this.#streams.get(id.key), interval, options),
    };
  }

  count(id: StreamId, interval: TimeInterval): Promise<number> {
    const stream = this.#streams.get(id.key);
    if (!stream) return Promise.resolve(0);
    const { chunks } = stream;
    return Promise.resolve(
      rowsBetween(chunks, locate(chunks, interval.start), locate(chunks, interval.end)),
    );
  }

  deleteData(id: StreamId, interval?: TimeInterval): Promise<number> {
    const stream = this.#streams.get(id.key);
    if (!stream) return Promise.resolve(0);
    const { chunks } = stream;
    if (!interval) {
      stream.chunks = [];
      return Promise.resolve(rowsBetween(chunks, { c: 0, r: 0 }, { c: chunks.length, r: 0 }));
    }
    const from = locate(chunks, interval.start);
    const to = locate(chunks, interval.end);
    const deleted = rowsBetween(chunks, from, to);
    if (deleted === 0) return Promise.resolve(0);
    // The chunks the deletion touches are rebuilt (copied): views handed out earlier stay as they were.
    const kept = new ChunkWriter();
    if (from.r > 0) kept.append(chunks[from.c]!.builder.view(0, from.r));
    let end = to.c;
    if (to.c < chunks.length && to.r > 0) {
      const chunk = chunks[to.c]!;
      kept.append(chunk.builder.view(to.r, chunk.builder.length));
      end = to.c + 1;
    }
    stream.chunks = [...chunks.slice(0, from.c), ...kept.chunks, ...chunks.slice(end)];
    return Promise.resolve(deleted);
  }

  getCalculatedIntervals(id: StreamId): Promise<TimeIntervals> {
    return Promise.resolve(this.#ranges(id).intervals);
  }

  getCalculatedRanges(id: StreamId): Promise<CalculatedRanges> {
    return Promise.resolve(this.#ranges(id));
  }

  changeCalculatedRanges(
    id: StreamId,
    change: (current: CalculatedRanges) => CalculatedRanges,
  ): Promise<CalculatedRanges> {
    const next = change(this.#ranges(id));
    if (next.equals(this.#ranges(id))) return Promise.resolve(next);
    const stream = this.#get(id);
    stream.calculated = next;
    return Promise.resolve(next);
  }

  async addCalculatedIntervals(id: StreamId, intervals: TimeIntervals): Promise<TimeIntervals> {
    return (await this.changeCalculatedRanges(id, (current) => current.add(intervals))).intervals;
  }

  async removeCalculatedIntervals(id: StreamId, intervals: TimeIntervals): Promise<TimeIntervals> {
    return (await this.changeCalculatedRanges(id, (current) => current.remove(intervals)))
      .intervals;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #ranges(id: StreamId): CalculatedRanges {
    return this.#streams.get(id.key)?.calculated ?? CalculatedRanges.EMPTY;
  }

  #get(id: StreamId): MemoryStream {
    let stream = this.#streams.get(id.key);
    if (!stream) {
      stream = { id, chunks: [], calculated: CalculatedRanges.EMPTY };
      this.#streams.set(id.key, stream);
    }
    return stream;
  }
}

/** Builds chunks from batches appended in time order, starting a new chunk when one is full. */
class ChunkWriter {
  readonly chunks: Chunk[] = [];

  append(batch: Batch, from = 0, to = batch.length): void {
    const ts = batch.timestamps;
    let i = from;
    while (i < to) {
      let tail = this.chunks[this.chunks.length - 1];
      if (!tail || tail.builder.length >= CHUNK_ROWS) {
        const capacity = Math.min(CHUNK_ROWS, to - i);
        const builder = tail ? tail.builder.successor(capacity) : new BatchBuilder(capacity);
        tail = { builder, first: ts[i]!, last: 0 };
        this.chunks.push(tail);
      }
      const take = Math.min(to - i, CHUNK_ROWS - tail.builder.length);
      tail.builder.append(batch, i, i + take);
      tail.last = ts[i + take - 1]!;
      i += take;
    }
  }
}

/** Writes a sorted batch of unique timestamps into a stream. */
function insert(stream: MemoryStream, batch: Batch): void {
  const { chunks } = stream;
  const ts = batch.timestamps;
  const n = batch.length;
  const tail = chunks[chunks.length - 1];
  if (!tail || ts[0]! > tail.last) {
    append(chunks, batch);
    return;
  }
  // Chunks lo…hi overlap the batch's span; none of them: it fits in the gap before chunk lo.
  const lo = firstChunkEndingAtOrAfter(chunks, ts[0]!);
  let hi = lo - 1;
  while (hi + 1 < chunks.length && chunks[hi + 1]!.first <= ts[n - 1]!) hi++;
  const out = new ChunkWriter();
  let c = lo;
  let r = 0;
  let j = 0;
  while (c <= hi && j < n) {
    const chunk = chunks[c]!;
    const rows = chunk.builder.timestamps;
    const te = rows[r]!;
    const tb = ts[j]!;
    if (te < tb) {
      // Stored rows before the next incoming one.
      const until = firstAtOrAfter(rows, tb, r);
      out.append(chunk.builder.view(r, until));
      r = until;
    } else {
      // Incoming rows up to this stored one; an equal timestamp replaces it.
      const until = firstAfter(ts, te, j, n);
      out.append(batch, j, until);
      if (ts[until - 1] === te) r++;
      j = until;
    }
    if (r >= rows.length) {
      c++;
      r = 0;
    }
  }
  for (; c <= hi; c++, r = 0) {
    const chunk = chunks[c]!;
    out.append(chunk.builder.view(r, chunk.builder.length));
  }
  if (j < n) out.append(batch, j, n);
  chunks.splice(lo, hi - lo + 1, ...out.chunks);
}

/** Appends a few instances newer than every stored row to a small last chunk (or a new one). */
function appendInstances(chunks: Chunk[], instances: readonly StreamInstance[]): void {
  let tail = chunks[chunks.length - 1];
  if (!tail) {
    tail = {
      builder: new BatchBuilder(Math.max(16, instances.length)),
      first: instances[0]!.timestamp,
      last: 0,
    };
    chunks.push(tail);
  }
  for (const { timestamp, value } of instances) tail.builder.appendInstance(timestamp, value);
  tail.last = instances[instances.length - 1]!.timestamp;
}

/** Appends a batch newer than every stored row: into the last chunk while it has room and fits. */
function append(chunks: Chunk[], batch: Batch): void {
  const ts = batch.timestamps;
  const n = batch.length;
  let i = 0;
  while (i < n) {
    let tail = chunks[chunks.length - 1];
    if (
      !tail ||
      tail.builder.length >= CHUNK_ROWS ||
      (tail.builder.length >= SMALL_CHUNK && !tail.builder.accepts(batch)) ||
      (tail.builder.length >= GROWN_CHUNK && tail.builder.capacity - tail.builder.length < n - i)
    ) {
      const capacity = Math.min(CHUNK_ROWS, Math.max(n - i, tail ? GROWN_CHUNK : 0));
      // The next chunk shares the last one's string dictionaries (same codes for the same strings).
      const builder =
        tail && tail.builder.accepts(batch)
          ? tail.builder.successor(capacity)
          : new BatchBuilder(capacity);
      tail = { builder, first: ts[i]!, last: 0 };
      chunks.push(tail);
    }
    const room =
      tail.builder.length >= GROWN_CHUNK
        ? tail.builder.capacity - tail.builder.length
        : CHUNK_ROWS - tail.builder.length;
    const take = Math.min(n - i, room);
    tail.builder.append(batch, i, i + take);
    tail.last = ts[i + take - 1]!;
    i += take;
  }
}

/** The batch sorted by timestamp, keeping the last of equal timestamps (the latest write wins). */
function sortedUnique(batch: Batch): Batch {
  const ts = batch.timestamps;
  const order = Array.from({ length: batch.length }, (_, i) => i);
  order.sort((a, b) => ts[a]! - ts[b]! || a - b);
  const keep = new Uint32Array(order.length);
  let n = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (n > 0 && ts[keep[n - 1]!] === ts[i]) keep[n - 1] = i;
    else keep[n++] = i;
  }
  return takeRows(batch, keep, n);
}

/** Index of the first chunk whose last row is at or after `t` (chunks.length when none). */
function firstChunkEndingAtOrAfter(chunks: readonly Chunk[], t: number): number {
  let lo = 0;
  let hi = chunks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (chunks[mid]!.last < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Position of the first row with timestamp > t. */
function locate(chunks: readonly Chunk[], t: number): Position {
  let lo = 0;
  let hi = chunks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (chunks[mid]!.last <= t) lo = mid + 1;
    else hi = mid;
  }
  if (lo === chunks.length) return { c: lo, r: 0 };
  const rows = chunks[lo]!.builder.timestamps;
  return { c: lo, r: firstAfter(rows, t, 0, rows.length) };
}

function rowsBetween(chunks: readonly Chunk[], from: Position, to: Position): number {
  if (from.c === to.c) return to.r - from.r;
  let n = chunks[from.c]!.builder.length - from.r;
  for (let c = from.c + 1; c < to.c; c++) n += chunks[c]!.builder.length;
  return n + to.r;
}

/** Index of the first timestamp > t in `ts[lo, hi)`. */
function firstAfter(ts: Float64Array, t: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first timestamp >= t in `ts[lo, end)`. */
function firstAtOrAfter(ts: Float64Array, t: number, lo: number): number {
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The views of one window of a stream, oldest first (or, for instances, newest first), at most
 * `limit` rows in all and `batchSize` per view. Found on the first `next`, as a generator would.
 */
class WindowSlices {
  readonly #stream: MemoryStream | undefined;
  readonly #interval: TimeInterval;
  readonly #reverse: boolean;
  readonly #batchSize: number;
  #left: number;
  #chunks: readonly Chunk[] = [];
  #from: Position = { c: 0, r: 0 };
  #to: Position = { c: 0, r: 0 };
  #started = false;

  constructor(
    stream: MemoryStream | undefined,
    interval: TimeInterval,
    reverse: boolean,
    limit: number | undefined,
    batchSize: number,
  ) {
    this.#stream = stream;
    this.#interval = interval;
    this.#reverse = reverse;
    this.#left = Math.floor(limit ?? Infinity);
    this.#batchSize = Math.max(1, Math.floor(batchSize));
  }

  /** The next view, or undefined at the end. */
  next(): Batch | undefined {
    if (!this.#started) this.#start();
    if (this.#left <= 0) return undefined;
    const from = this.#from;
    const to = this.#to;
    if (from.c > to.c || (from.c === to.c && from.r >= to.r)) return undefined;
    let view: Batch;
    if (this.#reverse) {
      if (to.r === 0) {
        to.c--;
        to.r = this.#chunks[to.c]!.builder.length;
      }
      const low = from.c === to.c ? from.r : 0;
      const start = Math.max(low, to.r - this.#batchSize, to.r - this.#left);
      view = this.#chunks[to.c]!.builder.view(start, to.r);
      to.r = start;
    } else {
      const chunk = this.#chunks[from.c]!;
      const high = from.c === to.c ? to.r : chunk.builder.length;
      const end = Math.min(high, from.r + this.#batchSize, from.r + this.#left);
      view = chunk.builder.view(from.r, end);
      from.r = end;
      if (end >= chunk.builder.length) {
        from.c++;
        from.r = 0;
      }
    }
    this.#left -= view.length;
    return view.length > 0 ? view : this.next();
  }

  stop(): void {
    this.#left = 0;
  }

  #start(): void {
    this.#started = true;
    if (!this.#stream || this.#left <= 0) {
      this.#left = 0;
      return;
    }
    this.#chunks = this.#stream.chunks;
    this.#from = locate(this.#chunks, this.#interval.start);
    this.#to = locate(this.#chunks, this.#interval.end);
  }
}

/** Instances of one window of a memory stream, in batches (oldest first, or newest first). */
class InstanceCursor implements AsyncIterator<readonly StreamInstance[], undefined> {
  readonly #slices: WindowSlices;
  readonly #reverse: boolean;

  constructor(stream: MemoryStream | undefined, interval: TimeInterval, options: ReadOptions) {
    this.#reverse = options.reverse ?? false;
    this.#slices = new WindowSlices(
      stream,
      interval,
      this.#reverse,
      options.limit,
      options.batchSize ?? DEFAULT_BATCH,
    );
  }

  next(): Promise<IteratorResult<readonly StreamInstance[], undefined>> {
    const view = this.#slices.next();
    if (!view) return Promise.resolve(DONE);
    const batch = batchToInstances(view);
    return Promise.resolve({ done: false, value: this.#reverse ? batch.reverse() : batch });
  }

  return(): Promise<IteratorResult<readonly StreamInstance[], undefined>> {
    this.#slices.stop();
    return Promise.resolve(DONE);
  }
}

/** Column batches of one window of a memory stream: zero-copy views, oldest first. */
class ColumnCursor implements AsyncIterator<Batch, undefined> {
  readonly #slices: WindowSlices;

  constructor(
    stream: MemoryStream | undefined,
    interval: TimeInterval,
    options: ColumnReadOptions,
  ) {
    this.#slices = new WindowSlices(
      stream,
      interval,
      false,
      options.limit,
      options.batchSize ?? CHUNK_ROWS,
    );
  }

  next(): Promise<IteratorResult<Batch, undefined>> {
    const view = this.#slices.next();
    return Promise.resolve(view ? { done: false, value: view } : DONE);
  }

  return(): Promise<IteratorResult<Batch, undefined>> {
    this.#slices.stop();
    return Promise.resolve(DONE);
  }
}
