import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { backoffDelay, checkBackoffPolicy } from '../../../src/internal/backoff.js';
import { nextCronTime, parseCron } from '../../../src/online/cron.js';
import { cronSchedule, everySchedule } from '../../../src/online/schedule.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (t: number | undefined): string | undefined =>
  t === undefined ? undefined : new Date(t).toISOString();

function ticks(
  schedule: { next(t: number): number | undefined },
  from: string,
  n: number,
): string[] {
  const out: string[] = [];
  let t: number | undefined = at(from);
  for (let i = 0; i < n && t !== undefined; i++) {
    t = schedule.next(t);
    out.push(iso(t)!);
  }
  return out;
}

describe('everySchedule', () => {
  it('ticks on a grid, strictly after the given time', () => {
    const s = everySchedule('PT10S');
    expect(s.description).toBe('every 10 s');
    expect(iso(s.next(at('2026-01-01T00:00:00Z')))).toBe('2026-01-01T00:00:10.000Z');
    expect(iso(s.next(at('2026-01-01T00:00:03.5Z')))).toBe('2026-01-01T00:00:10.000Z');
    expect(iso(s.next(at('2026-01-01T00:00:09.999Z')))).toBe('2026-01-01T00:00:10.000Z');
  });

  it('honours an anchor and rejects a non-positive period', () => {
    const s = everySchedule(60_000, 15_000);
    expect(iso(s.next(at('2026-01-01T00:00:00Z')))).toBe('2026-01-01T00:00:15.000Z');
    expect(iso(s.next(at('2026-01-01T00:00:15Z')))).toBe('2026-01-01T00:01:15.000Z');
    expect(() => everySchedule(0)).toThrow(InvalidArgumentError);
    expect(() => everySchedule('-PT1S')).toThrow(/expected a positive duration/);
  });
});

describe('parseCron', () => {
  it('reads lists, ranges, steps and names', () => {
    // Every 15 minutes at 9, 13 and 17 h on the 1st and 15th of Jan–Mar and Dec, or any weekday.
    const s = cronSchedule('*/15 9-17/4 1,15 jan-mar,DEC mon-fri');
    expect(ticks(s, '2026-01-02T16:50:00Z', 6)).toEqual([
      '2026-01-02T17:00:00.000Z',
      '2026-01-02T17:15:00.000Z',
      '2026-01-02T17:30:00.000Z',
      '2026-01-02T17:45:00.000Z',
      '2026-01-05T09:00:00.000Z', // Saturday 3rd and Sunday 4th are neither
      '2026-01-05T09:15:00.000Z',
    ]);
    expect(ticks(cronSchedule('5/20 * * * *'), '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T00:05:00.000Z',
      '2026-01-01T00:25:00.000Z',
      '2026-01-01T00:45:00.000Z',
    ]);
    // 7 is Sunday too; 2026-01-04 is a Sunday.
    expect(ticks(cronSchedule('0 0 * * 7'), '2026-01-01T00:00:00Z', 1)).toEqual([
      '2026-01-04T00:00:00.000Z',
    ]);
    expect(ticks(cronSchedule('@hourly'), '2026-01-01T00:30:00Z', 1)).toEqual([
      '2026-01-01T01:00:00.000Z',
    ]);
    expect(parseCron('@daily').expression).toBe('@daily');
  });

  it('reads seconds, L, W and # (croner)', () => {
    expect(ticks(cronSchedule('*/10 * * * * *'), '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-01T00:00:10.000Z',
      '2026-01-01T00:00:20.000Z',
    ]);
    expect(ticks(cronSchedule('0 0 L * *'), '2026-02-03T00:00:00Z', 2)).toEqual([
      '2026-02-28T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
    ]);
    // The second Friday; the weekday nearest the 15th (2026-02-15 is a Sunday).
    expect(ticks(cronSchedule('0 0 * * fri#2'), '2026-02-01T00:00:00Z', 1)).toEqual([
      '2026-02-13T00:00:00.000Z',
    ]);
    expect(ticks(cronSchedule('0 0 15W * *'), '2026-02-01T00:00:00Z', 1)).toEqual([
      '2026-02-16T00:00:00.000Z',
    ]);
  });

  it("gives the parser's reason for a bad expression", () => {
    expect(() => parseCron('* * * *')).toThrow(/exactly five, six, or seven space separated parts/);
    expect(() => parseCron('60 * * * *')).toThrow(/Invalid value for minute: 60/);
    expect(() => parseCron('* * * foo *')).toThrow(/entry 4 \(foo\) contains illegal characters/);
    expect(() => parseCron('*/0 * * * *')).toThrow(/illegal stepping: 0/);
    expect(() => parseCron('* 5-1 * * *')).toThrow(/From value is larger than to value: '5-1'/);
    expect(() => parseCron('0 0 31 2 *')).toThrow(/no month has such a day\), so it never fires/);
    expect(() => parseCron('1,,2 * * * *')).toThrow(InvalidArgumentError);
    expect(() => parseCron('0 0 * * * * 2030')).toThrow(/requires exactly 5 or 6 parts/);
  });
});

