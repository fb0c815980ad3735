// Generators shared by the time bad-input properties: ISO times and durations, and near-valid
// interval, duration and time strings built from fragments of their grammars.
import fc from 'fast-check';
import type { TimeInterval } from '../../../src/time/time-interval.js';
import { MAX_DATE, MIN_DATE, formatTimestamp } from '../../../src/time/timestamp.js';
import { inRangeTimestamp, nearValid } from './typed-error.js';

export const isoTime = inRangeTimestamp.map(formatTimestamp);
export const isoDuration = fc
  .record(
    {
      sign: fc.constantFrom('', '-', '+'),
      days: fc.nat({ max: 400 }),
      hours: fc.nat({ max: 48 }),
      seconds: fc.nat({ max: 100_000 }),
    },
    { noNullPrototype: true },
  )
  .map(({ sign, days, hours, seconds }) => `${sign}P${days}DT${hours}H${seconds}S`);

const TIME_FRAGMENTS = [
  '2016-04-28T20:00:00Z',
  '2016-04-28',
  '9999-12-31T23:59:59.999Z',
  '0001-01-01T00:00:00Z',
  '-271821-04-20',
  '+275760-09-13',
  'T',
  'Z',
  ':',
  '.',
  '-',
  '+',
  '+01:00',
  '[Europe/London]',
  '123',
  '00',
  '99',
  '1e3',
  ' ',
  '\u0000',
  '\u2028',
  'é',
];
const DURATION_FRAGMENTS = [
  'P',
  'T',
  'PT1H',
  'P1D',
  'P1M',
  'P1Y',
  'P1W',
  'PT0.5S',
  'PT1,5S',
  'P99999999999999999999Y',
  'PT1e400S',
  'P1.5Y',
  'P-1D',
  '-',
  '+',
  'S',
  'M',
  'H',
  '1',
  '0',
  '.',
];
const INTERVAL_FRAGMENTS = [
  ...TIME_FRAGMENTS,
  ...DURATION_FRAGMENTS,
  '/',
  '//',
  'now',
  'NOW',
  'now-PT10S',
  'now+P1D',
  'min',
  'max',
];

export const intervalText = nearValid(
  fc.oneof(
    fc.tuple(isoTime, isoTime).map(([a, b]) => `${a}/${b}`),
    fc.tuple(isoTime, isoDuration).map(([a, d]) => `${a}/${d}`),
    fc
      .tuple(isoDuration, fc.constantFrom('now', 'max', '2016-04-28T20:00:00Z'))
      .map(([d, e]) => `${d}/${e}`),
  ),
  INTERVAL_FRAGMENTS,
);
export const relativeText = nearValid(
  fc.tuple(isoDuration, isoDuration).map(([a, b]) => `${a}/${b}`),
  [...DURATION_FRAGMENTS, '/', '//'],
);
export const durationText = nearValid(isoDuration, DURATION_FRAGMENTS);
export const timeText = nearValid(isoTime, TIME_FRAGMENTS);

/** Whole epoch ms within MIN_DATE … MAX_DATE, start <= end. */
export function isWellFormed(interval: TimeInterval): boolean {
  return (
    Number.isInteger(interval.start) &&
    Number.isInteger(interval.end) &&
    MIN_DATE <= interval.start &&
    interval.start <= interval.end &&
    interval.end <= MAX_DATE
  );
}
