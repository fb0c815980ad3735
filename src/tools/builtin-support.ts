// Helpers shared by the plain built-in tools under tools/ (owned by the plain-tools helper):
// parameter types for times and durations, source-count checks, window values and a one-pass
// buffer for windows that move forward.
import { z } from 'zod';
import { InvalidArgumentError, ToolExecutionError } from '../errors.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import type { DurationLike } from '../time/duration.js';
import { timeStep } from '../time/calendar.js';
import { toDurationMs } from '../time/duration.js';
import { TimeInterval } from '../time/time-interval.js';
import { MAX_DATE, MIN_DATE, formatTimestamp, toTimestamp } from '../time/timestamp.js';
import { throwIfAborted } from './structural-support.js';
import type { PlainToolContext } from './tool.js';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A point in time in parameters: epoch ms or an ISO 8601 string, parsed to epoch ms. */
export function timeParam(description: string) {
  return z
    .union([z.number(), z.string()])
    .transform((input, ctx): number => {
      try {
        return toTimestamp(input);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: messageOf(error) });
        return z.NEVER;
      }
    })
    .describe(description);
}

/** A duration in parameters: milliseconds or an ISO 8601 duration (`PT1H`, `-PT30S`), parsed to ms. */
export function durationParam(description: string, options: { readonly positive?: boolean } = {}) {
  return z
    .union([z.number(), z.string()])
    .transform(
      (input: DurationLike, ctx): number => durationMs(input, ctx, options.positive) ?? z.NEVER,
    )
    .describe(description);
}

/** `input` in ms; or an issue on `ctx` and undefined: not a duration, or (`positive`) not positive. */
function durationMs(
  input: DurationLike,
  ctx: z.RefinementCtx,
  positive: boolean | undefined,
): number | undefined {
  let ms: number;
  try {
    ms = toDurationMs(input);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: messageOf(error) });
    return undefined;
  }
  if (positive && !(ms > 0)) {
    ctx.addIssue({ code: 'custom', message: `expected a positive duration, got ${ms} ms` });
    return undefined;
  }
  return ms;
}

/**
 * A step or width that may be a calendar duration: milliseconds, or an ISO 8601 duration. Hours,
 * minutes and seconds become milliseconds (the fast path); a duration with years, months, weeks
 * or days is kept as written, and `timeStep(value, timeZone)` decides: months and years are
 * always calendar units, weeks and days are when the tool is given a `timeZone`.
 */
export function calendarDurationParam(description: string) {
  return z
    .union([z.number(), z.string()])
    .transform((input, ctx): number | string => {
      const ms = durationMs(input, ctx, true);
      if (ms === undefined) return z.NEVER;
      return typeof input === 'string' && /^\s*\+?P[^T]*[YMWD]/i.test(input) ? input.trim() : ms;
    })
    .describe(description);
}

/** An IANA time zone parameter for calendar steps (days and weeks in local time). */
export function timeZoneParam(description: string) {
  return z
    .string()
    .refine((zone) => {
      try {
        timeStep('P1D', zone);
        return true;
      } catch {
        return false;
      }
    }, 'expected an IANA time zone such as "Europe/London"')
    .describe(description);
}

/** The smallest integer k with `origin + k·step > t` (`step` > 0), exact despite float division. */
export function firstTickAfter(origin: number, step: number, t: number): number {
  let k = Math.floor((t - origin) / step) + 1;
  while (origin + (k - 1) * step > t) k--;
  while (origin + k * step <= t) k++;
  return k;
}

/** The sources of a tool that needs exactly `count` of them; `InvalidArgumentError` otherwise. */
export function requireSources<S>(
  tool: string,
  sources: readonly S[],
  count: number,
): readonly S[] {
  if (sources.length !== count) {
    throw new InvalidArgumentError(
      `tool "${tool}" takes ${count} source stream${count === 1 ? '' : 's'} (${sources.length} given): ` +
        `connect exactly ${count} source node${count === 1 ? '' : 's'} to its factor`,
      { tool, expected: count, given: sources.length },
    );
  }
  return sources;
}

/** `(start, end]` clipped to the times the engine represents (for source intervals). */
export function clampedInterval(start: number, end: number): TimeInterval {
  const from = Math.min(MAX_DATE, Math.max(MIN_DATE, start));
  const to = Math.min(MAX_DATE, Math.max(MIN_DATE, end));
  return new TimeInterval(Math.min(from, to), to);
}

/**
 * A window value (`{ start, end }` in epoch ms or ISO strings, as written by `sliding_window` and
 * `aligning_window`, or a `TimeInterval`) as a `TimeInterval`.
 */
export function toWindow(value: unknown, tool: string, timestamp: number): TimeInterval {
  if (value instanceof TimeInterval) return value;
  try {
    return TimeInterval.fromJSON(value);
  } catch (error) {
    throw new ToolExecutionError(
      `tool "${tool}" expected a window { start, end } at timestamp ${timestamp}: ${messageOf(error)}`,
      { tool, timestamp },
      error,
    );
  }
}

