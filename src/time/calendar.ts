import { DateTime, Duration, IANAZone } from 'luxon';
import { InvalidDurationError } from '../errors.js';
import type { DurationLike } from './duration.js';
import { parseIsoDuration, toDurationMs } from './duration.js';
import type { Timestamp } from './timestamp.js';

/**
 * A step of time: a fixed number of milliseconds, or a calendar duration applied on the calendar
 * of a time zone.
 *
 * @remarks The rule: months and years are always calendar units (`P1M` from 31 January is the end
 * of February, then 31 March; `P1Y` windows end on the same date every year, never drifting by
 * leap days). Weeks and days are calendar units when a time zone is given (`P1D` in
 * Europe/London is 23 h on the spring-forward day and 25 h in autumn); without one they are fixed
 * (24 h, in UTC that is the same thing). Hours, minutes, seconds and numbers of milliseconds are
 * always fixed and keep the fast arithmetic path.
 */
export type TimeStep =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'calendar'; readonly duration: Duration; readonly zone: string };

/** Reads a step; see {@link TimeStep} for which durations are calendar ones. */
export function timeStep(duration: DurationLike, timeZone?: string): TimeStep {
  if (timeZone !== undefined && !IANAZone.isValidZone(timeZone)) {
    throw new InvalidDurationError(
      `invalid time zone "${timeZone}": expected an IANA zone such as Europe/London`,
      { zone: timeZone },
    );
  }
  if (typeof duration === 'string' || Duration.isDuration(duration)) {
    const parsed = typeof duration === 'string' ? parseIsoDuration(duration) : duration;
    const units = parsed.shiftTo('years', 'months', 'weeks', 'days', 'milliseconds').toObject();
    const calendar =
      (units.years ?? 0) !== 0 ||
      (units.months ?? 0) !== 0 ||
      (timeZone !== undefined && ((units.weeks ?? 0) !== 0 || (units.days ?? 0) !== 0));
    if (calendar) {
      if (parsed.toMillis() <= 0) {
        throw new InvalidDurationError(
          `invalid step "${String(duration)}": expected a positive duration`,
          { input: String(duration) },
        );
      }
      return { kind: 'calendar', duration: parsed, zone: timeZone ?? 'UTC' };
    }
  }
  return { kind: 'fixed', ms: toDurationMs(duration) };
}

/** True for a calendar step (months, years, or days/weeks in a time zone). */
export function isCalendarStep(step: TimeStep): step is Extract<TimeStep, { kind: 'calendar' }> {
  return step.kind === 'calendar';
}

/** `origin + k·step`: for a calendar step, k steps applied at once (31 Jan + 2 months = 31 Mar). */
export function stepTick(origin: Timestamp, step: TimeStep, k: number): Timestamp {
  if (step.kind === 'fixed') return origin + k * step.ms;
  const base = DateTime.fromMillis(origin, { zone: step.zone });
  const shifted = Duration.fromObject(
    Object.fromEntries(
      Object.entries(step.duration.toObject()).map(([unit, value]) => [unit, (value ?? 0) * k]),
    ),
  );
  return base.plus(shifted).toMillis();
}

/** `t − step` (the start of a window of width `step` ending at `t`). */
export function minusStep(t: Timestamp, step: TimeStep): Timestamp {
  if (step.kind === 'fixed') return t - step.ms;
  return DateTime.fromMillis(t, { zone: step.zone }).minus(step.duration).toMillis();
}

/** The smallest k with `stepTick(origin, step, k) > t`. */
export function firstStepAfter(origin: Timestamp, step: TimeStep, t: Timestamp): number {
  if (step.kind === 'fixed') {
    let k = Math.floor((t - origin) / step.ms) + 1;
    while (origin + (k - 1) * step.ms > t) k--;
    while (origin + k * step.ms <= t) k++;
    return k;
  }
  // Estimate from the average length, then walk to the exact tick.
  const average = Math.max(1, step.duration.toMillis());
  let k = Math.floor((t - origin) / average) + 1;
  while (stepTick(origin, step, k - 1) > t) k--;
  while (stepTick(origin, step, k) <= t) k++;
  return k;
}

/** Local midnight of 1970-01-01 in `zone`: the origin of aligned calendar steps. */
export function localEpoch(zone: string): Timestamp {
  return DateTime.fromObject({ year: 1970, month: 1, day: 1 }, { zone }).toMillis();
}
