import type { StreamId } from '../../streams/stream-id.js';
import type { StreamInstance } from '../../streams/stream-instance.js';
import { checkInstanceTimestamp } from '../../streams/stream-instance.js';
import type { TimeInterval } from '../../time/time-interval.js';
import type { TimeIntervals } from '../../time/time-intervals.js';
import { CalculatedRanges } from '../calculated-ranges.js';
import type {
  ReadOptions,
  StreamFilter,
  StreamStore,
  StreamStoreCapabilities,
} from '../stream-store.js';

interface MemoryStream {
  readonly id: StreamId;
  /** Sorted by timestamp, unique timestamps. */
  instances: StreamInstance[];
  calculated: CalculatedRanges;
}

const DEFAULT_BATCH = 4096;

/**
 * Streams held in memory: each a sorted array; windows found by binary search; writes at an
 * existing timestamp replace the value; out-of-order writes are merged in place.
 */
export class MemoryStreamStore implements StreamStore {
  readonly capabilities: StreamStoreCapabilities = { atomicIntervalMerge: true, persistent: false };
  readonly #streams = new Map<string, MemoryStream>();

  ensureStream(id: StreamId): Promise<boolean> {
    if (this.#streams.has(id.key)) return Promise.resolve(false);
    this.#streams.set(id.key, { id, instances: [], calculated: CalculatedRanges.EMPTY });
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
    const stream = this.#get(id);
    const incoming: StreamInstance[] = new Array<StreamInstance>(instances.length);
    let sorted = true;
    for (let i = 0; i < instances.length; i++) {
      const { timestamp, value } = instances[i]!;
      checkInstanceTimestamp(timestamp, id.key);
      incoming[i] = { timestamp, value };
      if (i > 0 && timestamp <= instances[i - 1]!.timestamp) sorted = false;
    }
    if (incoming.length === 0) return Promise.resolve(0);
    const existing = stream.instances;
    const lastExisting = existing[existing.length - 1];
    if (sorted && (lastExisting === undefined || incoming[0]!.timestamp > lastExisting.timestamp)) {
      // The common case: appending newer data.
      for (const item of incoming) existing.push(item);
    } else {
      stream.instances = mergeByTimestamp(existing, sorted ? incoming : dedupeSorted(incoming));
    }
    return Promise.resolve(incoming.length);
  }

  read(
    id: StreamId,
    interval: TimeInterval,
    options: ReadOptions = {},
  ): AsyncIterable<readonly StreamInstance[]> {
    // A hand-written iterator rather than an async generator: `first`/`last` read one small
    // batch, and the generator machinery cost more than the read itself.
    return {
      [Symbol.asyncIterator]: () => new WindowCursor(this.#streams.get(id.key), interval, options),
    };
  }

  count(id: StreamId, interval: TimeInterval): Promise<number> {
    const all = this.#streams.get(id.key)?.instances ?? [];
    return Promise.resolve(firstAfter(all, interval.end) - firstAfter(all, interval.start));
  }

  deleteData(id: StreamId, interval?: TimeInterval): Promise<number> {
    const stream = this.#streams.get(id.key);
    if (!stream) return Promise.resolve(0);
    const all = stream.instances;
    if (!interval) {
      stream.instances = [];
      return Promise.resolve(all.length);
    }
    const from = firstAfter(all, interval.start);
    const to = firstAfter(all, interval.end);
    all.splice(from, to - from);
    return Promise.resolve(to - from);
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
      stream = { id, instances: [], calculated: CalculatedRanges.EMPTY };
      this.#streams.set(id.key, stream);
    }
    return stream;
  }
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Batches of one window of a memory stream, sliced lazily (oldest first, or newest first). */
class WindowCursor implements AsyncIterator<readonly StreamInstance[], undefined> {
  readonly #stream: MemoryStream | undefined;
  readonly #interval: TimeInterval;
  readonly #options: ReadOptions;
  #all: readonly StreamInstance[] = [];
  #from = 0;
  #to = 0;
  #batchSize = DEFAULT_BATCH;
  #started = false;

  constructor(stream: MemoryStream | undefined, interval: TimeInterval, options: ReadOptions) {
    this.#stream = stream;
    this.#interval = interval;
    this.#options = options;
  }

  next(): Promise<IteratorResult<readonly StreamInstance[], undefined>> {
    if (!this.#started) this.#start();
    if (this.#from >= this.#to) return Promise.resolve(DONE);
    let batch: StreamInstance[];
    if (this.#options.reverse) {
      const start = Math.max(this.#from, this.#to - this.#batchSize);
      batch = this.#all.slice(start, this.#to).reverse();
      this.#to = start;
    } else {
      const end = Math.min(this.#to, this.#from + this.#batchSize);
      batch = this.#all.slice(this.#from, end);
      this.#from = end;
    }
    return Promise.resolve({ done: false, value: batch });
  }

  return(): Promise<IteratorResult<readonly StreamInstance[], undefined>> {
    this.#from = this.#to;
    return Promise.resolve(DONE);
  }

  // On the first `next`, as a generator would: the window is found when reading starts.
  #start(): void {
    this.#started = true;
    if (!this.#stream) return;
    const all = this.#stream.instances;
    const { reverse, batchSize } = this.#options;
    const limit = Math.floor(this.#options.limit ?? Infinity);
    if (limit <= 0) return;
    this.#all = all;
    this.#batchSize = Math.max(1, batchSize ?? DEFAULT_BATCH);
    const { start, end } = this.#interval;
    // A limited read finds one end by binary search and checks the other by one comparison
    // (first/last/tail on a big stream would otherwise pay two searches of cache misses).
    if (reverse) {
      const to = firstAfter(all, end); // exclusive
      const from = to - limit;
      this.#to = to;
      this.#from = from > 0 && all[from]!.timestamp > start ? from : firstAfter(all, start);
      if (this.#from < from) this.#from = from;
    } else {
      const from = firstAfter(all, start);
      const to = from + limit; // exclusive
      this.#from = from;
      this.#to = to <= all.length && all[to - 1]!.timestamp <= end ? to : firstAfter(all, end);
      if (this.#to > to) this.#to = to;
    }
  }
}

/** Index of the first instance with timestamp > t (binary search). */
export function firstAfter(instances: readonly StreamInstance[], t: number): number {
  let lo = 0;
  let hi = instances.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (instances[mid]!.timestamp <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sorts by timestamp keeping the last of equal timestamps (the latest write wins). */
function dedupeSorted(items: StreamInstance[]): StreamInstance[] {
  const indexed = items.map((item, index) => ({ item, index }));
  indexed.sort((a, b) => a.item.timestamp - b.item.timestamp || a.index - b.index);
  const out: StreamInstance[] = [];
  for (const { item } of indexed) {
    const last = out[out.length - 1];
    if (last && last.timestamp === item.timestamp) out[out.length - 1] = item;
    else out.push(item);
  }
  return out;
}

/** Merges sorted unique `incoming` into sorted unique `existing`; incoming wins on ties. */
function mergeByTimestamp(
  existing: StreamInstance[],
  incoming: StreamInstance[],
): StreamInstance[] {
  const out: StreamInstance[] = [];
  let i = firstAfter(existing, incoming[0]!.timestamp - 1);
  for (let k = 0; k < i; k++) out.push(existing[k]!);
  let j = 0;
  while (i < existing.length && j < incoming.length) {
    const a = existing[i]!;
    const b = incoming[j]!;
    if (a.timestamp < b.timestamp) {
      out.push(a);
      i++;
    } else {
      out.push(b);
      j++;
      if (a.timestamp === b.timestamp) i++;
    }
  }
  while (i < existing.length) out.push(existing[i++]!);
  while (j < incoming.length) out.push(incoming[j++]!);
  return out;
}
