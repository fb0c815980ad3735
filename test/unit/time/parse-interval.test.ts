import { Duration } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  InvalidDurationError,
  InvalidIntervalError,
  InvalidTimestampError,
} from '../../../src/errors.js';
import { VirtualClock, systemClock } from '../../../src/time/clock.js';
import { parseIsoDuration, toDurationMs } from '../../../src/time/duration.js';
import { parseTimeInterval, resolveInterval } from '../../../src/time/parse-interval.js';
import { RelativeTimeInterval } from '../../../src/time/relative-time-interval.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import {
  MAX_DATE,
  MIN_DATE,
  checkTimestamp,
  formatTimestamp,
  toTimestamp,
} from '../../../src/time/timestamp.js';

const T0 = Date.parse('2016-04-28T20:00:00Z');
const H = 3_600_000;
const clock = new VirtualClock(Date.parse('2020-03-01T00:00:00Z'));

describe('parseTimeInterval', () => {
  it('parses start/end, start/duration and duration/end', () => {
    expect(
      parseTimeInterval('2016-04-28T20:00:00Z/2016-04-28T21:00:00Z').equals(
        new TimeInterval(T0, T0 + H),
      ),
    ).toBe(true);
    expect(
      parseTimeInterval('2016-04-28T20:00:00Z/PT1H').equals(new TimeInterval(T0, T0 + H)),
    ).toBe(true);
    expect(
      parseTimeInterval('PT1H/2016-04-28T21:00:00Z').equals(new TimeInterval(T0, T0 + H)),
    ).toBe(true);
  });

  it('applies calendar durations to the date (a month from Feb 1 is 29 days in 2020)', () => {
    const feb = parseTimeInterval('2020-02-01T00:00:00Z/P1M');
    expect(feb.end).toBe(Date.parse('2020-03-01T00:00:00Z'));
    expect(feb.width).toBe(29 * 24 * H);
  });

  it('understands now, now±duration, min and max against an injected clock', () => {
    const now = clock.now();
    expect(
      parseTimeInterval('-P1D/now', { clock }).equals(new TimeInterval(now - 24 * H, now)),
    ).toBe(true);
    expect(
      parseTimeInterval('P1D/now', { clock }).equals(new TimeInterval(now - 24 * H, now)),
    ).toBe(true);
    expect(parseTimeInterval('now-PT1H/now', { clock }).start).toBe(now - H);
    expect(parseTimeInterval('now/now+PT2H', { clock }).end).toBe(now + 2 * H);
    expect(parseTimeInterval('min/max').equals(TimeInterval.allTime())).toBe(true);
  });

  it('rejects bad strings with InvalidIntervalError quoting the input', () => {
    for (const bad of [
      '',
      'nonsense',
      '2016-04-28/xyz',
      'PT1H/PT2H',
      'a/b/c',
      '2016-04-28T21:00:00Z/2016-04-28T20:00:00Z',
      '2016-04-28/-PT1H',
      '/PT1H',
    ]) {
      expect(() => parseTimeInterval(bad), bad).toThrow(InvalidIntervalError);
    }
    expect(() => parseTimeInterval('2016-04-28/xyz')).toThrow(/"2016-04-28\/xyz"/);
  });

  it('resolves any window spec', () => {
    const abs = new TimeInterval(0, 10);
    expect(resolveInterval(abs)).toBe(abs);
    expect(
      resolveInterval(RelativeTimeInterval.of(-10, 0), 100).equals(new TimeInterval(90, 100)),
    ).toBe(true);
    expect(resolveInterval(RelativeTimeInterval.of(-10, 0), undefined, { clock }).end).toBe(
      clock.now(),
    );
    expect(resolveInterval('2016-04-28T20:00:00Z/PT1H').start).toBe(T0);
  });
});

describe('RelativeTimeInterval', () => {
  it('resolves offsets against a reference and extends intervals', () => {
    const recent = RelativeTimeInterval.of('-PT60S', '-PT10S');
    expect(recent.start).toBe(-60_000);
    expect(recent.absolute(T0).equals(new TimeInterval(T0 - 60_000, T0 - 10_000))).toBe(true);
    expect(
      recent
        .extend(new TimeInterval(T0, T0 + H))
        .equals(new TimeInterval(T0 - 60_000, T0 + H - 10_000)),
    ).toBe(true);
    expect(recent.width).toBe(50_000);
    expect(recent.toString()).toBe('(-60s, -10s]');
    expect(RelativeTimeInterval.parse('-PT60S/-PT10S').equals(recent)).toBe(true);
  });

  it('rejects reversed or malformed offsets', () => {
    expect(() => RelativeTimeInterval.of(0, -1)).toThrow(InvalidIntervalError);
    expect(() => new RelativeTimeInterval(Number.NaN, 0)).toThrow(InvalidIntervalError);
    expect(() => RelativeTimeInterval.parse('-PT60S')).toThrow(/"-PT60S"/);
    expect(() => RelativeTimeInterval.parse('x/y')).toThrow(InvalidIntervalError);
  });
});

describe('durations and timestamps', () => {
  it('converts ms, ISO strings (with sign) and luxon durations', () => {
    expect(toDurationMs(1500)).toBe(1500);
    expect(toDurationMs('PT1H30M')).toBe(1.5 * H);
    expect(toDurationMs('-PT10S')).toBe(-10_000);
    expect(toDurationMs(Duration.fromObject({ minutes: 2 }))).toBe(120_000);
    expect(parseIsoDuration('+P1D').toMillis()).toBe(24 * H);
    expect(() => toDurationMs('1 hour')).toThrow(InvalidDurationError);
    expect(() => toDurationMs(Infinity)).toThrow(InvalidDurationError);
    expect(() => toDurationMs('P')).toThrow(/"P"/);
  });

  it('converts times and rejects invalid ones', () => {
    expect(toTimestamp('2016-04-28T20:00:00Z')).toBe(T0);
    expect(toTimestamp(new Date(T0))).toBe(T0);
    expect(() => toTimestamp('yesterday')).toThrow(InvalidTimestampError);
    expect(() => toTimestamp(new Date(Number.NaN))).toThrow(InvalidTimestampError);
    expect(() => toTimestamp({} as never)).toThrow(InvalidTimestampError);
    expect(() => checkTimestamp(MAX_DATE + 1)).toThrow(InvalidTimestampError);
    expect(formatTimestamp(MIN_DATE)).toBe('0001-01-01T00:00:00.000Z');
    expect(formatTimestamp(MAX_DATE)).toBe('9999-12-31T23:59:59.999Z');
  });
});

describe('clocks', () => {
  it('a virtual clock moves only when told', () => {
    const virtual = new VirtualClock(1000);
    expect(virtual.now()).toBe(1000);
    expect(virtual.advance(500)).toBe(1500);
    virtual.set(10);
    expect(virtual.now()).toBe(10);
  });

  it('the system clock follows Date.now', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
