import { DateTime } from 'luxon';
import { InvalidTimestampError } from '../errors.js';

/** Epoch milliseconds, UTC: the engine's only time unit. */
export type Timestamp = number;

/** Anything the edges accept as a point in time; converted once by {@link toTimestamp}. */
export type TimeLike = number | Date | string | DateTime;

/** The earliest time the engine represents: 0001-01-01T00:00:00.000Z (as HyperStream). */
export const MIN_DATE: Timestamp = -62_135_596_800_000;
/** The latest time the engine represents: 9999-12-31T23:59:59.999Z. */
export const MAX_DATE: Timestamp = 253_402_300_799_999;

/**
 * Converts a number (epoch ms), `Date`, ISO 8601 string or luxon `DateTime` to epoch ms.
 * Strings without an offset are read as UTC. Throws {@link InvalidTimestampError} naming the input.
 */
export function toTimestamp(time: TimeLike): Timestamp {
  let ms: number;
  if (typeof time === 'number') {
    ms = time;
  } else if (time instanceof Date) {
    ms = time.getTime();
  } else if (typeof time === 'string') {
    const parsed = DateTime.fromISO(time.trim(), { zone: 'utc', setZone: true });
    if (!parsed.isValid) {
      throw new InvalidTimestampError(
        `invalid timestamp "${time}": expected an ISO 8601 date-time such as 2016-04-28T20:00:00Z` +
          (parsed.invalidExplanation ? ` (${parsed.invalidExplanation})` : ''),
        { input: time },
      );
    }
    ms = parsed.toMillis();
  } else if (DateTime.isDateTime(time)) {
    if (!time.isValid) {
      throw new InvalidTimestampError(
        `invalid luxon DateTime: ${time.invalidReason ?? 'unknown'}`,
        {
          input: String(time),
        },
      );
    }
    ms = time.toMillis();
  } else {
    throw new InvalidTimestampError(
      `invalid timestamp ${describe(time)}: expected epoch milliseconds, a Date, an ISO string or a luxon DateTime`,
      { input: describe(time) },
    );
  }
  return checkTimestamp(ms, time);
}

/** Throws unless `ms` is a finite integer within [MIN_DATE, MAX_DATE]. */
export function checkTimestamp(ms: number, input: unknown = ms): Timestamp {
  if (!Number.isFinite(ms)) {
    throw new InvalidTimestampError(
      `invalid timestamp ${describe(input)}: not a finite time (use MIN_DATE / MAX_DATE for open ends)`,
      { input: describe(input) },
    );
  }
  if (ms < MIN_DATE || ms > MAX_DATE) {
    throw new InvalidTimestampError(
      `timestamp ${describe(input)} is outside the supported range 0001-01-01 … 9999-12-31`,
      { input: describe(input) },
    );
  }
  // `|| 0`: -0.5 truncates to -0, which Object.is, Map keys and Date round trips tell from 0.
  return Math.trunc(ms) || 0;
}

/** ISO 8601 (UTC, milliseconds) for a timestamp. */
export function formatTimestamp(ms: Timestamp): string {
  return DateTime.fromMillis(ms, { zone: 'utc' }).toISO() ?? String(ms);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  if (value instanceof Date) return `Date(${String(value.getTime())})`;
  if (value === null) return 'null';
  return typeof value;
}
