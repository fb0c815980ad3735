// The queries planning asks of calculated ranges (matching, unstamped, mismatched, intervals),
// checked against a brute-force filter of the stored ranges, for mixed and uniform stamps alike
// (uniform ones take a shortcut).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalculatedRange } from '../../../src/storage/calculated-ranges.js';
import { CalculatedRanges } from '../../../src/storage/calculated-ranges.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';

const fingerprint = fc.constantFrom(undefined, 'a', 'b');

/** Disjoint ranges (some touching) with random stamps; often all stamped alike. */
const ranges = fc
  .tuple(
    fc.array(
      fc.record({
        gap: fc.integer({ min: 0, max: 3 }),
        width: fc.integer({ min: 1, max: 5 }),
        fingerprint,
        invalidated: fc.boolean(),
      }),
      { maxLength: 10 },
    ),
    fc.option(fingerprint, { nil: null }),
  )
  .map(([parts, uniform]) => {
    let at = 0;
    return parts.map((p): CalculatedRange => {
      const start = at + p.gap;
      at = start + p.width;
      const stamp = uniform === null ? p.fingerprint : uniform;
      return {
        start,
        end: at,
        ...(stamp !== undefined ? { fingerprint: stamp } : {}),
        ...(uniform === null && p.invalidated ? { invalidated: true } : {}),
      };
    });
  });

function where(list: readonly CalculatedRange[], keep: (r: CalculatedRange) => boolean) {
  return TimeIntervals.from(list.filter(keep).map((r) => new TimeInterval(r.start, r.end)));
}

describe('CalculatedRanges queries (properties)', () => {
  it('match a brute-force filter of the ranges', () => {
    fc.assert(
      fc.property(ranges, fc.constantFrom('a', 'b'), (list, asked) => {
        const calculated = CalculatedRanges.from(list);
        // Asked twice: the second answer may come from a cache.
        for (let i = 0; i < 2; i++) {
          expect(calculated.intervals.equals(where(list, (r) => !r.invalidated))).toBe(true);
          expect(
            calculated
              .matching(asked)
              .equals(
                where(
                  list,
                  (r) => !r.invalidated && (r.fingerprint === undefined || r.fingerprint === asked),
                ),
              ),
          ).toBe(true);
          expect(
            calculated.unstamped.equals(
              where(list, (r) => !r.invalidated && r.fingerprint === undefined),
            ),
          ).toBe(true);
          const mismatched = TimeIntervals.from(
            calculated.mismatched(asked).map((r) => new TimeInterval(r.start, r.end)),
          );
          expect(
            mismatched.equals(
              where(
                list,
                (r) => !r.invalidated && r.fingerprint !== undefined && r.fingerprint !== asked,
              ),
            ),
          ).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
