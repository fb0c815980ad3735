// Helpers shared by the structure-changing built-in tools (aggregate, multi-output, selector,
// plate creation) and the importers.
import { z } from 'zod';
import { ExecutionAbortedError, ToolExecutionError } from '../errors.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import type { StreamView } from '../channels/stream-view.js';
import { parseTimeInterval } from '../time/parse-interval.js';
import { TimeInterval } from '../time/time-interval.js';
import { formatTimestamp } from '../time/timestamp.js';
import type {
  BaseToolContext,
  MultiOutputToolContext,
  SourceWindow,
  TaggedInstance,
} from './tool.js';

/** True for a plain object (a dict): not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws {@link ExecutionAbortedError} when the run is being stopped (call between batches). */
export function throwIfAborted(ctx: BaseToolContext<unknown>, tool: string): void {
  if (ctx.signal.aborted) {
    throw new ExecutionAbortedError(
      `tool "${tool}" was stopped before it finished ${String(ctx.interval)}`,
      {
        tool,
        interval: ctx.interval.toJSON(),
      },
    );
  }
}

/** The values several sources have at one timestamp, in source order. */
export interface TimestampGroup<T = unknown> {
  readonly timestamp: number;
  /** `index` is the position of the source in the list given to {@link mergeByTimestamp}. */
  readonly entries: readonly { readonly index: number; readonly value: T }[];
}

interface Cursor {
  readonly index: number;
  readonly batches: AsyncIterator<readonly StreamInstance[]>;
  batch: readonly StreamInstance[];
  position: number;
}

/**
 * Merges time-sorted views in one pass (a k-way merge on a binary heap, O(n log k)), grouping the
 * instances that share a timestamp. Each view is read batch by batch; nothing else is buffered.
 */
export async function* mergeByTimestamp<T = unknown>(
  views: readonly StreamView[],
): AsyncIterable<TimestampGroup<T>> {
  const heap: Cursor[] = [];
  const less = (a: Cursor, b: Cursor): boolean => {
    const ta = a.batch[a.position]!.timestamp;
    const tb = b.batch[b.position]!.timestamp;
    return ta < tb || (ta === tb && a.index < b.index);
  };
  const siftUp = (i: number): void => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i]!, heap[parent]!)) return;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const siftDown = (i: number): void => {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && less(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && less(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  };
  // Moves a cursor to its next instance, fetching the next batch when needed; false at the end.
  const advance = async (cursor: Cursor): Promise<boolean> => {
    cursor.position++;
    while (cursor.position >= cursor.batch.length) {
      const next = await cursor.batches.next();
      if (next.done) return false;
      cursor.batch = next.value;
      cursor.position = 0;
    }
    return true;
  };

  for (const [index, view] of views.entries()) {
    const cursor: Cursor = {
      index,
      batches: view.batches()[Symbol.asyncIterator](),
      batch: [],
      position: -1,
    };
    if (await advance(cursor)) {
      heap.push(cursor);
      siftUp(heap.length - 1);
    }
  }
  while (heap.length > 0) {
    const timestamp = heap[0]!.batch[heap[0]!.position]!.timestamp;
    const entries: { index: number; value: T }[] = [];
    while (heap.length > 0 && heap[0]!.batch[heap[0]!.position]!.timestamp === timestamp) {
      const top = heap[0]!;
      entries.push({ index: top.index, value: top.batch[top.position]!.value as T });
      if (await advance(top)) {
        siftDown(0);
      } else {
        const last = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = last;
          siftDown(0);
        }
      }
    }
    yield { timestamp, entries };
  }
}

/**
 * Remembers which plate values got an instance at the current timestamp, so a tool never emits
 * two instances for one (plate value, timestamp) — the sink could hold only one of them.
 */
export class PlateValueClaims {
  readonly #tool: string;
  #timestamp = Number.NaN;
  readonly #claimed = new Set<string>();

  constructor(tool: string) {
    this.#tool = tool;
  }

