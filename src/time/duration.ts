import { Duration } from 'luxon';
import { InvalidDurationError } from '../errors.js';

/** A length of time: milliseconds, an ISO 8601 duration string (`PT1H`, `-P1D`) or a luxon `Duration`. */
export type DurationLike = number | string | Duration;

/**
 * Converts a duration to milliseconds. Months and years use luxon's casual conversion (30 and 365
 * days); interval parsing applies calendar durations to a date instead (see `parseTimeInterval`).
 */
export function toDurationMs(duration: DurationLike): number {
  let ms: number;
  if (typeof duration === 'number') {
    ms = duration;
  } else if (typeof duration === 'string') {
    ms = parseIsoDuration(duration).toMillis();
  } else if (Duration.isDuration(duration)) {
    if (!duration.isValid) {
      throw new InvalidDurationError(
        `invalid luxon Duration: ${duration.invalidReason ?? 'unknown'}`,
      );
    }
    ms = duration.toMillis();
  } else {
    throw new InvalidDurationError(
      `invalid duration of type ${typeof duration}: expected milliseconds, an ISO 8601 duration such as PT1H, or a luxon Duration`,
    );
  }
  if (!Number.isFinite(ms)) {
    throw new InvalidDurationError(`invalid duration ${String(duration)}: not finite`, {
      input: String(duration),
    });
  }
  // Beyond 2^53 ms (285,000 years) milliseconds are no longer exact: such a duration is a typo.
  if (Math.abs(ms) > Number.MAX_SAFE_INTEGER) {
    throw new InvalidDurationError(
      `invalid duration ${String(duration)}: longer than ${Number.MAX_SAFE_INTEGER} ms (285,000 years)`,
      { input: String(duration) },
    );
  }
  return Math.trunc(ms);
}

/**
 * Parses an ISO 8601 duration, allowing one leading sign (`-PT10S`, `+P1D`), which luxon does not.
 * Throws {@link InvalidDurationError} quoting the input.
 */
export function parseIsoDuration(text: string): Duration {
  const trimmed = text.trim();
  const negative = trimmed.startsWith('-');
  const body = negative || trimmed.startsWith('+') ? trimmed.slice(1) : trimmed;
  const parsed = Duration.fromISO(body);
  if (!parsed.isValid || !/\d/.test(body)) {
    throw new InvalidDurationError(
      `invalid duration "${text}": expected an ISO 8601 duration such as PT1H, P1D, -PT30S or P1DT12H`,
      { input: text },
    );
  }
  return negative ? parsed.negate() : parsed;
}
