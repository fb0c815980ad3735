import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';

const RUNS = { numRuns: 1000 };

const interval = fc
  .tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 30 }))
  .map(([start, width]) => new TimeInterval(start, start + width));
const intervals = fc.array(interval, { maxLength: 12 }).map((list) => TimeIntervals.from(list));
const point = fc.integer({ min: -60, max: 90 });

/** Membership by brute force over the integer grid: the reference semantics. */
function member(list: readonly TimeInterval[], t: number): boolean {
  return list.some((i) => i.contains(t));
}

function isNormal(set: TimeIntervals): boolean {
  const parts = set.toArray();
  return parts.every((p, i) => !p.isEmpty && (i === 0 || parts[i - 1]!.end < p.start));
}

describe('TimeIntervals algebra (properties)', () => {
  it('from() contains exactly the members of its inputs, in normal form', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 12 }), point, (list, t) => {
        const set = TimeIntervals.from(list);
        return isNormal(set) && set.contains(t) === member(list, t);
      }),
      RUNS,
    );
  });

  it('fromSorted() equals from(), whatever the order of its input', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 12 }), fc.boolean(), (list, sort) => {
        const input = sort ? [...list].sort((a, b) => a.start - b.start) : list;
        return TimeIntervals.fromSorted(input).equals(TimeIntervals.from(list));
      }),
      RUNS,
    );
  });

  it('union: a ∪ b ⊇ a, membership is "in a or in b", normal form', () => {
    fc.assert(
      fc.property(intervals, intervals, point, (a, b, t) => {
        const u = a.union(b);
        return (
          isNormal(u) &&
          u.contains(t) === (a.contains(t) || b.contains(t)) &&
          a.toArray().every((i) => u.covers(i))
        );
      }),
      RUNS,
    );
  });

  it('difference: (a − b) ∩ b = ∅ and membership is "in a and not in b"', () => {
    fc.assert(
      fc.property(intervals, intervals, point, (a, b, t) => {
        const d = a.difference(b);
        return (
          isNormal(d) &&
          d.intersection(b).isEmpty &&
          d.contains(t) === (a.contains(t) && !b.contains(t))
        );
      }),
      RUNS,
    );
  });

  it('(a − b) ∪ (a ∩ b) = a', () => {
    fc.assert(
      fc.property(intervals, intervals, (a, b) =>
        a.difference(b).union(a.intersection(b)).equals(a),
      ),
      RUNS,
    );
  });

  it('intersection is commutative and membership is "in both"', () => {
    fc.assert(
      fc.property(intervals, intervals, point, (a, b, t) => {
        const i = a.intersection(b);
        return (
          isNormal(i) &&
          i.equals(b.intersection(a)) &&
          i.contains(t) === (a.contains(t) && b.contains(t))
        );
      }),
      RUNS,
    );
  });

  it('union is commutative and associative', () => {
    fc.assert(
      fc.property(
        intervals,
        intervals,
        intervals,
        (a, b, c) =>
          a.union(b).equals(b.union(a)) &&
          a
            .union(b)
            .union(c)
            .equals(a.union(b.union(c))),
      ),
      RUNS,
    );
  });

  it('covers(i) holds exactly when every point of i is a member', () => {
    fc.assert(
      fc.property(intervals, interval, (set, i) => {
        let all = true;
        for (let t = i.start + 1; t <= i.end; t++) all &&= set.contains(t);
        return set.covers(i) === all;
      }),
      RUNS,
    );
  });

  it('split pieces are disjoint, no wider than the step, and union back to the set', () => {
    fc.assert(
      fc.property(intervals, fc.integer({ min: 1, max: 20 }), fc.boolean(), (set, step, align) => {
        const pieces = set.split(step, { align });
        return (
          pieces.every((p) => p.width <= step && !p.isEmpty) &&
          pieces.every((p, k) => k === 0 || pieces[k - 1]!.end <= p.start) &&
          TimeIntervals.from(pieces).equals(set)
        );
      }),
      RUNS,
    );
  });

  it('JSON round-trips', () => {
    fc.assert(
      fc.property(intervals, (set) =>
        TimeIntervals.fromJSON(JSON.parse(JSON.stringify(set))).equals(set),
      ),
      RUNS,
    );
  });

  it('equals agrees with membership', () => {
    fc.assert(
      fc.property(intervals, intervals, (a, b) => {
        let same = true;
        for (let t = -60; t <= 90; t++) same &&= a.contains(t) === b.contains(t);
        expect(a.equals(b)).toBe(same);
      }),
      RUNS,
    );
  });
  it('splitAt: pieces tile the set, and every cut inside an interval is a piece bound', () => {
    fc.assert(
      fc.property(intervals, fc.array(point, { maxLength: 10 }), (set, cuts) => {
        const pieces = set.splitAt(cuts);
        const tiled = pieces.every(
          (p, i) => !p.isEmpty && (i === 0 || pieces[i - 1]!.end <= p.start),
        );
        const sameMembers = TimeIntervals.from(pieces).equals(set);
        // A point is a bound of a piece exactly when it is a bound of the set or a cut inside it.
        const bounds = new Set(pieces.flatMap((p) => [p.start, p.end]));
        const expected = new Set([
          ...set.toArray().flatMap((p) => [p.start, p.end]),
          ...cuts.filter((c) => set.toArray().some((p) => c > p.start && c < p.end)),
        ]);
        return (
          tiled &&
          sameMembers &&
          bounds.size === expected.size &&
          [...bounds].every((b) => expected.has(b))
        );
      }),
      RUNS,
    );
  });
});