  /** Records `plateValue` at `timestamp`; `ToolExecutionError` if it already has an instance there. */
  claim(plateValue: string, timestamp: number): void {
    if (timestamp !== this.#timestamp) {
      this.#timestamp = timestamp;
      this.#claimed.clear();
    }
    if (this.#claimed.has(plateValue)) {
      throw new ToolExecutionError(
        `tool "${this.#tool}" produced two values for plate value "${plateValue}" at ${formatTimestamp(timestamp)}: ` +
          'the mapping sends two items of one document to the same plate value; make it one-to-one',
        { tool: this.#tool, plateValue, timestamp },
      );
    }
    this.#claimed.add(plateValue);
  }
}

/** The plain form of an interval in parameters (JSON-safe, so tool identity stays canonical). */
export interface IntervalParam {
  readonly start: number;
  readonly end: number;
}

/**
 * An interval in parameters: an ISO 8601 interval string (`2016-04-28T20:00:00Z/PT1H`) or
 * `{ start, end }` with epoch ms or ISO times; parsed to `{ start, end }` in epoch ms.
 */
export const intervalParam = z
  .union([
    z.string(),
    z.strictObject({
      start: z.union([z.number(), z.string()]),
      end: z.union([z.number(), z.string()]),
    }),
  ])
  .transform((value, ctx): IntervalParam => {
    try {
      const parsed = toInterval(value);
      return { start: parsed.start, end: parsed.end };
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: error instanceof Error ? error.message : String(error),
      });
      return z.NEVER;
    }
  });

/** Parses an interval given as an ISO interval string or `{ start, end }` (as in {@link intervalParam}). */
export function toInterval(value: unknown): TimeInterval {
  if (typeof value === 'string') return parseTimeInterval(value);
  return TimeInterval.fromJSON(value);
}

/** The source window of a tool that needs one; `ToolExecutionError` naming the tool otherwise. */
export function requireSource(source: SourceWindow | undefined, tool: string): SourceWindow {
  if (!source) {
    throw new ToolExecutionError(
      `tool "${tool}" needs a source stream: give the factor a source node`,
      { tool },
    );
  }
  return source;
}

/** The instances of a view, batch by batch, stopping with {@link ExecutionAbortedError} when asked. */
export async function* instancesOf<T = unknown>(
  view: StreamView<T>,
  ctx: BaseToolContext<unknown>,
  tool: string,
): AsyncIterable<StreamInstance<T>> {
  for await (const batch of view.batches()) {
    throwIfAborted(ctx, tool);
    yield* batch;
  }
}

/**
 * The value of the latest document of a splitting stream (its window spans `(MIN_DATE, end]`).
 * No document means nothing says how to split, which is an error rather than an empty result: an
 * empty result would be recorded as computed and never redone once the document arrives.
 */
export async function latestSplittingValue(
  splitting: SourceWindow | undefined,
  tool: string,
): Promise<unknown> {
  if (!splitting) {
    throw new ToolExecutionError(
      `tool "${tool}" needs a splitting stream (its latest document says how to split): give the factor a splitting node`,
      { tool },
    );
  }
  const last = await splitting.view.last();
  if (!last) {
    throw new ToolExecutionError(
      `tool "${tool}": splitting stream "${splitting.id.key}" has no document at or before ` +
        `${formatTimestamp(splitting.view.interval.end)}: write the splitting document first`,
      { tool, splitting: splitting.id.key },
    );
  }
  return last.value;
}

/**
 * Plate values with their intervals, from a list of intervals (plate values "1", "2", …) or an
 * object `{ plateValue: interval }`; each interval an ISO interval string or `{ start, end }`.
 */
export function intervalMapping(value: unknown, tool: string): [string, TimeInterval][] {
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, i): [string, unknown] => [String(i + 1), item])
    : isRecord(value)
      ? Object.entries(value)
      : [];
  if (!Array.isArray(value) && !isRecord(value)) {
    throw new ToolExecutionError(
      `tool "${tool}": expected a list of intervals or an object { plateValue: interval }, got ${describeValue(value)}`,
      { tool },
    );
  }
  return entries.map(([plateValue, item]) => {
    try {
      return [plateValue, toInterval(item)];
    } catch (error) {
      throw new ToolExecutionError(
        `tool "${tool}": the interval for plate value "${plateValue}" is invalid: ${error instanceof Error ? error.message : String(error)}`,
        { tool, plateValue },
        error,
      );
    }
  });
}

/** A short description of a value's type for messages (`null`, `array`, `string`…). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * The source instances tagged with every plate value whose interval contains them (one pass over
 * the source); plate values outside the output plate are skipped.
 */
