// HyperStream's tutorials end to end on the real data, checked against values computed here
// independently from the CSV files (and against the numbers HyperStream's notebook printed).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/engine.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import type { TimeInterval } from '../../../src/time/time-interval.js';
import { Workflow } from '../../../src/workflow/workflow.js';
import { tutorial1 } from '../../../examples/tutorial-01.js';
import { SEA_ICE, tutorial23 } from '../../../examples/tutorial-02-03.js';
import {
  CITIES,
  DATA,
  TUTORIAL5_INTERVAL,
  createPlates,
  tutorial5,
  tutorialEngine,
} from '../../../examples/tutorial-05.js';

const HOUR = 3_600_000;

function csv(path: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.trim().split(','));
  return { header: header!, rows };
}

/** `2007M01` → 2007-01-01T00:00Z. */
function month(text: string): number {
  const [y, m] = text.split('M').map(Number);
  return Date.UTC(y!, m! - 1, 1);
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('tutorial 1: an hourly clock over two disjoint intervals', () => {
  it('computes each interval once and reads windows across the gap', async () => {
    const r = await tutorial1();
    const hoursIn = (iv: TimeInterval): number[] => {
      const out: number[] = [];
      for (let t = Math.floor(iv.start / HOUR) * HOUR + HOUR; t <= iv.end; t += HOUR) out.push(t);
      return out;
    };
    expect(r.afterFirst.toJSON()).toEqual([r.first.toJSON()]);
    expect(r.firstWindow.map((i) => i.timestamp)).toEqual(hoursIn(r.first));
    expect(r.firstWindow).toHaveLength(10);
    expect(r.firstWindow.every((i) => i.value === i.timestamp)).toBe(true);
    expect(r.firstFiveHours.map((i) => i.timestamp)).toEqual(hoursIn(r.first).slice(0, 5));
    expect(r.afterSecond.toJSON()).toEqual([r.first.toJSON(), r.second.toJSON()]);
    expect(r.acrossTheGap.map((i) => i.timestamp)).toEqual([
      ...hoursIn(r.first),
      ...hoursIn(r.second),
    ]);
    expect(r.acrossTheGap).toHaveLength(15);
    expect(new Date(r.acrossTheGap[10]!.timestamp).toISOString()).toBe('2017-07-21T12:00:00.000Z');
  });
});

describe('tutorials 2 and 3: csv_reader → memory stream → list_mean', () => {
  it('reads sea ice and averages each row', async () => {
    const { session, year1995, means } = await tutorial23();
    const rows = csv(SEA_ICE).rows.map((r) => ({
      t: Date.parse(r[0]!),
      a: Number(r[1]),
      b: Number(r[2]),
    }));
    const inside = (from: string, to: string) =>
      rows.filter((r) => r.t > Date.parse(from) && r.t <= Date.parse(to));
    expect(year1995.map((i) => [i.timestamp, i.value])).toEqual(
      inside('1995-01-01T00:00:00Z', '1996-01-01T00:00:00Z').map((r) => [r.t, [r.a, r.b]]),
    );
    expect(year1995[0]!.value).toEqual([13.3, 2.12]);
    const expected = inside('1990-01-01T00:00:00Z', '2012-01-01T00:00:00Z');
    expect(means).toHaveLength(expected.length);
    means.forEach((m, i) => {
      expect(m.timestamp).toBe(expected[i]!.t);
      expect(m.value).toBeCloseTo((expected[i]!.a + expected[i]!.b) / 2, 12);
    });
    expect((means.slice(0, 4).map((m) => m.value) as number[]).map((v) => +v.toFixed(3))).toEqual([
      7.74, 8.075, 8.63, 9.105,
    ]);
    expect(session.factors.map((f) => f.documents)).toEqual([expected.length, expected.length]);
  });
});

describe('tutorial 5: countries and cities as plates', () => {
  let engine: Engine;
  let workflow: Workflow;
  const cityAvg = new Map<string, Map<number, number>>();
  const rain = new Map<string, Map<number, number>>();

  beforeAll(async () => {
    engine = await tutorialEngine();
    ({ workflow } = await tutorial5(engine));
    for (const country of Object.keys(CITIES)) {
      const { header, rows } = csv(`${DATA}Temp${country}.csv`);
      for (const city of CITIES[country]!) {
        const max = header.findIndex((h) => h.toLowerCase() === `${city}max`.toLowerCase());
        const min = header.findIndex((h) => h.toLowerCase() === `${city}min`.toLowerCase());
        cityAvg.set(
          city,
          new Map(rows.map((r) => [month(r[0]!), (Number(r[max]) + Number(r[min])) / 2])),
        );
      }
    }
    const { header, rows } = csv(`${DATA}NZRainfall.csv`);
    header.slice(1).forEach((city, i) => {
      rain.set(
        city,
        new Map(rows.filter((r) => r[i + 1] !== '-').map((r) => [month(r[0]!), Number(r[i + 1])])),
      );
    });
  });
  afterAll(async () => {
    await engine.close();
  });

  async function stream(
    name: string,
    meta: Record<string, string> = {},
  ): Promise<Map<number, unknown>> {
    const memory = engine.channels.get('memory');
    const out = new Map<number, unknown>();
    for await (const item of memory.getResults(StreamId.of(name, meta), TUTORIAL5_INTERVAL))
      out.set(item.timestamp, item.value);
    return out;
  }

  function expectClose(actual: Map<number, unknown>, expected: Map<number, number>): void {
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [t, v] of expected) expect(actual.get(t)).toBeCloseTo(v, 9);
  }

  it('averages every city', async () => {
    for (const [country, cities] of Object.entries(CITIES)) {
      for (const city of cities)
        expectClose(await stream('city_avg_temp', { country, city }), cityAvg.get(city)!);
    }
  });

  it('aggregates per country and for the world', async () => {
    const countryMeans = new Map<string, Map<number, number>>();
    for (const [country, cities] of Object.entries(CITIES)) {
      const months = [...cityAvg.get(cities[0]!)!.keys()];
      const expected = new Map(
        months.map((t) => [t, mean(cities.map((c) => cityAvg.get(c)!.get(t)!))]),
      );
      countryMeans.set(country, expected);
      expectClose(await stream('country_avg_temp', { country }), expected);
    }
    const months = [...countryMeans.get('NZ')!.keys()];
    expectClose(
      await stream('world_avg_temp'),
      new Map(months.map((t) => [t, mean([...countryMeans.values()].map((m) => m.get(t)!))])),
    );
  });

  it('correlates temperature with rainfall where rain was measured', async () => {
    const perMonth = new Map<number, number[]>();
    const ratios = new Map<number, number[]>();
    for (const city of CITIES.NZ!) {
      const expected = new Map<number, number>();
      for (const [t, r] of rain.get(city)!) {
        (perMonth.get(t) ?? perMonth.set(t, []).get(t)!).push(r);
        if (r !== 0) expected.set(t, cityAvg.get(city)!.get(t)! / r);
      }
      for (const [t, v] of expected) (ratios.get(t) ?? ratios.set(t, []).get(t)!).push(v);
      expectClose(await stream('city_temp_rain', { country: 'NZ', city }), expected);
    }
    expectClose(
      await stream('country_avg_rain', { country: 'NZ' }),
      new Map([...perMonth].map(([t, rs]) => [t, mean(rs)])),
    );
    expectClose(
      await stream('country_avg_temp_rain', { country: 'NZ' }),
      new Map([...ratios].map(([t, rs]) => [t, mean(rs)])),
    );
    // No rainfall outside NZ, so no correlation streams there (HyperStream left them empty).
    expect(
      await engine.channels.get('memory').findStreams({ name: 'city_temp_rain' }),
    ).toHaveLength(5);
  });

  it("prints the numbers of HyperStream's notebook for January 2007", async () => {
    const jan = Date.UTC(2007, 0, 1);
    const at = async (name: string, meta: Record<string, string>): Promise<unknown> =>
      (await stream(name, meta)).get(jan);
    expect(await at('city_avg_temp', { country: 'NZ', city: 'Christchurch' })).toBe(15.55);
    expect(await at('city_avg_temp', { country: 'Australia', city: 'Melbourne' })).toBe(22.4);
    expect(await at('city_avg_temp', { country: 'USA', city: 'Chicago' })).toBeCloseTo(-2, 12);
    expect(await at('city_temp_rain', { country: 'NZ', city: 'Auckland' })).toBeCloseTo(
      0.32608695652173914,
      14,
    );
    expect(await at('city_temp_rain', { country: 'NZ', city: 'Wellington' })).toBeCloseTo(
      0.22872340425531912,
      14,
    );
    expect(await at('temp_data', { country: 'USA' })).toEqual({
      LosAngeles: { max: 18.7, min: 7 },
      NY: { max: 8, min: -0.9 },
      Houston: { max: 16.5, min: 5.7 },
      Chicago: { max: 2.1, min: -6.1 },
      Seattle: { max: 7.4, min: 0.2 },
    });
  });

  it('computes nothing on a second execute, and its definition rebuilds the same results', async () => {
    const again = await workflow.execute(TUTORIAL5_INTERVAL);
    expect(again.pieces).toEqual([]);
    const definition = JSON.parse(JSON.stringify(workflow.toDefinition())) as unknown;
    const fresh = await tutorialEngine();
    try {
      await createPlates(fresh);
      const rebuilt = await Workflow.fromDefinition(definition, {
        environment: fresh.environment,
        toolResolver: fresh.tools,
      });
      expect(rebuilt.toDefinition()).toEqual(definition);
      await rebuilt.execute(TUTORIAL5_INTERVAL, { concurrency: 4 });
      const world = fresh.channels.get('memory');
      const items = [];
      for await (const item of world.getResults(StreamId.of('world_avg_temp'), TUTORIAL5_INTERVAL))
        items.push(item);
      expect(new Map(items.map((i) => [i.timestamp, i.value]))).toEqual(
        await stream('world_avg_temp'),
      );
    } finally {
      await fresh.close();
    }
  });
});