/**
 * Serves the instances of successive windows `(start, end]` from one lazy pass over a source,
 * holding only what lies between the current window start and the furthest end read so far.
 * Window starts must not go backwards (check with {@link WindowBuffer.canServe}).
 */
export class WindowBuffer<T = unknown> {
  readonly #batches: AsyncIterator<readonly StreamInstance<T>[]>;
  readonly #span: TimeInterval;
  #items: StreamInstance<T>[] = [];
  #head = 0;
  #done = false;
  #lastRead = -Infinity;
  #evictedUpTo = -Infinity;

  /** `batches` must be the source's instances over `span`, in time order. */
  constructor(batches: AsyncIterable<readonly StreamInstance<T>[]>, span: TimeInterval) {
    this.#batches = batches[Symbol.asyncIterator]();
    this.#span = span;
  }

  /** True when `window` lies inside the span and does not start before an earlier window. */
  canServe(window: TimeInterval): boolean {
    return this.#span.covers(window) && window.start >= this.#evictedUpTo;
  }

  /** The instances inside `window`, oldest first. */
  async read(window: TimeInterval): Promise<StreamInstance<T>[]> {
    while (!this.#done && this.#lastRead <= window.end) {
      const next = await this.#batches.next();
      if (next.done) {
        this.#done = true;
        break;
      }
      for (const item of next.value) this.#items.push(item);
      const last = next.value[next.value.length - 1];
      if (last) this.#lastRead = last.timestamp;
    }
    const items = this.#items;
    let head = this.#head;
    while (head < items.length && items[head]!.timestamp <= window.start) head++;
    this.#evictedUpTo = Math.max(this.#evictedUpTo, window.start);
    if (head > 1024 && head * 2 > items.length) {
      this.#items = items.slice(head);
      head = 0;
    }
    this.#head = head;
    const out: StreamInstance<T>[] = [];
    for (let i = head; i < this.#items.length; i++) {
      const item = this.#items[i]!;
      if (item.timestamp > window.end) break;
      out.push(item);
    }
    return out;
  }

  /** Stops the underlying read early (e.g. a database cursor). */
  async close(): Promise<void> {
    if (!this.#done) {
      this.#done = true;
      await this.#batches.return?.();
    }
  }
}

/** `value` when it is a list; `ToolExecutionError` naming the tool and the timestamp otherwise. */
export function listValue(tool: string, timestamp: number, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) {
    throw new ToolExecutionError(
      `tool "${tool}" expected a list at ${formatTimestamp(timestamp)}, got ${describeValue(value)}: feed it a stream of lists`,
      { tool, timestamp },
    );
  }
  return value as unknown[];
}

/** `value` when it is a list of numbers; `ToolExecutionError` naming the first offending entry otherwise. */
export function numberList(tool: string, timestamp: number, value: unknown): readonly number[] {
  const list = listValue(tool, timestamp, value);
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'number') {
      throw new ToolExecutionError(
        `tool "${tool}" expected a list of numbers at ${formatTimestamp(timestamp)}, but entry ${i} is ${describeValue(list[i])}: ` +
          'remove or replace missing values upstream',
        { tool, timestamp, index: i },
      );
    }
  }
  return list as readonly number[];
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** One window read by {@link windowContents}: the window document's time, window and instances. */
export interface WindowContents {
  readonly timestamp: number;
  readonly window: TimeInterval;
  readonly items: readonly StreamInstance[];
}

/**
 * For each window document of source 0 (values `{ start, end }`), the instances of source 1
 * inside that window. Windows are usually sorted and overlapping, so the data is read once over
 * the span of all windows; a window that starts before an earlier one is read on its own.
 */
export async function* windowContents(
  ctx: PlainToolContext<unknown>,
  tool: string,
): AsyncIterable<WindowContents> {
  const [windows] = requireSources(tool, ctx.sources, 2);
  const first = await windows!.view.first();
  const last = await windows!.view.last();
  if (!first || !last) return;
  const span = clampedInterval(
    toWindow(first.value, tool, first.timestamp).start,
    toWindow(last.value, tool, last.timestamp).end,
  );
  const buffer = new WindowBuffer((await ctx.sourceWindow(1, span)).batches(), span);
  try {
    for await (const batch of windows!.view.batches()) {
      throwIfAborted(ctx, tool);
      for (const { timestamp, value } of batch) {
        const window = toWindow(value, tool, timestamp);
        const items = buffer.canServe(window)
          ? await buffer.read(window)
          : await (await ctx.sourceWindow(1, window)).toArray();
        yield { timestamp, window, items };
      }
    }
  } finally {
    await buffer.close();
  }
}
