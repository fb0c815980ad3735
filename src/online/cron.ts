import { IANAZone } from 'luxon';
import { InvalidArgumentError } from '../errors.js';
import type { Timestamp } from '../time/timestamp.js';

/** A parsed 5-field cron expression: the allowed values of each field. */
export interface CronFields {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: readonly number[];
  readonly months: readonly number[];
  /** 0 = Sunday … 6 = Saturday (7 is read as Sunday). */
  readonly daysOfWeek: readonly number[];
  /** Vixie cron's rule: when both day fields are restricted, a day matching either one fires. */
  readonly daysOfMonthRestricted: boolean;
  readonly daysOfWeekRestricted: boolean;
  /** True when the hour field starts with `*`: such jobs fire in both copies of a repeated hour. */
  readonly everyHour: boolean;
}

const MONTH_NAMES = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const EXPECTED =
  'expected 5 fields "minute hour day-of-month month day-of-week" such as "*/5 * * * *" or "0 3 * * mon-fri", or @hourly/@daily/@weekly/@monthly/@yearly';

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly nameBase?: number;
}
const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 },
  { name: 'day-of-week', min: 0, max: 7, names: DAY_NAMES, nameBase: 0 },
];

const MAX_DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Parses a 5-field cron expression: `*`, numbers, names (`jan`, `mon`), lists (`1,15`), ranges
 * (`mon-fri`), steps (`*\/15`, `10-50/20`, `5/15`) and the `@daily`-style macros. Throws
 * {@link InvalidArgumentError} naming the field at fault.
 */
export function parseCron(expression: string): CronFields {
  const trimmed = expression.trim();
  const text = MACROS[trimmed.toLowerCase()] ?? trimmed;
  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    throw new InvalidArgumentError(`invalid cron expression "${expression}": ${EXPECTED}`, {
      input: expression,
    });
  }
  const sets = parts.map((part, i) => parseField(part, FIELDS[i]!, expression));
  const daysOfWeek = [...new Set(sets[4]!.map((d) => d % 7))].sort((a, b) => a - b);
  const fields: CronFields = {
    minutes: sets[0]!,
    hours: sets[1]!,
    daysOfMonth: sets[2]!,
    months: sets[3]!,
    daysOfWeek,
    daysOfMonthRestricted: !parts[2]!.startsWith('*'),
    daysOfWeekRestricted: !parts[4]!.startsWith('*'),
    everyHour: parts[1]!.startsWith('*'),
  };
  // "0 0 31 2 *" would search forever; say so now.
  if (fields.daysOfMonthRestricted && !fields.daysOfWeekRestricted) {
    const possible = fields.months.some((m) =>
      fields.daysOfMonth.some((d) => d <= MAX_DAYS_IN_MONTH[m - 1]!),
    );
    if (!possible) {
      throw new InvalidArgumentError(
        `invalid cron expression "${expression}": no month has such a day, so it never fires`,
        { input: expression },
      );
    }
  }
  return fields;
}

