import { InvalidArgumentError } from '../errors.js';
import type { DurationLike } from '../time/duration.js';
import { toDurationMs } from '../time/duration.js';
import type { Timestamp } from '../time/timestamp.js';
import { nextCronTime, parseCron } from './cron.js';

/** When an online workflow runs: the first tick strictly after a given time. */
export interface Schedule {
  /** The next tick after `after`, or `undefined` when there is none. */
  next(after: Timestamp): Timestamp | undefined;
  /** A short human description, e.g. `every 10 s` or `cron "0 3 * * *" (Europe/London)`. */
  readonly description: string;
}

/**
 * Ticks every `period`, on a grid anchored at `anchor` (default the epoch), so that restarts keep
 * the same tick times: `every('PT10S')` fires at :00, :10, :20… of each minute.
 */
export function everySchedule(period: DurationLike, anchor: Timestamp = 0): Schedule {
  const ms = toDurationMs(period);
  if (ms <= 0) {
    throw new InvalidArgumentError(
      `invalid schedule period ${String(period)}: expected a positive duration such as PT10S`,
      { period: String(period) },
    );
  }
  return {
    description: `every ${formatMs(ms)}`,
    next: (after) => anchor + (Math.floor((after - anchor) / ms) + 1) * ms,
  };
}

/** Ticks when the cron `expression` (see `parseCron`) matches the wall clock of `timeZone` (default UTC). */
export function cronSchedule(expression: string, timeZone = 'UTC'): Schedule {
  const cron = parseCron(expression);
  // Fail now, not at the first tick, on a bad zone.
  nextCronTime(cron, 0, timeZone);
  return {
    description: `cron "${expression}" (${timeZone})`,
    next: (after) => nextCronTime(cron, after, timeZone),
  };
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${String(ms / 3_600_000)} h`;
  if (ms % 60_000 === 0) return `${String(ms / 60_000)} min`;
  if (ms % 1000 === 0) return `${String(ms / 1000)} s`;
  return `${String(ms)} ms`;
}
