import { describe, expect, it } from 'vitest';
import { InvalidDurationError, InvalidIntervalError } from '../../../src/errors.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';

const H = 3_600_000;
const at = (h: number) => Date.UTC(2016, 0, 1) + h * H;
const iv = (a: number, b: number) => new TimeInterval(a, b);

describe('TimeIntervals', () => {
  it('normalises: sorts, merges overlapping and touching intervals, drops empty ones', () => {
    const set = TimeIntervals.of([20, 30], [0, 10], [10, 15], [25, 40], [50, 50]);
    expect(set.toJSON()).toEqual([
      { start: 0, end: 15 },
      { start: 20, end: 40 },
    ]);
    expect(set.size).toBe(2);
    expect(TimeIntervals.of([0, 0]).isEmpty).toBe(true);
  });

  it("reproduces HyperStream's worked example (T19)", () => {
    const a = TimeIntervals.of(iv(at(0), at(1)), iv(at(2), at(3)));
    const b = TimeIntervals.of(iv(at(0.5), at(2.5)));
    expect(a.union(b).equals(TimeIntervals.of(iv(at(0), at(3))))).toBe(true);
    expect(a.difference(b).equals(TimeIntervals.of(iv(at(0), at(0.5)), iv(at(2.5), at(3))))).toBe(
      true,
    );
  });

  it('unions touching intervals into one', () => {
    expect(TimeIntervals.of([0, 1]).union(iv(1, 2)).toJSON()).toEqual([{ start: 0, end: 2 }]);
  });

  it('computes difference and intersection, including identical and nested sets', () => {
    const a = TimeIntervals.of([0, 10], [20, 30]);
    expect(a.difference(a).isEmpty).toBe(true);
    expect(a.intersection(a).equals(a)).toBe(true);
    expect(a.difference(iv(5, 25)).toJSON()).toEqual([
      { start: 0, end: 5 },
      { start: 25, end: 30 },
    ]);
    expect(a.intersection(iv(5, 25)).toJSON()).toEqual([
      { start: 5, end: 10 },
      { start: 20, end: 25 },
    ]);
    expect(TimeIntervals.of([0, 100]).difference(a).toJSON()).toEqual([
      { start: 10, end: 20 },
      { start: 30, end: 100 },
    ]);
    expect(a.difference(TimeIntervals.EMPTY).equals(a)).toBe(true);
    expect(TimeIntervals.EMPTY.difference(a).isEmpty).toBe(true);
  });

  it('answers contains(t) at the edges of (start, end]', () => {
    const set = TimeIntervals.of([0, 10], [20, 30]);
    expect(set.contains(0)).toBe(false);
    expect(set.contains(1)).toBe(true);
    expect(set.contains(10)).toBe(true);
    expect(set.contains(15)).toBe(false);
    expect(set.contains(20)).toBe(false);
    expect(set.contains(30)).toBe(true);
    expect(TimeIntervals.EMPTY.contains(0)).toBe(false);
  });

  it('answers covers(interval) only when one member holds it all', () => {
    const set = TimeIntervals.of([0, 10], [10, 20], [30, 40]);
    expect(set.covers(iv(0, 20))).toBe(true);
    expect(set.covers(iv(5, 15))).toBe(true);
    expect(set.covers(iv(15, 35))).toBe(false);
    expect(set.covers(iv(30, 40))).toBe(true);
    expect(set.covers(iv(30, 41))).toBe(false);
    expect(set.covers(iv(25, 25))).toBe(true);
    expect(TimeIntervals.EMPTY.covers(iv(1, 2))).toBe(false);
  });

  it('reports span, start, end, at and iteration in time order', () => {
    const set = TimeIntervals.of([20, 30], [0, 10]);
    expect(set.span?.equals(iv(0, 30))).toBe(true);
    expect(set.start).toBe(0);
    expect(set.end).toBe(30);
    expect(set.at(-1)?.equals(iv(20, 30))).toBe(true);
    expect(set.at(5)).toBeUndefined();
    expect([...set].map((i) => i.start)).toEqual([0, 20]);
    expect(TimeIntervals.EMPTY.span).toBeUndefined();
  });

  it('splits by a duration, from each start or aligned to the epoch', () => {
    const set = TimeIntervals.of(iv(at(0), at(2.5)));
    expect(set.split(H).map((p) => p.width)).toEqual([H, H, H / 2]);
    expect(set.split('PT1H').length).toBe(3);
    const offset = TimeIntervals.of(iv(at(0.5), at(2)));
    expect(offset.split(H, { align: true }).map((p) => [p.start, p.end])).toEqual([
      [at(0.5), at(1)],
      [at(1), at(2)],
    ]);
    expect(() => set.split(0)).toThrow(InvalidIntervalError);
    expect(() => set.split('bogus')).toThrow(InvalidDurationError);
  });

  it('prints as HyperStream does and round-trips through JSON', () => {
    expect(TimeIntervals.EMPTY.toString()).toBe('[]');
    const set = TimeIntervals.of([0, 1000], [2000, 3000]);
    expect(set.toString()).toContain(' U ');
    const back = TimeIntervals.fromJSON(JSON.parse(JSON.stringify(set)));
    expect(back.equals(set)).toBe(true);
    expect(() => TimeIntervals.fromJSON({})).toThrow(InvalidIntervalError);
    expect(() => TimeIntervals.of([1, 2, 3] as unknown as [number, number])).toThrow(
      InvalidIntervalError,
    );
  });

  it('handles all-time intervals', () => {
    const all = TimeIntervals.of(TimeInterval.allTime());
    expect(all.covers(iv(0, at(1)))).toBe(true);
    expect(all.difference(iv(0, 10)).size).toBe(2);
  });

  it('stays linear on 100,000 intervals', () => {
    const a = TimeIntervals.from(Array.from({ length: 100_000 }, (_, i) => iv(i * 10, i * 10 + 5)));
    const b = TimeIntervals.from(
      Array.from({ length: 100_000 }, (_, i) => iv(i * 10 + 3, i * 10 + 8)),
    );
    expect(a.union(b).size).toBe(100_000);
    expect(a.difference(b).size).toBe(100_000);
    expect(a.intersection(b).size).toBe(100_000);
  });
  it('splitAt cuts at the given points (any order, as times), ignoring points outside or on a bound', () => {
    const set = TimeIntervals.of([at(0), at(10)], [at(20), at(30)]);
    const pieces = set.splitAt([at(25), new Date(at(4)), at(10), at(40), at(4), at(-1)]);
    expect(pieces.map((p) => [(p.start - at(0)) / H, (p.end - at(0)) / H])).toEqual([
      [0, 4],
      [4, 10],
      [20, 25],
      [25, 30],
    ]);
    expect(TimeIntervals.of([0, 10]).splitAt(['1970-01-01T00:00:00.004Z'])).toEqual([
      iv(0, 4),
      iv(4, 10),
    ]);
    expect(TimeIntervals.EMPTY.splitAt([1])).toEqual([]);
    expect(TimeIntervals.of([0, 10]).splitAt([])).toEqual([iv(0, 10)]);
  });
});