function parseField(part: string, spec: FieldSpec, expression: string): number[] {
  const fail = (why: string): never => {
    throw new InvalidArgumentError(
      `invalid cron expression "${expression}": ${spec.name} field "${part}" ${why}`,
      { input: expression, field: spec.name },
    );
  };
  const values = new Set<number>();
  for (const item of part.split(',')) {
    const [rangeText, stepText, ...extra] = item.split('/');
    if (rangeText === undefined || rangeText === '' || extra.length > 0) fail('is malformed');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0)
        fail('has a step that is not a positive integer');
      step = Number(stepText);
    }
    let low: number;
    let high: number;
    if (rangeText === '*') {
      [low, high] = [spec.min, spec.max];
    } else {
      const bounds = rangeText!.split('-');
      if (bounds.length > 2) fail('has a malformed range');
      low = fieldValue(bounds[0]!, spec, fail);
      // "5/15" means from 5 to the end in steps of 15.
      high =
        bounds[1] !== undefined
          ? fieldValue(bounds[1], spec, fail)
          : stepText !== undefined
            ? spec.max
            : low;
      if (low > high) fail(`has a range that runs backwards (${String(low)} > ${String(high)})`);
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function fieldValue(text: string, spec: FieldSpec, fail: (why: string) => never): number {
  const byName = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (byName >= 0) return byName + (spec.nameBase ?? 0);
  if (!/^\d+$/.test(text)) {
    return fail(
      `has "${text}", which is not a number${spec.names ? ` or a name such as ${spec.names[1]!}` : ''}`,
    );
  }
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    fail(`has ${text}, outside ${String(spec.min)}–${String(spec.max)}`);
  }
  return value;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
// Long enough for "0 0 29 2 *" (leap days) even across a skipped leap year (2100).
const SEARCH_DAYS = 366 * 9;

/**
 * The first instant strictly after `after` at which the expression fires in `zone`.
 *
 * Matching is on the local wall clock. A local time skipped by a DST change fires at the instant
 * it maps to (pushed forward by the gap), so a daily job is never lost; a local time that occurs
 * twice fires once (its first occurrence) unless the hour field is `*`, when it fires in both
 * copies, as cronie does.
 */
export function nextCronTime(
  fields: CronFields,
  after: Timestamp,
  zone: string,
): Timestamp | undefined {
  const tz = IANAZone.create(zone);
  if (!tz.isValid) {
    throw new InvalidArgumentError(
      `invalid time zone "${zone}": expected an IANA zone such as Europe/London`,
      {
        zone,
      },
    );
  }
  // Wall-clock times are kept as "epoch ms as if the zone were UTC". Near a DST change, start an
  // hour early so the second copy of a repeated hour is not passed over.
  const nearChange = tz.offset(after - 2 * HOUR) !== tz.offset(after + 2 * HOUR);
  let wall =
    Math.floor((after + tz.offset(after) * MINUTE) / MINUTE) * MINUTE - (nearChange ? HOUR : 0);
  let best: Timestamp | undefined;
  let bestWall = Infinity;
  for (;;) {
    const match = nextWallMatch(fields, wall);
    // Instants are monotone in wall time except across a repeated hour: near a DST change, look
    // 3 h past the best candidate for an earlier instant.
    if (match === undefined || match > bestWall + 3 * HOUR) return best;
    if (best !== undefined && tz.offset(after - 4 * HOUR) === tz.offset(best + 4 * HOUR))
      return best;
    for (const instant of instantsOf(match, tz, fields.everyHour)) {
      if (instant > after && (best === undefined || instant < best)) {
        best = instant;
        bestWall = match;
      }
    }
    wall = match + MINUTE;
  }
}

/** The instants showing `wall` on the zone's clock: one, two (repeated hour) or a pushed one (gap). */
function instantsOf(wall: number, tz: IANAZone, bothCopies: boolean): Timestamp[] {
  const offsets = [...new Set([tz.offset(wall - DAY), tz.offset(wall + DAY)])];
  const valid = offsets
    .map((offset) => wall - offset * MINUTE)
    .filter((instant) => wall - tz.offset(instant) * MINUTE === instant)
    .sort((a, b) => a - b);
  if (valid.length === 0) return [wall - tz.offset(wall - DAY) * MINUTE];
  return bothCopies ? valid : valid.slice(0, 1);
}

function nextWallMatch(fields: CronFields, from: number): number | undefined {
  let day = Math.floor(from / DAY) * DAY;
  let startMinute = Math.floor((from - day) / MINUTE);
  for (let i = 0; i < SEARCH_DAYS; i++, day += DAY, startMinute = 0) {
    if (!dayMatches(fields, new Date(day))) continue;
    for (const hour of fields.hours) {
      if (hour * 60 + 59 < startMinute) continue;
      for (const minute of fields.minutes) {
        if (hour * 60 + minute >= startMinute) return day + (hour * 60 + minute) * MINUTE;
      }
    }
  }
  return undefined;
}

function dayMatches(fields: CronFields, date: Date): boolean {
  if (!fields.months.includes(date.getUTCMonth() + 1)) return false;
  const dom = fields.daysOfMonth.includes(date.getUTCDate());
  const dow = fields.daysOfWeek.includes(date.getUTCDay());
  if (fields.daysOfMonthRestricted && fields.daysOfWeekRestricted) return dom || dow;
  return dom && dow;
}
