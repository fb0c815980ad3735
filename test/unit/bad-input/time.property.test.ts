// Bad input to the interval parsers: interval strings and relative interval strings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidDurationError, InvalidIntervalError } from '../../../src/errors.js';
import { VirtualClock } from '../../../src/time/clock.js';
import { toDurationMs } from '../../../src/time/duration.js';
import { parseTimeInterval } from '../../../src/time/parse-interval.js';
import { RelativeTimeInterval } from '../../../src/time/relative-time-interval.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';
import { MAX_DATE, MIN_DATE, formatTimestamp } from '../../../src/time/timestamp.js';
import { intervalText, isWellFormed, relativeText } from './time-arbitraries.js';
import { RUNS, inRangeTimestamp, oddValue, outcome } from './typed-error.js';

const NOW = Date.parse('2016-04-28T20:00:00Z');
const clock = new VirtualClock(NOW);

describe('interval strings (bad input)', () => {
  it('parseTimeInterval: any text gives a well-formed interval or InvalidIntervalError quoting it', () => {
    fc.assert(
      fc.property(intervalText, (text) => {
        const result = outcome(
          () => parseTimeInterval(text, { clock }),
          [InvalidIntervalError],
          text,
        );
        if (result.ok) expect(isWellFormed(result.value)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseTimeInterval: values that are not strings give InvalidIntervalError', () => {
    fc.assert(
      fc.property(oddValue, (value) => {
        const result = outcome(
          () => parseTimeInterval(value as string, { clock }),
          [InvalidIntervalError],
        );
        if (typeof value !== 'string') expect(result.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseTimeInterval: "start/end" of ISO times gives exactly (start, end], or says start is after end', () => {
    fc.assert(
      fc.property(inRangeTimestamp, inRangeTimestamp, (a, b) => {
        const text = `${formatTimestamp(a)}/${formatTimestamp(b)}`;
        const result = outcome(
          () => parseTimeInterval(text, { clock }),
          [InvalidIntervalError],
          text,
        );
        if (a <= b) {
          expect(result.ok && result.value.equals(new TimeInterval(a, b))).toBe(true);
        } else {
          expect(!result.ok && result.error.message).toMatch(/after/);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('parseTimeInterval: "start/PTnS" is n seconds long when it ends in range, else an error', () => {
    fc.assert(
      fc.property(inRangeTimestamp, fc.nat({ max: 10 ** 12 }), (start, seconds) => {
        const text = `${formatTimestamp(start)}/PT${seconds}S`;
        const result = outcome(
          () => parseTimeInterval(text, { clock }),
          [InvalidIntervalError],
          text,
        );
        const end = start + seconds * 1000;
        expect(result.ok).toBe(end <= MAX_DATE);
        if (result.ok) expect(result.value.equals(new TimeInterval(start, end))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('RelativeTimeInterval.parse: any text gives start <= end offsets or InvalidIntervalError quoting it', () => {
    fc.assert(
      fc.property(relativeText, (text) => {
        const result = outcome(
          () => RelativeTimeInterval.parse(text),
          [InvalidIntervalError],
          text,
        );
        if (result.ok) {
          const { start, end } = result.value;
          expect(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start <= end).toBe(
            true,
          );
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('RelativeTimeInterval.parse and .of: values that are not strings give a typed error', () => {
    fc.assert(
      fc.property(oddValue, oddValue, (a, b) => {
        const parsed = outcome(
          () => RelativeTimeInterval.parse(a as string),
          [InvalidIntervalError],
        );
        if (typeof a !== 'string') expect(parsed.ok).toBe(false);
        outcome(
          () => RelativeTimeInterval.of(a as number, b as number),
          [InvalidIntervalError, InvalidDurationError],
        );
      }),
      { numRuns: RUNS },
    );
  });
});

// Counterexamples the properties above found, kept as plain examples.
describe('regressions found by the bad-input properties', () => {
  it('a relative interval of absurd calendar durations is refused, not accepted as 3e30 ms', () => {
    const text = 'P100DT10H10000S/P99999999999999999999Y10DT0H10000S';
    expect(() => RelativeTimeInterval.parse(text)).toThrow(InvalidIntervalError);
    expect(() => toDurationMs('P99999999999999999999Y')).toThrow(/285,000 years/);
    expect(() => toDurationMs(1e300)).toThrow(InvalidDurationError);
    expect(() => new RelativeTimeInterval(-1e300, 0)).toThrow(InvalidIntervalError);
  });

  it('splitting all time by one second is refused, not an out-of-memory crash', () => {
    expect(() => TimeIntervals.of(TimeInterval.allTime()).split('PT1S')).toThrow(
      /more than 1000000 pieces/,
    );
    expect(TimeIntervals.of([0, 10]).split(1, { maxPieces: 10 })).toHaveLength(10);
    expect(() => TimeIntervals.of([0, 10]).split(1, { maxPieces: 9 })).toThrow(
      InvalidIntervalError,
    );
  });

  it('RelativeTimeInterval.parse of a non-string is InvalidIntervalError, not a TypeError', () => {
    expect(() => RelativeTimeInterval.parse(0 as unknown as string)).toThrow(InvalidIntervalError);
  });
});

describe('splitting (bad input)', () => {
  const bound = fc.oneof(inRangeTimestamp, fc.constantFrom(MIN_DATE, MAX_DATE, 0));
  const set = fc
    .array(fc.tuple(bound, bound), { maxLength: 4 })
    .map((pairs) => TimeIntervals.from(pairs.map(([a, b]) => (a <= b ? [a, b] : [b, a]))));
  const step = fc.oneof(
    fc.integer({ min: -2, max: 10 }),
    fc.integer({ min: 1, max: 2 ** 40 }),
    fc.constantFrom('PT1S', 'P1D', 'P1Y', 'PT0S', '-PT1H', 'nonsense'),
  );

  it('TimeIntervals.split: at most maxPieces pieces covering the set exactly, or a typed error', () => {
    fc.assert(
      fc.property(
        set,
        step,
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        (s, d, align, max) => {
          const result = outcome(
            () => s.split(d, { align, maxPieces: max }),
            [InvalidIntervalError, InvalidDurationError],
          );
          if (!result.ok) return;
          const pieces = result.value;
          expect(pieces.length).toBeLessThanOrEqual(max);
          expect(TimeIntervals.from(pieces).equals(s)).toBe(true);
          const ms = toDurationMs(d);
          expect(
            pieces.every((p, i) => p.width <= ms && (i === 0 || pieces[i - 1]!.end <= p.start)),
          ).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
