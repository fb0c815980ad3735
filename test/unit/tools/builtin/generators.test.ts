import { describe, expect, it } from 'vitest';
import { ToolExecutionError, ToolParameterError, registerFunction } from '../../../../src/index.js';
import type { StreamInstance, ToolDefinition } from '../../../../src/index.js';
import betavariate from '../../../../tools/betavariate/2026-11-22_v1.0.0.js';
import custom from '../../../../tools/custom/2026-11-22_v1.0.0.js';
import expovariate from '../../../../tools/expovariate/2026-11-22_v1.0.0.js';
import gammavariate from '../../../../tools/gammavariate/2026-11-22_v1.0.0.js';
import gauss from '../../../../tools/gauss/2026-11-22_v1.0.0.js';
import lognormvariate from '../../../../tools/lognormvariate/2026-11-22_v1.0.0.js';
import normalvariate from '../../../../tools/normalvariate/2026-11-22_v1.0.0.js';
import paretovariate from '../../../../tools/paretovariate/2026-11-22_v1.0.0.js';
import randint from '../../../../tools/randint/2026-11-22_v1.0.0.js';
import random from '../../../../tools/random/2026-11-22_v1.0.0.js';
import randrange from '../../../../tools/randrange/2026-11-22_v1.0.0.js';
import triangular from '../../../../tools/triangular/2026-11-22_v1.0.0.js';
import uniform from '../../../../tools/uniform/2026-11-22_v1.0.0.js';
import vonmisesvariate from '../../../../tools/vonmisesvariate/2026-11-22_v1.0.0.js';
import weibullvariate from '../../../../tools/weibullvariate/2026-11-22_v1.0.0.js';
import { SINK, interval, runTool, source } from '../../../helpers/tool-harness.js';

const ticks = (from: number, to: number, step: number): StreamInstance[] => {
  const out: StreamInstance[] = [];
  for (let t = from; t <= to; t += step) out.push({ timestamp: t, value: t });
  return out;
};
const CLOCK = ticks(1000, 100_000, 1000);

/** Runs a generator over `(start, end]` aligned to CLOCK. */
async function generate(
  definition: ToolDefinition<'tool'>,
  params: Record<string, unknown>,
  start: number,
  end: number,
): Promise<StreamInstance[]> {
  const iv = interval(start, end);
  return await runTool(definition.create(params), {
    sources: [],
    alignment: await source(CLOCK, iv),
    sink: SINK,
    interval: iv,
  });
}

const CASES: [ToolDefinition<'tool'>, Record<string, unknown>, (v: number) => boolean][] = [
  [random, {}, (v) => v >= 0 && v < 1],
  [uniform, { a: 5, b: 10 }, (v) => v >= 5 && v < 10],
  [gauss, { mu: 10, sigma: 2 }, Number.isFinite],
  [normalvariate, {}, Number.isFinite],
  [lognormvariate, { mu: 0, sigma: 1 }, (v) => v > 0],
  [expovariate, { lambd: 3 }, (v) => v >= 0],
  [gammavariate, { alpha: 2, beta: 3 }, (v) => v >= 0],
  [betavariate, { alpha: 2, beta: 2 }, (v) => v >= 0 && v <= 1],
  [paretovariate, { alpha: 3 }, (v) => v >= 1],
  [weibullvariate, { alpha: 1, beta: 2 }, (v) => v >= 0],
  [vonmisesvariate, { mu: 0, kappa: 1 }, (v) => v >= 0 && v < 2 * Math.PI],
  [triangular, { low: 0, high: 10, mode: 2 }, (v) => v >= 0 && v <= 10],
  [randint, { a: 1, b: 6 }, (v) => Number.isInteger(v) && v >= 1 && v <= 6],
  [randrange, { start: 0, stop: 100, step: 5 }, (v) => v % 5 === 0 && v >= 0 && v < 100],
];

