import { InvalidIntervalError, isHyperstreamError } from '../errors.js';
import type { TimeLike, Timestamp } from './timestamp.js';
import { MAX_DATE, MIN_DATE, formatTimestamp, toTimestamp } from './timestamp.js';

/** The JSON form of a {@link TimeInterval}: epoch milliseconds. */
export interface TimeIntervalJSON {
  readonly start: number;
  readonly end: number;
}

/**
 * A half-open interval `(start, end]` in epoch milliseconds: a document at `start` is not inside,
 * one at `end` is. Immutable; `start === end` is the empty interval.
 *
 * @example
 * const hour = TimeInterval.of('2016-04-28T20:00:00Z', '2016-04-28T21:00:00Z');
 * hour.contains(Date.parse('2016-04-28T21:00:00Z')); // true
 */
export class TimeInterval {
  readonly start: Timestamp;
  readonly end: Timestamp;

  /** Builds an interval from epoch ms; see {@link TimeInterval.of} for other time types. */
  constructor(start: Timestamp, end: Timestamp) {
    this.start = checkEnd(start, 'start', start, end);
    this.end = checkEnd(end, 'end', start, end);
    if (start > end) {
      throw new InvalidIntervalError(
        `invalid interval: start ${formatTimestamp(start)} is after end ${formatTimestamp(end)}`,
        { start, end },
      );
    }
    Object.freeze(this);
  }

  /** Builds an interval from any mix of epoch ms, `Date`, ISO strings and luxon `DateTime`s. */
  static of(start: TimeLike, end: TimeLike): TimeInterval {
    return new TimeInterval(endpoint(start, 'start'), endpoint(end, 'end'));
  }

  /** `(MIN_DATE, MAX_DATE]`: all time the engine represents. */
  static allTime(): TimeInterval {
    return new TimeInterval(MIN_DATE, MAX_DATE);
  }

  /** `(MIN_DATE, now]`. */
  static upTo(end: TimeLike): TimeInterval {
    return new TimeInterval(MIN_DATE, endpoint(end, 'end'));
  }

  /** Rebuilds an interval from {@link TimeInterval.toJSON} output (numbers or ISO strings). */
  static fromJSON(json: unknown): TimeInterval {
    if (typeof json !== 'object' || json === null || !('start' in json) || !('end' in json)) {
      throw new InvalidIntervalError(
        `invalid interval JSON ${safeJson(json)}: expected { "start": …, "end": … }`,
        { input: safeJson(json) },
      );
    }
    const { start, end } = json;
    return TimeInterval.of(asTimeLike(start, json), asTimeLike(end, json));
  }

  /** True when the interval holds no time (`start === end`). */
  get isEmpty(): boolean {
    return this.start === this.end;
  }

  /** Length in milliseconds. */
  get width(): number {
    return this.end - this.start;
  }

  /** True when `start < t <= end`. */
  contains(t: Timestamp): boolean {
    return t > this.start && t <= this.end;
  }

  /** True when `other` lies entirely inside this interval (an interval covers itself). */
  covers(other: TimeInterval): boolean {
    return other.isEmpty || (other.start >= this.start && other.end <= this.end);
  }

  /** True when the two intervals share some time (touching intervals do not overlap). */
  overlaps(other: TimeInterval): boolean {
    return other.start < this.end && this.start < other.end;
  }

  /** The common part, or `undefined` when there is none. */
  intersect(other: TimeInterval): TimeInterval | undefined {
    const start = Math.max(this.start, other.start);
    const end = Math.min(this.end, other.end);
    return start < end ? new TimeInterval(start, end) : undefined;
  }

  /** Same start and end. */
  equals(other: TimeInterval): boolean {
    return this.start === other.start && this.end === other.end;
  }

  /** The interval moved by `ms` milliseconds (both ends). */
  shift(ms: number): TimeInterval {
    return new TimeInterval(this.start + ms, this.end + ms);
  }

  /** `(start, end]` with ISO 8601 UTC times. */
  toString(): string {
    return `(${formatTimestamp(this.start)}, ${formatTimestamp(this.end)}]`;
  }

  /** ISO 8601 interval notation `start/end`. */
  toISO(): string {
    return `${formatTimestamp(this.start)}/${formatTimestamp(this.end)}`;
  }

  toJSON(): TimeIntervalJSON {
    return { start: this.start, end: this.end };
  }
}

function endpoint(time: TimeLike, which: 'start' | 'end'): Timestamp {
  try {
    return toTimestamp(time);
  } catch (error) {
    if (isHyperstreamError(error)) {
      throw new InvalidIntervalError(
        `invalid interval ${which}: ${error.message}`,
        error.details,
        error,
      );
    }
    throw error;
  }
}

function checkEnd(value: number, which: 'start' | 'end', start: number, end: number): Timestamp {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidIntervalError(
      `invalid interval (${String(start)}, ${String(end)}]: ${which} is not a finite number of epoch milliseconds`,
      { start: String(start), end: String(end) },
    );
  }
  if (value < MIN_DATE || value > MAX_DATE || !Number.isInteger(value)) {
    throw new InvalidIntervalError(
      `invalid interval ${which} ${String(value)}: expected whole epoch milliseconds between MIN_DATE and MAX_DATE`,
      { [which]: value },
    );
  }
  return value;
}

function asTimeLike(value: unknown, whole: unknown): TimeLike {
  if (typeof value === 'number' || typeof value === 'string') return value;
  throw new InvalidIntervalError(
    `invalid interval JSON ${safeJson(whole)}: start and end must be epoch milliseconds or ISO strings`,
    { input: safeJson(whole) },
  );
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // BigInts, cycles and objects without a prototype cannot be printed: name the type instead.
    return `(${typeof value})`;
  }
}
