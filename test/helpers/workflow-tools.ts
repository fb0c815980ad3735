// Small tools of every kind, defined inline for the runner tests, with call counters.
import { z } from 'zod';
import { TimeInterval } from '../../src/time/time-interval.js';
import { defineTool } from '../../src/tools/tool.js';

export const calls = { ticker: 0, scale: 0, fanout: 0, mean: 0, pick: 0, plates: 0 };

export function resetCalls(): void {
  for (const key of Object.keys(calls) as (keyof typeof calls)[]) calls[key] = 0;
}

/** Ticks every `stride` ms (value = the tick time); fails for ticks in `(failFrom, failTo]` when given. */
export const ticker = defineTool({
  name: 'test_ticker',
  version: '1.0.0',
  kind: 'tool',
  params: z.strictObject({
    stride: z.number().int().positive(),
    failFrom: z.number().optional(),
    failTo: z.number().optional(),
  }),
  async *execute({ interval, params }) {
    calls.ticker++;
    const first = Math.floor(interval.start / params.stride) * params.stride + params.stride;
    for (let t = first; t <= interval.end; t += params.stride) {
      if (
        params.failFrom !== undefined &&
        t > params.failFrom &&
        t <= (params.failTo ?? Infinity)
      ) {
        throw new Error(`ticker told to fail at ${t}`);
      }
      yield { timestamp: t, value: t };
    }
  },
});

/** `factor` × the sum of source 0 over `(t − lookback, t]` (just the value when lookback is 0). */
export const scale = defineTool({
  name: 'test_scale',
  version: '1.0.0',
  kind: 'tool',
  params: z.strictObject({
    factor: z.number(),
    lookback: z.number().int().nonnegative().default(0),
  }),
  sourceInterval: (interval, params) =>
    new TimeInterval(interval.start - params.lookback, interval.end),
  async *execute({ sources, params, interval }) {
    calls.scale++;
    const items = await sources[0]!.view.toArray();
    for (const item of items) {
      if (!interval.contains(item.timestamp)) continue;
      if (!params.lookback) {
        yield { timestamp: item.timestamp, value: (item.value as number) * params.factor };
        continue;
      }
      let sum = 0;
      for (const x of items)
        if (x.timestamp > item.timestamp - params.lookback && x.timestamp <= item.timestamp)
          sum += x.value as number;
      yield { timestamp: item.timestamp, value: sum * params.factor };
    }
  },
});

/** Sends `value × (i + 1)` to the i-th output plate value (sorted), for every source instance. */
export const fanout = defineTool({
  name: 'test_fanout',
  version: '1.0.0',
  kind: 'multi-output',
  params: z.strictObject({}),
  async *execute({ source, outputPlateValues }) {
    calls.fanout++;
    const values = [...outputPlateValues].sort();
    for await (const item of source!.view) {
      for (const [i, plateValue] of values.entries()) {
        yield { plateValue, timestamp: item.timestamp, value: (item.value as number) * (i + 1) };
      }
    }
  },
});

/** Per timestamp, the mean of the sources that have a value there. */
export const mean = defineTool({
  name: 'test_mean',
  version: '1.0.0',
  kind: 'aggregate',
  params: z.strictObject({}),
  async *execute({ sources }) {
    calls.mean++;
    const byTime = new Map<number, number[]>();
    for (const source of sources) {
      for await (const item of source.view) {
        const list = byTime.get(item.timestamp) ?? [];
        list.push(item.value as number);
        byTime.set(item.timestamp, list);
      }
    }
    for (const t of [...byTime.keys()].sort((a, b) => a - b)) {
      const list = byTime.get(t)!;
      yield { timestamp: t, value: list.reduce((a, b) => a + b, 0) / list.length };
    }
  },
});

/** Copies the source whose value of the selector key is `value`. */
export const pick = defineTool({
  name: 'test_pick',
  version: '1.0.0',
  kind: 'selector',
  params: z.strictObject({ value: z.string() }),
  async *execute({ sources, selectorMetaKey, params }) {
    calls.pick++;
    const index = sources.findIndex((s) => s.id.get(selectorMetaKey) === params.value);
    if (index < 0) return;
    for await (const item of sources[index]!.view) yield { sourceIndex: index, ...item };
  },
});

/** New plate values: the strings in the source's last value inside the interval (a list). */
export const platesFromList = defineTool({
  name: 'test_plates_from_list',
  version: '1.0.0',
  kind: 'plate-creation',
  params: z.strictObject({}),
  async *execute({ source }) {
    calls.plates++;
    const last = await source?.view.last();
    for (const value of (last?.value as string[] | undefined) ?? []) yield { value };
  },
});
