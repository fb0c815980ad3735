import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ToolParameterError } from '../../../../src/errors.js';
import type { StreamInstance } from '../../../../src/streams/stream-instance.js';
import type { TimeInterval } from '../../../../src/time/time-interval.js';
import resample from '../../../../tools/resample/2026-11-22_v1.0.0.js';
import { docs, interval, runPlain } from '../../../helpers/tool-harness.js';

type Params = Parameters<typeof resample.create>[0];

const run = async (params: Params, iv: TimeInterval, input: StreamInstance[]) =>
  await runPlain(resample.create(params), iv, [input]);

const readings = docs([1500, 'a'], [3000, 'b'], [3200, 'c'], [7000, 'd']);

describe('resample', () => {
  it('forward-fills the last value at or before each tick', async () => {
    expect(await run({ stride: 1000 }, interval(0, 8000), readings)).toEqual(
      docs(
        [2000, 'a'],
        [3000, 'b'],
        [4000, 'c'],
        [5000, 'c'],
        [6000, 'c'],
        [7000, 'd'],
        [8000, 'd'],
      ),
    );
  });

  it('finds the last value before the interval when there is no staleness bound', async () => {
    expect(await run({ stride: 1000 }, interval(4000, 6000), readings)).toEqual(
      docs([5000, 'c'], [6000, 'c']),
    );
  });

  it('stops filling after maxStaleness', async () => {
    expect(
      await run({ stride: 1000, maxStaleness: 'PT1.8S' }, interval(0, 9000), readings),
    ).toEqual(docs([2000, 'a'], [3000, 'b'], [4000, 'c'], [5000, 'c'], [7000, 'd'], [8000, 'd']));
  });

  it('interpolates linearly between neighbours that both lie within maxStaleness of the tick', async () => {
    const numbers = docs([1000, 10], [3000, 30], [4000, 0], [9000, 100]);
    // 1500 and 2500 have a neighbour 1.5 s away; 4500 and 5000 are too far from 9000.
    expect(
      await run(
        { stride: 500, method: 'linear', maxStaleness: 1000 },
        interval(500, 5000),
        numbers,
      ),
    ).toEqual(docs([1000, 10], [2000, 20], [3000, 30], [3500, 15], [4000, 0]));
  });

  it('looks ahead past the interval end for linear interpolation', async () => {
    const tool = resample.create({ stride: 1000, method: 'linear', maxStaleness: 2000 });
    expect(tool.sourceInterval(interval(0, 3000))).toEqual(interval(-2000, 5000));
    expect(
      await run(
        { stride: 1000, method: 'linear', maxStaleness: 2000 },
        interval(0, 3000),
        docs([2500, 0], [4000, 30]),
      ),
    ).toEqual(docs([3000, 10]));
  });

  it('aligns ticks to origin and gives nothing without data', async () => {
    expect(await run({ stride: 1000, origin: 250 }, interval(0, 3300), readings)).toEqual(
      docs([2250, 'a'], [3250, 'c']),
    );
    expect(await run({ stride: 1000 }, interval(0, 3000), [])).toEqual([]);
  });

  it('rejects linear without maxStaleness and a non-positive stride', () => {
    expect(() => resample.create({ stride: 1000, method: 'linear' })).toThrow(ToolParameterError);
    expect(() => resample.create({ stride: 0 })).toThrow(ToolParameterError);
    expect(() => resample.create({ stride: 10, maxStaleness: -1 })).toThrow(ToolParameterError);
  });

  it('gives the same output however the interval is split', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 60 }),
        fc.constantFrom('previous', 'linear'),
        fc.integer({ min: 1, max: 299 }),
        async (times, stride, staleness, method, cut) => {
          const input = [...times]
            .sort((a, b) => a - b)
            .map((timestamp) => ({ timestamp, value: timestamp * 2 }));
          const params: Params = {
            stride,
            maxStaleness: staleness,
            method: method,
          };
          const whole = await run(params, interval(0, 300), input);
          const pieces = [
            ...(await run(params, interval(0, cut), input)),
            ...(await run(params, interval(cut, 300), input)),
          ];
          expect(pieces).toEqual(whole);
          // value = 2·timestamp is linear, so interpolation must reproduce it exactly enough.
          if (method === 'linear')
            for (const item of whole) expect(item.value).toBeCloseTo(2 * item.timestamp, 9);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('ticks on its calendar path (P1D in a time zone) where 24 h strides in UTC tick', async () => {
    const DAY = 86_400_000;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 30 * 24 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.option(fc.integer({ min: 0, max: 72 }), { nil: undefined }),
        fc.constantFrom('previous', 'linear'),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 12 }),
        async (hours, strideDays, stalenessHours, method, startDay, days) => {
          const input = [...hours]
            .sort((a, b) => a - b)
            .map((h) => ({ timestamp: h * 3_600_000, value: h }));
          // linear needs a bound; previous without one reads the whole history before the interval.
          const hoursStale = method === 'linear' ? (stalenessHours ?? 24) : stalenessHours;
          const common: Omit<Params, 'stride'> = {
            method,
            origin: DAY / 2,
            ...(hoursStale === undefined ? {} : { maxStaleness: hoursStale * 3_600_000 }),
          };
          const iv = interval(startDay * DAY, (startDay + days) * DAY);
          const calendar = await run(
            { ...common, stride: `P${strideDays}D`, timeZone: 'UTC' },
            iv,
            input,
          );
          const fixed = await run({ ...common, stride: strideDays * DAY }, iv, input);
          expect(calendar).toEqual(fixed);
        },
      ),
      { numRuns: 100 },
    );
  });
});