describe('seeded generator tools', () => {
  it.each(CASES)(
    '$name: one value per alignment timestamp inside the interval, in range',
    async (tool, params, ok) => {
      const out = await generate(tool, { ...params, seed: 1 }, 5000, 55_000);
      expect(out.map((i) => i.timestamp)).toEqual(
        ticks(6000, 55_000, 1000).map((i) => i.timestamp),
      );
      expect(out.every((i) => ok(i.value as number))).toBe(true);
      expect(new Set(out.map((i) => i.value)).size).toBeGreaterThan(1);
    },
  );

  it.each(CASES)(
    '$name: same seed → same values, however the interval is split',
    async (tool, params) => {
      const whole = await generate(tool, { ...params, seed: 'abc' }, 0, 100_000);
      const pieces = [
        ...(await generate(tool, { ...params, seed: 'abc' }, 0, 33_000)),
        ...(await generate(tool, { ...params, seed: 'abc' }, 33_000, 34_000)),
        ...(await generate(tool, { ...params, seed: 'abc' }, 34_000, 100_000)),
      ];
      expect(pieces).toEqual(whole);
      expect(await generate(tool, { ...params, seed: 'abc' }, 0, 100_000)).toEqual(whole);
      const other = await generate(tool, { ...params, seed: 'abd' }, 0, 100_000);
      expect(other.map((i) => i.value)).not.toEqual(whole.map((i) => i.value));
    },
  );

  it('gives two tools with the same seed independent values', async () => {
    const a = await generate(gauss, { seed: 3 }, 0, 100_000);
    const b = await generate(normalvariate, { seed: 3 }, 0, 100_000);
    const u = await generate(uniform, { a: 0, b: 1, seed: 3 }, 0, 100_000);
    const r = await generate(random, { seed: 3 }, 0, 100_000);
    expect(a.map((i) => i.value)).not.toEqual(b.map((i) => i.value));
    expect(u.map((i) => i.value)).not.toEqual(r.map((i) => i.value));
  });

  it('includes an alignment timestamp exactly at the end and excludes one at the start', async () => {
    const out = await generate(random, {}, 1000, 3000);
    expect(out.map((i) => i.timestamp)).toEqual([2000, 3000]);
    expect(await generate(random, {}, 3000, 3000)).toEqual([]);
  });

  it('needs an alignment stream and takes no sources', async () => {
    const iv = interval(0, 10_000);
    await expect(
      runTool(random.create({}), { sources: [], alignment: undefined, sink: SINK, interval: iv }),
    ).rejects.toThrow(ToolExecutionError);
    await expect(
      runTool(random.create({}), { sources: [], alignment: undefined, sink: SINK, interval: iv }),
    ).rejects.toThrow(/needs an alignment stream/);
    await expect(
      runTool(random.create({}), {
        sources: [await source(CLOCK, iv)],
        alignment: await source(CLOCK, iv),
        sink: SINK,
        interval: iv,
      }),
    ).rejects.toThrow(/takes no source streams/);
  });

  it('rejects bad parameters with ToolParameterError', () => {
    const bad: [ToolDefinition<'tool'>, Record<string, unknown>][] = [
      [uniform, { a: 1 }],
      [random, { seed: 1.5 }],
      [random, { seed: 1, extra: true }],
      [gauss, { sigma: -1 }],
      [expovariate, { lambd: 0 }],
      [gammavariate, { alpha: 0, beta: 1 }],
      [betavariate, { alpha: 1, beta: -2 }],
      [paretovariate, { alpha: 0 }],
      [weibullvariate, { alpha: 1 }],
      [vonmisesvariate, { mu: 0, kappa: -1 }],
      [triangular, { low: 0, high: 1, mode: 2 }],
      [randint, { a: 3, b: 2 }],
      [randint, { a: 1.5, b: 2 }],
      [randrange, { start: 5, stop: 5 }],
      [randrange, { start: 0, stop: 10, step: 0 }],
      [randrange, { start: 0, stop: 10, step: -1 }],
      [custom, {}],
      [custom, { func: { fn: 'no-such-function-registered' } }],
    ];
    for (const [tool, params] of bad)
      expect(() => tool.create(params), `${tool.name} ${JSON.stringify(params)}`).toThrow(
        ToolParameterError,
      );
  });

  it('randrange with one argument draws from range(0, start)', async () => {
    const out = await generate(randrange, { start: 3 }, 0, 100_000);
    expect(new Set(out.map((i) => i.value))).toEqual(new Set([0, 1, 2]));
  });

  it('custom computes func(timestamp, random) and skips undefined', async () => {
    const fn = (t: number, draw: () => number): unknown =>
      t % 2000 === 0 ? undefined : { t, u: draw() };
    registerFunction('test.generators.custom', fn);
    const tool = custom.create({ func: { fn: 'test.generators.custom' }, seed: 9 });
    expect(tool.serialisable).toBe(true);
    const iv = interval(0, 6000);
    const out = await runTool(tool, {
      sources: [],
      alignment: await source(CLOCK, iv),
      sink: SINK,
      interval: iv,
    });
    expect(out.map((i) => i.timestamp)).toEqual([1000, 3000, 5000]);
    expect(out.map((i) => (i.value as { t: number }).t)).toEqual([1000, 3000, 5000]);
    const again = await runTool(tool, {
      sources: [],
      alignment: await source(CLOCK, iv),
      sink: SINK,
      interval: iv,
    });
    expect(again).toEqual(out);
  });
});
