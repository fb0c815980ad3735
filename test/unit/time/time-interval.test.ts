import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { InvalidIntervalError, isHyperstreamError } from '../../../src/errors.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { MAX_DATE, MIN_DATE } from '../../../src/time/timestamp.js';

const T0 = Date.parse('2016-04-28T20:00:00Z');
const T1 = Date.parse('2016-04-28T21:00:00Z');

describe('TimeInterval', () => {
  it('is half-open (start, end]', () => {
    const interval = new TimeInterval(10, 20);
    expect(interval.contains(10)).toBe(false);
    expect(interval.contains(11)).toBe(true);
    expect(interval.contains(20)).toBe(true);
    expect(interval.contains(21)).toBe(false);
  });

  it('builds from numbers, Dates, ISO strings and luxon DateTimes alike', () => {
    const expected = new TimeInterval(T0, T1);
    expect(TimeInterval.of(new Date(T0), new Date(T1)).equals(expected)).toBe(true);
    expect(
      TimeInterval.of('2016-04-28T20:00:00Z', '2016-04-28T21:00:00.000Z').equals(expected),
    ).toBe(true);
    expect(TimeInterval.of('2016-04-28T22:00:00+02:00', T1).equals(expected)).toBe(true);
    expect(
      TimeInterval.of(DateTime.fromMillis(T0), DateTime.fromISO('2016-04-28T21:00:00Z')).equals(
        expected,
      ),
    ).toBe(true);
  });

  it('reads ISO strings without an offset as UTC', () => {
    expect(TimeInterval.of('2016-04-28T20:00:00', T1).start).toBe(T0);
  });

  it('is empty when start equals end, with width 0', () => {
    const empty = new TimeInterval(5, 5);
    expect(empty.isEmpty).toBe(true);
    expect(empty.width).toBe(0);
    expect(empty.contains(5)).toBe(false);
    expect(new TimeInterval(5, 8).width).toBe(3);
  });

  it('rejects start after end, non-finite and out-of-range values with InvalidIntervalError', () => {
    expect(() => new TimeInterval(2, 1)).toThrow(InvalidIntervalError);
    expect(() => new TimeInterval(Number.NaN, 1)).toThrow(/finite/);
    expect(() => new TimeInterval(0, Infinity)).toThrow(InvalidIntervalError);
    expect(() => new TimeInterval(MIN_DATE - 1, 0)).toThrow(InvalidIntervalError);
    expect(() => new TimeInterval(0.5, 1)).toThrow(InvalidIntervalError);
    expect(() => TimeInterval.of('not a date', T1)).toThrow(/"not a date"/);
  });

  it('covers itself, nested intervals and empty ones', () => {
    const outer = new TimeInterval(0, 100);
    expect(outer.covers(outer)).toBe(true);
    expect(outer.covers(new TimeInterval(10, 20))).toBe(true);
    expect(outer.covers(new TimeInterval(90, 101))).toBe(false);
    expect(outer.covers(new TimeInterval(500, 500))).toBe(true);
  });

  it('tells overlap and intersection; touching intervals do not overlap', () => {
    const a = new TimeInterval(0, 10);
    expect(a.overlaps(new TimeInterval(10, 20))).toBe(false);
    expect(a.intersect(new TimeInterval(10, 20))).toBeUndefined();
    expect(a.overlaps(new TimeInterval(9, 20))).toBe(true);
    expect(a.intersect(new TimeInterval(5, 20))?.equals(new TimeInterval(5, 10))).toBe(true);
  });

  it('spans all time between MIN_DATE and MAX_DATE', () => {
    const all = TimeInterval.allTime();
    expect(all.start).toBe(MIN_DATE);
    expect(all.end).toBe(MAX_DATE);
    expect(all.toString()).toBe('(0001-01-01T00:00:00.000Z, 9999-12-31T23:59:59.999Z]');
    expect(TimeInterval.upTo(T1).equals(new TimeInterval(MIN_DATE, T1))).toBe(true);
  });

  it('prints and round-trips through JSON (numbers or ISO strings)', () => {
    const interval = new TimeInterval(T0, T1);
    expect(interval.toString()).toBe('(2016-04-28T20:00:00.000Z, 2016-04-28T21:00:00.000Z]');
    expect(interval.toISO()).toBe('2016-04-28T20:00:00.000Z/2016-04-28T21:00:00.000Z');
    const json = JSON.parse(JSON.stringify(interval)) as unknown;
    expect(json).toEqual({ start: T0, end: T1 });
    expect(TimeInterval.fromJSON(json).equals(interval)).toBe(true);
    expect(TimeInterval.fromJSON({ start: '2016-04-28T20:00:00Z', end: T1 }).equals(interval)).toBe(
      true,
    );
    expect(() => TimeInterval.fromJSON({ start: T0 })).toThrow(InvalidIntervalError);
    expect(() => TimeInterval.fromJSON({ start: true, end: 1 })).toThrow(InvalidIntervalError);
  });

  it('is immutable and shifts into a new interval', () => {
    const interval = new TimeInterval(0, 10);
    expect(Object.isFrozen(interval)).toBe(true);
    expect(interval.shift(5).equals(new TimeInterval(5, 15))).toBe(true);
    expect(interval.start).toBe(0);
  });

  it('gives errors with a stable code', () => {
    try {
      new TimeInterval(2, 1);
      expect.unreachable();
    } catch (error) {
      expect(isHyperstreamError(error)).toBe(true);
      expect((error as InvalidIntervalError).code).toBe('INVALID_INTERVAL');
    }
  });
});