export async function* tagByIntervals(
  ctx: MultiOutputToolContext<unknown>,
  source: SourceWindow,
  intervals: readonly (readonly [string, TimeInterval])[],
  tool: string,
): AsyncIterable<TaggedInstance> {
  const allowed = new Set(ctx.outputPlateValues);
  const used = intervals.filter(([plateValue]) => allowed.has(plateValue));
  const seen = new Set<string>();
  for (const [plateValue] of used) {
    if (seen.has(plateValue)) {
      throw new ToolExecutionError(
        `tool "${tool}": plate value "${plateValue}" has two intervals: give each one interval`,
        {
          tool,
          plateValue,
        },
      );
    }
    seen.add(plateValue);
  }
  if (used.length === 0) return;
  for await (const { timestamp, value } of instancesOf(source.view, ctx, tool)) {
    for (const [plateValue, interval] of used)
      if (interval.contains(timestamp)) yield { timestamp, value, plateValue };
  }
}

/** Sends `value` to a plate value; `undefined` (unmapped) and values outside the output plate are skipped. */
export type EmitSplit = (plateValue: string | undefined, value: unknown) => void;

/**
 * The loop every dict splitter shares: reads the source in batches, rejects values that are not
 * dicts, lets `split` emit the parts of each one, keeps only plate values of the output plate,
 * refuses two parts for one plate value at one time, and yields one output batch per source batch
 * (a yield per instance costs more than the split).
 */
export async function* splitDicts(
  ctx: MultiOutputToolContext<unknown>,
  tool: string,
  source: SourceWindow,
  split: (value: Record<string, unknown>, timestamp: number, emit: EmitSplit) => void,
): AsyncIterable<TaggedInstance[]> {
  const allowed = new Set(ctx.outputPlateValues);
  const claims = new PlateValueClaims(tool);
  for await (const batch of source.view.batches()) {
    throwIfAborted(ctx, tool);
    const out = splitDictInstances(tool, source.id.key, batch, allowed, claims, split);
    if (out.length > 0) yield out;
  }
}

/**
 * One batch of {@link splitDicts}: the parts of each dict value, tagged with their plate values
 * (only those in `allowed`; two parts for one plate value at one time are refused through `claims`).
 */
export function splitDictInstances(
  tool: string,
  sourceKey: string,
  batch: readonly StreamInstance[],
  allowed: ReadonlySet<string>,
  claims: PlateValueClaims,
  split: (value: Record<string, unknown>, timestamp: number, emit: EmitSplit) => void,
): TaggedInstance[] {
  const out: TaggedInstance[] = [];
  for (const { timestamp, value } of batch) {
    if (!isRecord(value)) {
      throw new ToolExecutionError(
        `tool "${tool}" expects dict values, got ${describeValue(value)} at ${formatTimestamp(timestamp)} in "${sourceKey}"`,
        { tool, source: sourceKey, timestamp },
      );
    }
    split(value, timestamp, (plateValue, part) => {
      if (plateValue === undefined || !allowed.has(plateValue)) return;
      claims.claim(plateValue, timestamp);
      out.push({ timestamp, value: part, plateValue });
    });
  }
  return out;
}

/** `value[element]` names the plate value (through `mapping`); the rest of the dict goes there. */
export function splitByElement(
  value: Record<string, unknown>,
  element: string,
  mapping: (key: string) => string | undefined,
  emit: EmitSplit,
): void {
  if (!Object.hasOwn(value, element)) return;
  const { [element]: key, ...rest } = value;
  emit(mapping(String(key)), rest);
}

/** Each entry `key: part` goes to plate value `mapping(key)`; null and undefined parts are skipped. */
export function splitEntries(
  value: Record<string, unknown>,
  mapping: (key: string) => string | undefined,
  emit: EmitSplit,
): void {
  for (const [key, part] of Object.entries(value)) {
    if (part !== null && part !== undefined) emit(mapping(key), part);
  }
}

/** A key → plate value lookup from an optional mapping parameter (the key itself when absent). */
export function mappingLookup(
  mapping: Readonly<Record<string, string>> | undefined,
): (key: string) => string | undefined {
  if (!mapping) return (key) => key;
  const map = new Map(Object.entries(mapping));
  return (key) => map.get(key);
}
