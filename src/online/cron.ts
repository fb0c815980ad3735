import { Cron } from 'croner';
import { IANAZone } from 'luxon';
import { InvalidArgumentError } from '../errors.js';
import type { Timestamp } from '../time/timestamp.js';

/**
 * A checked cron expression. Parsing and matching are croner's: 5 fields
 * (`minute hour day-of-month month day-of-week`) or 6 with seconds first; lists, ranges, steps,
 * names (`jan`, `mon-fri`), `L` (last day, or last weekday of the month `5L`), `W` (nearest
 * weekday), `#` (nth weekday, `mon#2`) and the `@hourly`…`@yearly` nicknames.
 */
export interface CronExpression {
  /** The expression as written. */
  readonly expression: string;
}

// Vixie cron's rules: a restricted day-of-month OR a restricted day-of-week fires; "5/15" means
// from 5 in steps of 15; jobs with a list or range of times count as fixed-time (see nextCronTime).
const OPTIONS = {
  paused: true,
  mode: '5-or-6-parts',
  domAndDow: false,
  sloppyRanges: true,
  fixedTimeRule: 'no-wildcard',
} as const;

const EXPECTED =
  'expected "minute hour day-of-month month day-of-week" (optionally with seconds first) such as "*/5 * * * *" or "0 3 * * mon-fri", or @hourly/@daily/@weekly/@monthly/@yearly';

// Croner instances by expression and zone: parsing once per schedule, not once per tick.
const compiled = new WeakMap<CronExpression, Map<string, Cron>>();

/**
 * Parses and checks a cron expression. Throws {@link InvalidArgumentError} with the parser's own
 * reason (which field, which value), or saying that the expression never fires (`0 0 31 2 *`).
 */
export function parseCron(expression: string): CronExpression {
  let cron: Cron;
  try {
    cron = new Cron(expression.trim(), { ...OPTIONS, timezone: 'UTC' });
  } catch (error) {
    throw new InvalidArgumentError(
      `invalid cron expression "${expression}": ${croneReason(error)}; ${EXPECTED}`,
      { input: expression, reason: croneReason(error) },
    );
  }
  if (cron.nextRun(new Date(0)) === null) {
    throw new InvalidArgumentError(
      `invalid cron expression "${expression}": no date matches it (no month has such a day), so it never fires`,
      { input: expression },
    );
  }
  const parsed: CronExpression = Object.freeze({ expression });
  compiled.set(parsed, new Map([['UTC', cron]]));
  return parsed;
}

/**
 * The first instant strictly after `after` at which the expression fires on the wall clock of
 * `zone`, or `undefined` when it never fires again.
 *
 * Across DST changes (croner's rules, as Vixie cron): a fixed-time job (seconds, minutes and
 * hours without `*` or a step) whose local time is skipped runs at the first valid time after
 * the gap, so a daily job is never lost, and runs once when its local time occurs twice; an
 * interval job (a `*` or a step in those fields) skips times in a gap and runs in both copies of
 * a repeated hour.
 */
export function nextCronTime(
  cron: CronExpression,
  after: Timestamp,
  zone: string,
): Timestamp | undefined {
  const next = compile(cron, zone).nextRun(new Date(after));
  return next === null ? undefined : next.getTime();
}

function compile(cron: CronExpression, zone: string): Cron {
  let byZone = compiled.get(cron);
  if (byZone === undefined) {
    // Built by hand rather than by parseCron: check it now.
    byZone = compiled.get(parseCron(cron.expression))!;
    compiled.set(cron, byZone);
  }
  let instance = byZone.get(zone);
  if (instance === undefined) {
    if (!IANAZone.isValidZone(zone)) {
      throw new InvalidArgumentError(
        `invalid time zone "${zone}": expected an IANA zone such as Europe/London`,
        { zone },
      );
    }
    instance = new Cron(cron.expression.trim(), { ...OPTIONS, timezone: zone });
    byZone.set(zone, instance);
  }
  return instance;
}

function croneReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Cron(?:Pattern|Options)?: /, '').replace(/\.$/, '');
}