describe('cronSchedule', () => {
  it('fires at matching UTC times', () => {
    expect(ticks(cronSchedule('*/20 * * * *'), '2026-01-01T00:05:00Z', 3)).toEqual([
      '2026-01-01T00:20:00.000Z',
      '2026-01-01T00:40:00.000Z',
      '2026-01-01T01:00:00.000Z',
    ]);
    expect(ticks(cronSchedule('0 0 29 2 *'), '2026-01-01T00:00:00Z', 2)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
  });

  it('treats restricted day-of-month and day-of-week as either (Vixie cron)', () => {
    // 2026-03-01 is a Sunday: the 1st, and every Monday.
    expect(ticks(cronSchedule('0 12 1 * mon'), '2026-02-28T00:00:00Z', 3)).toEqual([
      '2026-03-01T12:00:00.000Z',
      '2026-03-02T12:00:00.000Z',
      '2026-03-09T12:00:00.000Z',
    ]);
    // Only weekdays when day-of-month is "*".
    expect(ticks(cronSchedule('0 9 * * mon-fri'), '2026-03-06T10:00:00Z', 2)).toEqual([
      '2026-03-09T09:00:00.000Z',
      '2026-03-10T09:00:00.000Z',
    ]);
  });

  it('uses the wall clock of its time zone', () => {
    expect(ticks(cronSchedule('0 3 * * *', 'Europe/London'), '2026-07-01T00:00:00Z', 1)).toEqual([
      '2026-07-01T02:00:00.000Z', // BST = UTC+1
    ]);
    expect(ticks(cronSchedule('0 3 * * *', 'Asia/Kolkata'), '2026-07-01T00:00:00Z', 1)).toEqual([
      '2026-07-01T21:30:00.000Z',
    ]);
    expect(() => cronSchedule('* * * * *', 'Mars/Olympus')).toThrow(
      /invalid time zone "Mars\/Olympus"/,
    );
  });

  it('runs a daily job once on a spring-forward day, at the first valid time after the gap', () => {
    // America/New_York skips 02:00–03:00 on 2026-03-08.
    expect(
      ticks(cronSchedule('30 2 * * *', 'America/New_York'), '2026-03-07T00:00:00Z', 3),
    ).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT, as Vixie cron runs it
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
    // A list of hours is still a fixed-time job: not lost in the gap either.
    expect(
      ticks(cronSchedule('30 2,14 * * *', 'America/New_York'), '2026-03-08T00:00:00Z', 2),
    ).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-08T18:30:00.000Z']);
    expect(ticks(cronSchedule('0 * * * *', 'America/New_York'), '2026-03-08T05:30:00Z', 3)).toEqual(
      [
        '2026-03-08T06:00:00.000Z', // 01:00 EST
        '2026-03-08T07:00:00.000Z', // 03:00 EDT (02:00 skipped maps here too: one tick)
        '2026-03-08T08:00:00.000Z', // 04:00 EDT
      ],
    );
  });

  it('on a fall-back day, runs a fixed-hour job once and an every-hour job in both copies', () => {
    // America/New_York repeats 01:00–02:00 on 2026-11-01 (05:00–06:00Z EDT, 06:00–07:00Z EST).
    expect(
      ticks(cronSchedule('30 1 * * *', 'America/New_York'), '2026-10-31T12:00:00Z', 2),
    ).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    expect(
      ticks(cronSchedule('30 * * * *', 'America/New_York'), '2026-11-01T04:00:00Z', 4),
    ).toEqual([
      '2026-11-01T04:30:00.000Z', // 00:30 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:30:00.000Z', // 01:30 EST
      '2026-11-01T07:30:00.000Z', // 02:30 EST
    ]);
    // Asked from inside the second copy, the next tick is later, never back in the first copy.
    expect(
      iso(nextCronTime(parseCron('*/20 * * * *'), at('2026-11-01T06:25:00Z'), 'America/New_York')),
    ).toBe('2026-11-01T06:40:00.000Z');
  });

  it('gives strictly increasing ticks across a whole DST year', () => {
    const s = cronSchedule('15 */2 * * *', 'Europe/Berlin');
    let t = at('2026-01-01T00:00:00Z');
    for (let i = 0; i < 4400; i++) {
      const next = s.next(t)!;
      expect(next).toBeGreaterThan(t);
      t = next;
    }
    expect(t).toBeGreaterThan(at('2027-01-01T00:00:00Z'));
  });
});

describe('backoffDelay', () => {
  it('computes constant, linear and exponential delays', () => {
    const base = { delay: 1000, maxRetries: 5 };
    expect([1, 2, 3, 4].map((r) => backoffDelay({ ...base, policy: 'constant' }, r))).toEqual([
      1000, 1000, 1000, 1000,
    ]);
    expect([1, 2, 3, 4].map((r) => backoffDelay({ ...base, policy: 'linear' }, r))).toEqual([
      1000, 2000, 3000, 4000,
    ]);
    expect([1, 2, 3, 4].map((r) => backoffDelay({ ...base, policy: 'exponential' }, r))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect(backoffDelay({ ...base, policy: 'exponential', factor: 3 }, 3)).toBe(9000);
  });

  it('clamps to floor and ceiling', () => {
    const p = {
      policy: 'exponential',
      delay: 100,
      floor: 500,
      ceiling: 3000,
      maxRetries: 9,
    } as const;
    expect([1, 2, 3, 4, 5, 6].map((r) => backoffDelay(p, r))).toEqual([
      500, 500, 500, 800, 1600, 3000,
    ]);
    expect(backoffDelay({ policy: 'linear', delay: 1000, ceiling: 2500, maxRetries: 9 }, 10)).toBe(
      2500,
    );
  });

  it('rejects bad numbers', () => {
    expect(() => backoffDelay({ policy: 'constant', delay: 1, maxRetries: 1 }, 0)).toThrow(
      InvalidArgumentError,
    );
    expect(() => checkBackoffPolicy({ policy: 'linear', delay: 1, maxRetries: -1 })).toThrow(
      /maxRetries/,
    );
    expect(() =>
      checkBackoffPolicy({ policy: 'linear', delay: 1, floor: 10, ceiling: 5, maxRetries: 1 }),
    ).toThrow(/floor must not exceed ceiling/);
  });
});
