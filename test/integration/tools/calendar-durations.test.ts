import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TimeInterval, TimeIntervals } from '../../../src/index.js';
import type { StreamInstance, ToolInstance } from '../../../src/index.js';
import csvReader from '../../../tools/csv_reader/2026-11-22_v1.0.0.js';
import resample from '../../../tools/resample/2026-11-22_v1.0.0.js';
import windowAggregate from '../../../tools/window_aggregate/2026-11-22_v1.0.0.js';
import { SINK, runTool, source } from '../../helpers/tool-harness.js';

const DATA = fileURLToPath(new URL('../../../fixtures/data/', import.meta.url));
const iso = (t: number): string => new Date(t).toISOString();
const at = (text: string): number => Date.parse(text);

async function seaIce(): Promise<StreamInstance[]> {
  const tool = csvReader.create({ path: `${DATA}sea_ice.csv` }) as ToolInstance<'tool'>;
  return await runTool(tool, {
    sources: [],
    alignment: undefined,
    sink: SINK,
    interval: new TimeInterval(at('1980-01-01T00:00:00Z'), at('2020-01-01T00:00:00Z')),
  });
}

describe('calendar durations', () => {
  it('window_aggregate P1Y windows end on the same date every year (no leap-day drift)', async () => {
    const rows = await seaIce();
    const interval = new TimeInterval(at('1995-01-01T00:00:00Z'), at('2005-01-01T00:00:00Z'));
    const tool = windowAggregate.create({
      width: 'P1Y',
      origin: '1990-01-01T00:00:00Z',
      field: 'Arctic',
      stats: ['count', 'mean'],
    }) as ToolInstance<'tool'>;
    const out = await runTool(tool, {
      sources: [await source(rows, tool.sourceInterval(interval))],
      alignment: undefined,
      sink: SINK,
      interval,
    });
    expect(out.map((o) => iso(o.timestamp))).toEqual(
      Array.from({ length: 10 }, (_, i) => `${String(1996 + i)}-01-01T00:00:00.000Z`),
    );
    // Each year (Jan 1 exclusive … Jan 1 inclusive] holds 12 monthly readings.
    expect(out.map((o) => (o.value as { count: number }).count)).toEqual(Array(10).fill(12));
    const y1996 = rows.filter(
      (r) => r.timestamp > at('1995-01-01') && r.timestamp <= at('1996-01-01'),
    );
    expect((out[0]!.value as { mean: number }).mean).toBeCloseTo(
      y1996.reduce((s, r) => s + (r.value as { Arctic: number }).Arctic, 0) / 12,
    );
  });

  it('window_aggregate P1M windows are calendar months; PT1H keeps its fixed fast path', async () => {
    const start = at('2024-01-01T00:00:00Z');
    const daily = Array.from({ length: 120 }, (_, i) => ({
      timestamp: start + (i + 1) * 86_400_000,
      value: 1,
    }));
    const interval = new TimeInterval(start, at('2024-04-30T00:00:00Z'));
    const tool = windowAggregate.create({
      width: 'P1M',
      origin: start,
      stats: 'count',
    }) as ToolInstance<'tool'>;
    const out = await runTool(tool, {
      sources: [await source(daily, tool.sourceInterval(interval))],
      alignment: undefined,
      sink: SINK,
      interval,
    });
    expect(out.map((o) => [iso(o.timestamp).slice(0, 10), o.value])).toEqual([
      ['2024-02-01', 31],
      ['2024-03-01', 29], // a leap February
      ['2024-04-01', 31],
    ]);
    expect(windowAggregate.create({ width: 'PT1H' }).params.width).toBe(3_600_000);
    expect(windowAggregate.create({ width: 'P1M' }).params.width).toBe('P1M');
  });

  it('P1D with a time zone is a local day across DST (23 h and 25 h)', async () => {
    const start = at('2026-03-27T00:00:00Z'); // Europe/London springs forward on 29 March
    const hourly = Array.from({ length: 24 * 5 }, (_, i) => ({
      timestamp: start + (i + 1) * 3_600_000,
      value: 1,
    }));
    const interval = new TimeInterval(start, start + 24 * 5 * 3_600_000);
    const tool = windowAggregate.create({
      width: 'P1D',
      timeZone: 'Europe/London',
      origin: '2026-03-27T00:00:00Z',
      stats: 'count',
    }) as ToolInstance<'tool'>;
    const out = await runTool(tool, {
      sources: [await source(hourly, tool.sourceInterval(interval))],
      alignment: undefined,
      sink: SINK,
      interval,
    });
    expect(out.map((o) => [iso(o.timestamp), o.value])).toEqual([
      ['2026-03-28T00:00:00.000Z', 24],
      ['2026-03-29T00:00:00.000Z', 24],
      ['2026-03-29T23:00:00.000Z', 23], // 29 March has 23 hours; local midnight is 23:00 UTC now
      ['2026-03-30T23:00:00.000Z', 24],
      ['2026-03-31T23:00:00.000Z', 24],
    ]);
  });

  it('resample ticks on calendar months', async () => {
    const values = [{ timestamp: at('2024-01-15T00:00:00Z'), value: 7 }];
    const interval = new TimeInterval(at('2024-01-01T00:00:00Z'), at('2024-05-01T00:00:00Z'));
    const tool = resample.create({
      stride: 'P1M',
      origin: '2024-01-31T00:00:00Z',
    }) as ToolInstance<'tool'>;
    const out = await runTool(tool, {
      sources: [await source(values, tool.sourceInterval(interval))],
      alignment: undefined,
      sink: SINK,
      interval,
    });
    // 31 Jan + k months: the end of each month, never drifting to the 28th.
    expect(out.map((o) => iso(o.timestamp).slice(0, 10))).toEqual([
      '2024-01-31',
      '2024-02-29',
      '2024-03-31',
      '2024-04-30',
    ]);
  });

  it('TimeIntervals.split cuts on calendar months, years and local days', () => {
    const year = TimeIntervals.of([at('2023-11-15T00:00:00Z'), at('2024-03-01T00:00:00Z')]);
    expect(year.split('P1M', { align: true }).map((p) => iso(p.end).slice(0, 10))).toEqual([
      '2023-12-01',
      '2024-01-01',
      '2024-02-01',
      '2024-03-01',
    ]);
    expect(year.split('P1M').map((p) => iso(p.end).slice(0, 10))).toEqual([
      '2023-12-15',
      '2024-01-15',
      '2024-02-15',
      '2024-03-01',
    ]);
    const days = TimeIntervals.of([at('2026-03-28T00:00:00Z'), at('2026-03-31T00:00:00Z')]).split(
      'P1D',
      { align: true, timeZone: 'Europe/London' },
    );
    expect(days.map((p) => iso(p.end))).toEqual([
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T23:00:00.000Z',
      '2026-03-30T23:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
    ]);
    // Fixed durations keep their arithmetic.
    expect(TimeIntervals.of([0, 7_200_000]).split('PT1H')).toHaveLength(2);
  });
});
