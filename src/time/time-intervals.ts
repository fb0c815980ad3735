import { InvalidIntervalError } from '../errors.js';
import type { DurationLike } from './duration.js';
import { firstStepAfter, localEpoch, stepTick, timeStep } from './calendar.js';
import { toDurationMs } from './duration.js';
import type { TimeIntervalJSON } from './time-interval.js';
import { TimeInterval } from './time-interval.js';
import type { TimeLike, Timestamp } from './timestamp.js';
import { toTimestamp } from './timestamp.js';

/** Anything accepted as one member of a {@link TimeIntervals} set. */
export type TimeIntervalLike = TimeInterval | TimeIntervalJSON | readonly [TimeLike, TimeLike];

/** Options for {@link TimeIntervals.split}. */
export interface SplitOptions {
  /**
   * Cut at whole multiples of the duration since the epoch (so pieces line up with e.g. hours or
   * days) instead of counting from each interval's start. Default false.
   */
  readonly align?: boolean;
  /**
   * Refuse (with `InvalidIntervalError`) to cut into more pieces than this, rather than run out of
   * memory: `(min, max]` by one second would be 3·10^11 pieces. Default 1,000,000.
   */
  readonly maxPieces?: number;
  /**
   * The time zone of calendar steps: with one, `P1D` and `P1W` are calendar days and weeks there
   * (23 or 25 hours across DST changes), and aligned pieces start at local midnight. Months and
   * years are calendar units with or without it (UTC by default). See `TimeStep`.
   */
  readonly timeZone?: string;
}

const DEFAULT_MAX_PIECES = 1_000_000;

/**
 * A normalised set of half-open intervals: sorted, disjoint, with touching intervals merged and
 * empty ones dropped. Immutable; every operation returns a new set in normal form and costs
 * O(k) in the number of intervals (O(k log k) to build from unsorted input), never in the number
 * of timestamps.
 *
 * @example
 * const calculated = TimeIntervals.of([0, 10], [20, 30]);
 * const missing = TimeIntervals.of([0, 40]).difference(calculated); // (10, 20] U (30, 40]
 */
export class TimeIntervals implements Iterable<TimeInterval> {
  /** Flat `[start0, end0, start1, end1, …]`, in normal form. */
  readonly #bounds: readonly number[];

  private constructor(normalBounds: readonly number[]) {
    this.#bounds = normalBounds;
    Object.freeze(this);
  }

  /** The empty set. */
  static readonly EMPTY: TimeIntervals = new TimeIntervals([]);

  /** Builds a set from intervals in any order, overlapping or not. */
  static from(intervals: Iterable<TimeIntervalLike>): TimeIntervals {
    const pairs: [number, number][] = [];
    for (const item of intervals) {
      const interval = toInterval(item);
      if (!interval.isEmpty) pairs.push([interval.start, interval.end]);
    }
    if (pairs.length === 0) return TimeIntervals.EMPTY;
    pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const bounds: number[] = [];
    for (const [start, end] of pairs) appendMerged(bounds, start, end);
    return new TimeIntervals(bounds);
  }

  /**
   * Builds a set from intervals already in start order (touching or overlapping ones are merged):
   * no sort and no interval objects, for callers that keep their ranges ordered. Input out of
   * order is handled as by {@link TimeIntervals.from}.
   */
  static fromSorted(intervals: readonly TimeIntervalJSON[]): TimeIntervals {
    const bounds: number[] = [];
    let last = -Infinity;
    for (const { start, end } of intervals) {
      if (start < last) return TimeIntervals.from(intervals);
      last = start;
      appendMerged(bounds, start, end);
    }
    return bounds.length ? new TimeIntervals(bounds) : TimeIntervals.EMPTY;
  }

  /** Builds a set from the given intervals. */
  static of(...intervals: TimeIntervalLike[]): TimeIntervals {
    return TimeIntervals.from(intervals);
  }

  /** Rebuilds a set from {@link TimeIntervals.toJSON} output. */
  static fromJSON(json: unknown): TimeIntervals {
    if (!Array.isArray(json)) {
      throw new InvalidIntervalError(
        `invalid intervals JSON: expected an array of { "start", "end" }, got ${typeof json}`,
      );
    }
    return TimeIntervals.from(json.map((item: unknown) => TimeInterval.fromJSON(item)));
  }

  /** Number of disjoint intervals. */
  get size(): number {
    return this.#bounds.length / 2;
  }

  get isEmpty(): boolean {
    return this.#bounds.length === 0;
  }

  /** Earliest start (undefined when empty). */
  get start(): Timestamp | undefined {
    return this.#bounds[0];
  }

  /** Latest end (undefined when empty). */
  get end(): Timestamp | undefined {
    return this.#bounds[this.#bounds.length - 1];
  }

  /** `(first start, last end]`, or undefined when empty. */
  get span(): TimeInterval | undefined {
    const { start, end } = this;
    return start === undefined || end === undefined ? undefined : new TimeInterval(start, end);
  }

