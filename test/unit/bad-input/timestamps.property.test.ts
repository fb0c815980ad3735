// Bad input to durations, timestamps and interval JSON.
import fc from 'fast-check';
import { Duration } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  InvalidDurationError,
  InvalidIntervalError,
  InvalidTimestampError,
} from '../../../src/errors.js';
import { parseIsoDuration, toDurationMs } from '../../../src/time/duration.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';
import type { TimeLike } from '../../../src/time/timestamp.js';
import { MAX_DATE, MIN_DATE, formatTimestamp, toTimestamp } from '../../../src/time/timestamp.js';
import { durationText, isWellFormed, isoDuration, isoTime, timeText } from './time-arbitraries.js';
import { RUNS, inRangeTimestamp, oddValue, outcome } from './typed-error.js';

describe('ISO durations (bad input)', () => {
  it('parseIsoDuration: any text gives a valid Duration or InvalidDurationError quoting it', () => {
    fc.assert(
      fc.property(durationText, (text) => {
        const result = outcome(() => parseIsoDuration(text), [InvalidDurationError], text);
        if (result.ok) expect(result.value.isValid).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('toDurationMs: any value gives finite whole milliseconds or InvalidDurationError', () => {
    const anything = fc.oneof(
      oddValue,
      durationText,
      fc.constant(Duration.invalid('bad')),
      fc.integer().map((ms) => Duration.fromMillis(ms)),
    );
    fc.assert(
      fc.property(anything, (value) => {
        const result = outcome(() => toDurationMs(value as number), [InvalidDurationError]);
        if (result.ok)
          expect(Number.isFinite(result.value) && Number.isInteger(result.value)).toBe(true);
        if (typeof value === 'number') {
          expect(result.ok).toBe(
            Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER,
          );
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('toDurationMs: PnDTnHnS counts exactly', () => {
    fc.assert(
      fc.property(isoDuration, (text) => {
        const [, sign, d, h, s] = /^([+-]?)P(\d+)DT(\d+)H(\d+)S$/.exec(text)!;
        const ms = (Number(d) * 86_400 + Number(h) * 3600 + Number(s)) * 1000;
        expect(toDurationMs(text)).toBe(sign === '-' ? -ms : ms);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('timestamps (bad input)', () => {
  it('toTimestamp: any value gives whole in-range epoch ms or InvalidTimestampError', () => {
    fc.assert(
      fc.property(fc.oneof(oddValue, timeText), (value) => {
        const result = outcome(
          () => toTimestamp(value as TimeLike),
          [InvalidTimestampError],
          typeof value === 'string' ? value : undefined,
        );
        if (result.ok) {
          expect(Number.isInteger(result.value)).toBe(true);
          expect(result.value >= MIN_DATE && result.value <= MAX_DATE).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('toTimestamp: an ISO string of a timestamp gives it back; numbers are truncated or refused', () => {
    fc.assert(
      fc.property(inRangeTimestamp, fc.double(), (t, x) => {
        expect(toTimestamp(formatTimestamp(t))).toBe(t);
        expect(toTimestamp(new Date(t))).toBe(t);
        const result = outcome(() => toTimestamp(x), [InvalidTimestampError]);
        expect(result.ok).toBe(Number.isFinite(x) && x >= MIN_DATE && x <= MAX_DATE);
        if (result.ok) expect(result.value).toBe(Math.trunc(x) || 0); // never -0
      }),
      { numRuns: RUNS },
    );
  });
});

describe('interval JSON (bad input)', () => {
  const endpoint = fc.oneof(oddValue, inRangeTimestamp, isoTime, timeText);

  it('TimeInterval.of: any pair of values gives a well-formed interval or InvalidIntervalError', () => {
    fc.assert(
      fc.property(endpoint, endpoint, (a, b) => {
        const result = outcome(
          () => TimeInterval.of(a as TimeLike, b as TimeLike),
          [InvalidIntervalError],
        );
        if (result.ok) expect(isWellFormed(result.value)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  const intervalJson = fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.record({ start: endpoint, end: endpoint }, { requiredKeys: [] }),
    fc.tuple(inRangeTimestamp, inRangeTimestamp).map(([a, b]) => ({ start: a, end: b })),
  );

  it('TimeInterval.fromJSON: any value gives a well-formed interval or InvalidIntervalError', () => {
    fc.assert(
      fc.property(intervalJson, (json) => {
        const result = outcome(() => TimeInterval.fromJSON(json), [InvalidIntervalError]);
        if (result.ok) {
          expect(isWellFormed(result.value)).toBe(true);
          const again = TimeInterval.fromJSON(JSON.parse(JSON.stringify(result.value)));
          expect(again.equals(result.value)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('TimeIntervals.fromJSON: any value gives a set that round-trips, or InvalidIntervalError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything({ maxDepth: 2 }), fc.array(intervalJson, { maxLength: 6 })),
        (json) => {
          const result = outcome(() => TimeIntervals.fromJSON(json), [InvalidIntervalError]);
          if (result.ok) {
            const again = TimeIntervals.fromJSON(JSON.parse(JSON.stringify(result.value)));
            expect(again.equals(result.value)).toBe(true);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// Counterexamples the properties above found, kept as plain examples.
describe('regressions found by the bad-input properties', () => {
  it('interval JSON holding a bigint or a prototype-less object is InvalidIntervalError', () => {
    const noProto = Object.assign(Object.create(null) as object, { start: 0n });
    expect(() => TimeInterval.fromJSON(noProto)).toThrow(InvalidIntervalError);
    expect(() => TimeIntervals.fromJSON([{ start: 0n, end: 1 }])).toThrow(InvalidIntervalError);
  });

  it('a fractional negative timestamp truncates to 0, not -0', () => {
    expect(Object.is(toTimestamp(-0.5), 0)).toBe(true);
  });
});
