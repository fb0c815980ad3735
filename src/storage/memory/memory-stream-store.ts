import type { StreamId } from '../../streams/stream-id.js';
import type { StreamInstance } from '../../streams/stream-instance.js';
import { checkInstanceTimestamp } from '../../streams/stream-instance.js';
import type { TimeInterval } from '../../time/time-interval.js';
import { TimeIntervals } from '../../time/time-intervals.js';
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
  calculated: TimeIntervals;
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
    this.#streams.set(id.key, { id, instances: [], calculated: TimeIntervals.EMPTY });
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

  async *read(
    id: StreamId,
    interval: TimeInterval,
    options: ReadOptions = {},
  ): AsyncIterable<readonly StreamInstance[]> {
    const stream = this.#streams.get(id.key);
    if (!stream) return;
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
    const all = stream.instances;
    const from = firstAfter(all, interval.start);
    let to = firstAfter(all, interval.end); // exclusive
    const limit = options.limit ?? Infinity;
    if (to - from > limit) {
      if (options.reverse) {
        const start = to - limit;
        yield* reversedBatches(all, start, to, batchSize);
        return;
      }
      to = from + limit;
    }
    if (options.reverse) {
      yield* reversedBatches(all, from, to, batchSize);
      return;
    }
    for (let i = from; i < to; i += batchSize) {
      yield all.slice(i, Math.min(to, i + batchSize));
    }
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
    return Promise.resolve(this.#streams.get(id.key)?.calculated ?? TimeIntervals.EMPTY);
  }

  addCalculatedIntervals(id: StreamId, intervals: TimeIntervals): Promise<TimeIntervals> {
    const stream = this.#get(id);
    stream.calculated = stream.calculated.union(intervals);
    return Promise.resolve(stream.calculated);
  }

  removeCalculatedIntervals(id: StreamId, intervals: TimeIntervals): Promise<TimeIntervals> {
    const stream = this.#streams.get(id.key);
    if (!stream) return Promise.resolve(TimeIntervals.EMPTY);
    stream.calculated = stream.calculated.difference(intervals);
    return Promise.resolve(stream.calculated);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #get(id: StreamId): MemoryStream {
    let stream = this.#streams.get(id.key);
    if (!stream) {
      stream = { id, instances: [], calculated: TimeIntervals.EMPTY };
      this.#streams.set(id.key, stream);
    }
    return stream;
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

function* reversedBatches(
  all: readonly StreamInstance[],
  from: number,
  to: number,
  batchSize: number,
): Generator<readonly StreamInstance[]> {
  for (let end = to; end > from; end -= batchSize) {
    yield all.slice(Math.max(from, end - batchSize), end).reverse();
  }
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