  /** The i-th interval in time order. */
  at(index: number): TimeInterval | undefined {
    const i = index < 0 ? this.size + index : index;
    if (i < 0 || i >= this.size) return undefined;
    return new TimeInterval(this.#bounds[2 * i]!, this.#bounds[2 * i + 1]!);
  }

  *[Symbol.iterator](): Iterator<TimeInterval> {
    const b = this.#bounds;
    for (let i = 0; i < b.length; i += 2) yield new TimeInterval(b[i]!, b[i + 1]!);
  }

  toArray(): TimeInterval[] {
    return [...this];
  }

  /** True when some interval contains `t` (`start < t <= end`). */
  contains(t: Timestamp): boolean {
    const i = this.#lastStartingBefore(t);
    return i >= 0 && t <= this.#bounds[2 * i + 1]!;
  }

  /**
   * True when `interval` lies entirely inside one member (an empty interval is always covered), or
   * when every member of `intervals` does.
   */
  covers(interval: TimeInterval | TimeIntervals): boolean {
    if (interval instanceof TimeIntervals) {
      const b = interval.#bounds;
      for (let k = 0; k < b.length; k += 2) if (!this.#coversBounds(b[k]!, b[k + 1]!)) return false;
      return true;
    }
    return interval.isEmpty || this.#coversBounds(interval.start, interval.end);
  }

  #coversBounds(start: number, end: number): boolean {
    const i = this.#lastStartingAtOrBefore(start);
    return i >= 0 && end <= this.#bounds[2 * i + 1]!;
  }

  /** Every time in either set. */
  union(other: TimeIntervals | TimeInterval): TimeIntervals {
    const b = asSet(other).#bounds;
    const a = this.#bounds;
    if (b.length === 0) return this;
    if (a.length === 0) return asSet(other);
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
        appendMerged(out, a[i]!, a[i + 1]!);
        i += 2;
      } else {
        appendMerged(out, b[j]!, b[j + 1]!);
        j += 2;
      }
    }
    return new TimeIntervals(out);
  }

  /** Every time in both sets. */
  intersection(other: TimeIntervals | TimeInterval): TimeIntervals {
    const a = this.#bounds;
    const b = asSet(other).#bounds;
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const start = Math.max(a[i]!, b[j]!);
      const end = Math.min(a[i + 1]!, b[j + 1]!);
      if (start < end) out.push(start, end);
      if (a[i + 1]! < b[j + 1]!) i += 2;
      else j += 2;
    }
    return out.length === 0 ? TimeIntervals.EMPTY : new TimeIntervals(out);
  }

  /** Every time in this set that is not in `other`: e.g. `requested − calculated`. */
  difference(other: TimeIntervals | TimeInterval): TimeIntervals {
    const a = this.#bounds;
    const b = asSet(other).#bounds;
    if (a.length === 0 || b.length === 0) return this;
    const out: number[] = [];
    let j = 0;
    for (let i = 0; i < a.length; i += 2) {
      let start = a[i]!;
      const end = a[i + 1]!;
      while (j < b.length && b[j + 1]! <= start) j += 2;
      let k = j;
      while (k < b.length && b[k]! < end) {
        if (b[k]! > start) out.push(start, b[k]!);
        start = Math.max(start, b[k + 1]!);
        if (start >= end) break;
        k += 2;
      }
      if (start < end) out.push(start, end);
    }
    return out.length === 0 ? TimeIntervals.EMPTY : new TimeIntervals(out);
  }

  /** Same intervals. */
  equals(other: TimeIntervals): boolean {
    const a = this.#bounds;
    const b = other.#bounds;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /**
   * Cuts every interval into consecutive pieces no longer than `duration` (the last piece of each
   * interval may be shorter). Returns the pieces in time order; they are not merged back.
   */
  split(duration: DurationLike, options: SplitOptions = {}): TimeInterval[] {
    const calendar = timeStep(duration, options.timeZone);
    if (calendar.kind === 'calendar') return this.#splitCalendar(calendar, options);
    const step = toDurationMs(duration);
    if (step <= 0) {
      throw new InvalidIntervalError(
        `cannot split by a duration of ${String(step)} ms: it must be positive`,
      );
    }
    const b = this.#bounds;
    const maxPieces = options.maxPieces ?? DEFAULT_MAX_PIECES;
    let count = 0;
    // An upper bound (aligned cuts add at most one piece per interval), counted before any work.
    for (let i = 0; i < b.length; i += 2) count += Math.ceil((b[i + 1]! - b[i]!) / step) + 1;
    if (count - (options.align ? 0 : this.size) > maxPieces) {
      throw new InvalidIntervalError(
        `cannot split ${String(this.span)} by ${String(step)} ms: that gives more than ${String(maxPieces)} pieces; ` +
          'use a longer duration, a shorter interval or a larger maxPieces',
        { step, maxPieces, pieces: count },
      );
    }
    const pieces: TimeInterval[] = [];
    for (let i = 0; i < b.length; i += 2) {
      const end = b[i + 1]!;
      let start = b[i]!;
      while (start < end) {
        const next = options.align
          ? Math.min(end, (Math.floor(start / step) + 1) * step)
          : Math.min(end, start + step);
        pieces.push(new TimeInterval(start, next));
        start = next;
      }
    }
    return pieces;
  }

  /**
   * Cuts every interval at the given points (HyperStream's T21): a point strictly inside an
   * interval ends one piece and starts the next; points outside, on a bound, or repeated change
   * nothing. Points may come in any order (numbers, Dates, ISO strings). Returns the pieces in
   * time order; they are not merged back.
   *
   * @example
   * TimeIntervals.of([0, 10]).splitAt([4, 7]); // (0, 4], (4, 7], (7, 10]
   */
  splitAt(points: Iterable<TimeLike>): TimeInterval[] {
    const cuts = [...points].map((point) => toTimestamp(point)).sort((a, b) => a - b);
    const b = this.#bounds;
    const pieces: TimeInterval[] = [];
    let c = 0;
    for (let i = 0; i < b.length; i += 2) {
      let start = b[i]!;
      const end = b[i + 1]!;
      while (c < cuts.length && cuts[c]! <= start) c++;
      for (; c < cuts.length && cuts[c]! < end; c++) {
        if (cuts[c]! === start) continue;
        pieces.push(new TimeInterval(start, cuts[c]!));
        start = cuts[c]!;
      }
      pieces.push(new TimeInterval(start, end));
    }
    return pieces;
  }

  /** {@link split} by months, years, or days/weeks of a time zone: cuts on the calendar. */
  #splitCalendar(
    step: Extract<ReturnType<typeof timeStep>, { kind: 'calendar' }>,
    options: SplitOptions,
  ): TimeInterval[] {
    const b = this.#bounds;
    const maxPieces = options.maxPieces ?? DEFAULT_MAX_PIECES;
    // Calendar steps are at least 23 h long (a day across a DST change).
    const shortest = Math.max(1, Math.min(step.duration.toMillis(), 23 * 3_600_000));
    let count = 0;
    for (let i = 0; i < b.length; i += 2) count += Math.ceil((b[i + 1]! - b[i]!) / shortest) + 1;
    if (count - this.size > maxPieces) {
      throw new InvalidIntervalError(
        `cannot split ${String(this.span)} by ${step.duration.toISO()}: that gives more than ${String(maxPieces)} pieces; ` +
          'use a longer duration, a shorter interval or a larger maxPieces',
        { maxPieces, pieces: count },
      );
    }
    const pieces: TimeInterval[] = [];
    for (let i = 0; i < b.length; i += 2) {
      const end = b[i + 1]!;
      let start = b[i]!;
      const origin = options.align ? localEpoch(step.zone) : start;
      let k = firstStepAfter(origin, step, start);
      while (start < end) {
        const next = Math.min(end, stepTick(origin, step, k++));
        pieces.push(new TimeInterval(start, next));
        start = next;
      }
    }
    return pieces;
  }

  /** Pieces joined by `" U "`, or `"[]"` when empty (as HyperStream prints them). */
  toString(): string {
    return this.isEmpty ? '[]' : this.toArray().join(' U ');
  }

  toJSON(): TimeIntervalJSON[] {
    const out: TimeIntervalJSON[] = [];
    const b = this.#bounds;
    for (let i = 0; i < b.length; i += 2) out.push({ start: b[i]!, end: b[i + 1]! });
    return out;
  }

  /** Index of the last interval whose start is < t, or -1. */
  #lastStartingBefore(t: number): number {
    return this.#search(t, false);
  }

  /** Index of the last interval whose start is <= t, or -1. */
  #lastStartingAtOrBefore(t: number): number {
    return this.#search(t, true);
  }

  #search(t: number, inclusive: boolean): number {
    const b = this.#bounds;
    let lo = 0;
    let hi = b.length / 2 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const start = b[2 * mid]!;
      if (start < t || (inclusive && start === t)) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}

/** Appends `(start, end]` (start >= last start) to normal-form bounds, merging when touching. */
function appendMerged(bounds: number[], start: number, end: number): void {
  if (start >= end) return;
  const n = bounds.length;
  if (n > 0 && start <= bounds[n - 1]!) {
    if (end > bounds[n - 1]!) bounds[n - 1] = end;
  } else {
    bounds.push(start, end);
  }
}

function asSet(value: TimeIntervals | TimeInterval): TimeIntervals {
  return value instanceof TimeIntervals ? value : TimeIntervals.from([value]);
}

function toInterval(item: TimeIntervalLike): TimeInterval {
  if (item instanceof TimeInterval) return item;
  if (Array.isArray(item)) {
    if (item.length !== 2) {
      throw new InvalidIntervalError(
        `invalid interval: expected a [start, end] pair, got ${item.length} elements`,
      );
    }
    return TimeInterval.of(item[0] as TimeLike, item[1] as TimeLike);
  }
  return TimeInterval.fromJSON(item);
}
