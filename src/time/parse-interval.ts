import { DateTime } from 'luxon';
import { InvalidIntervalError, isHyperstreamError } from '../errors.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { parseIsoDuration } from './duration.js';
import { RelativeTimeInterval } from './relative-time-interval.js';
import { TimeInterval } from './time-interval.js';
import type { Timestamp } from './timestamp.js';
import { MAX_DATE, MIN_DATE, checkTimestamp, toTimestamp } from './timestamp.js';

/** Where "now" comes from when an interval string says `now`. */
export interface ParseIntervalOptions {
  /** The reference for `now` (default: the system clock). */
  readonly clock?: Clock;
}

/** A window as users give it: absolute, relative to a reference, or an interval string. */
export type IntervalSpec = TimeInterval | RelativeTimeInterval | string;

const EXPECTED =
  'expected ISO 8601 "start/end", "start/duration" or "duration/end" ' +
  '(e.g. "2016-04-28T20:00:00Z/PT1H" or "-P1D/now"), where a time may be "now", "now-PT10S", "min" or "max"';

/**
 * Parses an ISO 8601 interval string into an absolute `(start, end]`:
 * `start/end`, `start/PT1H`, `P1D/end`, with `now` (and `now±duration`), `min` and `max` allowed
 * for times. Calendar durations (months, years) are applied to the date, not averaged.
 * Throws {@link InvalidIntervalError} quoting the input.
 */
export function parseTimeInterval(text: string, options: ParseIntervalOptions = {}): TimeInterval {
  if (typeof text !== 'string') {
    throw new InvalidIntervalError(`invalid interval ${typeof text}: ${EXPECTED}`);
  }
  const parts = text.split('/');
  if (parts.length !== 2 || parts[0]!.trim() === '' || parts[1]!.trim() === '') {
    throw new InvalidIntervalError(`invalid interval "${text}": ${EXPECTED}`, { input: text });
  }
  const [left, right] = [parts[0]!.trim(), parts[1]!.trim()];
  const clock = options.clock ?? systemClock;
  try {
    const leftIsDuration = isDuration(left);
    const rightIsDuration = isDuration(right);
    if (leftIsDuration && rightIsDuration) {
      throw new InvalidIntervalError(`two durations and no time`);
    }
    if (rightIsDuration) {
      const start = parseTime(left, clock);
      const duration = parseIsoDuration(right);
      if (duration.toMillis() < 0)
        throw new InvalidIntervalError('a duration after the start must be positive');
      return new TimeInterval(start, applyDuration(start, duration.toObject(), 1));
    }
    if (leftIsDuration) {
      const end = parseTime(right, clock);
      const duration = parseIsoDuration(left);
      // "-P1D/now" and "P1D/now" both mean the day before now.
      const sign = duration.toMillis() < 0 ? 1 : -1;
      return new TimeInterval(applyDuration(end, duration.toObject(), sign), end);
    }
    return new TimeInterval(parseTime(left, clock), parseTime(right, clock));
  } catch (error) {
    if (isHyperstreamError(error)) {
      throw new InvalidIntervalError(
        `invalid interval "${text}": ${stripPrefix(error.message)}; ${EXPECTED}`,
        {
          input: text,
        },
        error,
      );
    }
    throw error;
  }
}

/** Resolves any window spec to an absolute interval; relative ones against `reference` (default now). */
export function resolveInterval(
  spec: IntervalSpec,
  reference?: Timestamp,
  options: ParseIntervalOptions = {},
): TimeInterval {
  if (spec instanceof TimeInterval) return spec;
  if (spec instanceof RelativeTimeInterval) {
    return spec.absolute(reference ?? (options.clock ?? systemClock).now());
  }
  return parseTimeInterval(spec, options);
}

function isDuration(term: string): boolean {
  return /^[+-]?P/i.test(term);
}

function parseTime(term: string, clock: Clock): Timestamp {
  const lower = term.toLowerCase();
  if (lower === 'min') return MIN_DATE;
  if (lower === 'max') return MAX_DATE;
  const nowMatch = /^now(?:([+-])(P.+))?$/i.exec(term);
  if (nowMatch) {
    const now = clock.now();
    if (!nowMatch[1] || !nowMatch[2]) return now;
    const duration = parseIsoDuration(nowMatch[2]);
    return applyDuration(now, duration.toObject(), nowMatch[1] === '-' ? -1 : 1);
  }
  return toTimestamp(term);
}

function applyDuration(
  time: Timestamp,
  units: ReturnType<ReturnType<typeof parseIsoDuration>['toObject']>,
  sign: 1 | -1,
): Timestamp {
  const base = DateTime.fromMillis(time, { zone: 'utc' });
  const moved = sign === 1 ? base.plus(units) : base.minus(units);
  return checkTimestamp(moved.toMillis());
}

function stripPrefix(message: string): string {
  return message.replace(/^invalid interval /, '');
}
