import { InvalidIntervalError } from '../errors.js';
import type { DurationLike } from './duration.js';
import { toDurationMs } from './duration.js';
import { TimeInterval } from './time-interval.js';
import type { TimeLike } from './timestamp.js';
import { toTimestamp } from './timestamp.js';

/**
 * An interval of offsets `(start, end]` relative to a reference time, e.g. `(−60 s, −10 s]` before
 * "now" for the online engine, or `(−1 h, 0]` before each tick of a sliding window.
 *
 * @example
 * const recent = RelativeTimeInterval.of('-PT60S', '-PT10S');
 * recent.absolute(Date.parse('2020-01-01T00:01:00Z')); // (…00:00:00Z, …00:00:50Z]
 */
export class RelativeTimeInterval {
  /** Start offset in milliseconds (usually negative). */
  readonly start: number;
  /** End offset in milliseconds. */
  readonly end: number;

  constructor(startOffset: number, endOffset: number) {
    if (!isOffset(startOffset) || !isOffset(endOffset)) {
      throw new InvalidIntervalError(
        `invalid relative interval (${String(startOffset)}, ${String(endOffset)}]: offsets must be finite milliseconds within ±${Number.MAX_SAFE_INTEGER}`,
      );
    }
    if (startOffset > endOffset) {
      throw new InvalidIntervalError(
        `invalid relative interval (${String(startOffset)} ms, ${String(endOffset)} ms]: start offset is after end offset`,
        { start: startOffset, end: endOffset },
      );
    }
    this.start = Math.trunc(startOffset);
    this.end = Math.trunc(endOffset);
    Object.freeze(this);
  }

  /** Builds a relative interval from durations (ms, ISO 8601 such as `-PT1H`, or luxon). */
  static of(startOffset: DurationLike, endOffset: DurationLike): RelativeTimeInterval {
    return new RelativeTimeInterval(toDurationMs(startOffset), toDurationMs(endOffset));
  }

  /** Parses `"<duration>/<duration>"`, e.g. `"-PT60S/-PT10S"`. */
  static parse(text: string): RelativeTimeInterval {
    if (typeof text !== 'string') {
      throw new InvalidIntervalError(
        `invalid relative interval of type ${typeof text}: expected "<start offset>/<end offset>" such as "-PT60S/-PT10S"`,
      );
    }
    const parts = text.split('/');
    if (parts.length !== 2) {
      throw new InvalidIntervalError(
        `invalid relative interval "${text}": expected "<start offset>/<end offset>" such as "-PT60S/-PT10S"`,
        { input: text },
      );
    }
    try {
      return RelativeTimeInterval.of(parts[0]!, parts[1]!);
    } catch (error) {
      throw new InvalidIntervalError(
        `invalid relative interval "${text}": ${(error as Error).message}`,
        { input: text },
        error,
      );
    }
  }

  get width(): number {
    return this.end - this.start;
  }

  /** The absolute interval `(reference + start, reference + end]`. */
  absolute(reference: TimeLike): TimeInterval {
    const ref = toTimestamp(reference);
    return new TimeInterval(ref + this.start, ref + this.end);
  }

  /** The interval stretched by these offsets: `(interval.start + start, interval.end + end]`. */
  extend(interval: TimeInterval): TimeInterval {
    return new TimeInterval(interval.start + this.start, interval.end + this.end);
  }

  equals(other: RelativeTimeInterval): boolean {
    return this.start === other.start && this.end === other.end;
  }

  toString(): string {
    return `(${formatOffset(this.start)}, ${formatOffset(this.end)}]`;
  }

  toJSON(): { start: number; end: number } {
    return { start: this.start, end: this.end };
  }
}

function isOffset(ms: number): boolean {
  return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= Number.MAX_SAFE_INTEGER;
}

function formatOffset(ms: number): string {
  return `${ms >= 0 ? '+' : '-'}${Math.abs(ms) / 1000}s`;
}
