import { z } from 'zod';
import { InvalidArgumentError } from '../../errors.js';
import type { Clock } from '../../time/clock.js';
import { parseTimeInterval } from '../../time/parse-interval.js';
import type { TimeInterval } from '../../time/time-interval.js';
import type { TimeIntervalJSON } from '../../time/time-interval.js';
import { formatTimestamp } from '../../time/timestamp.js';
import type { OptionSpec } from '../args.js';

/** `--from`, `--to` and `--interval`, shared by every command that takes a time range. */
export const INTERVAL_OPTIONS = {
  from: {
    type: 'string',
    value: '<time>',
    description: 'start (exclusive): ISO 8601, now, now-PT1H, min',
  },
  to: { type: 'string', value: '<time>', description: 'end (inclusive): ISO 8601, now, max' },
  interval: {
    type: 'string',
    value: '<interval>',
    description: 'instead of --from/--to: start/end, start/PT1H or relative such as -P1D/now',
  },
} as const satisfies Record<string, OptionSpec>;

/** The `<stream>` argument of the commands that name one stream. */
export const STREAM_POSITIONAL = {
  name: '<stream>',
  description: 'stream key: name or name[key=value,...]',
} as const;

export const intervalFields = {
  from: z.string().optional(),
  to: z.string().optional(),
  interval: z.string().optional(),
};

/**
 * The time range of `--from/--to` or `--interval`, or `undefined` when none is given and
 * `required` is false. Usage errors say which options to give.
 */
export function intervalFromArgs(
  args: {
    readonly from?: string | undefined;
    readonly to?: string | undefined;
    readonly interval?: string | undefined;
  },
  clock: Clock,
  required = true,
): TimeInterval | undefined {
  const { from, to, interval } = args;
  if (interval !== undefined) {
    if (from !== undefined || to !== undefined) {
      throw new InvalidArgumentError('give either --interval or --from/--to, not both');
    }
    return parseTimeInterval(interval, { clock });
  }
  if (from === undefined && to === undefined) {
    if (!required) return undefined;
    throw new InvalidArgumentError(
      'no time range: give --from <time> --to <time>, or --interval such as -P1D/now',
    );
  }
  if (from === undefined || to === undefined) {
    throw new InvalidArgumentError(
      `--${from === undefined ? 'from' : 'to'} is missing: give both --from and --to`,
    );
  }
  return parseTimeInterval(`${from}/${to}`, { clock });
}

/** `--meta k=v` values as pairs. */
export function metaPairs(values: readonly string[] | undefined): [string, string][] {
  return (values ?? []).map((item) => {
    const at = item.indexOf('=');
    if (at <= 0) {
      throw new InvalidArgumentError(
        `invalid --meta "${item}": expected key=value such as house=1`,
      );
    }
    return [item.slice(0, at), item.slice(at + 1)];
  });
}

/** An interval's JSON in ISO form, for people. */
export function isoInterval(interval: TimeIntervalJSON): { start: string; end: string } {
  return { start: formatTimestamp(interval.start), end: formatTimestamp(interval.end) };
}

/** `(start, end]` with ISO times. */
export function formatInterval(interval: TimeIntervalJSON): string {
  return `(${formatTimestamp(interval.start)}, ${formatTimestamp(interval.end)}]`;
}
