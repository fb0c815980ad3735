import { describe, expect, it } from 'vitest';
import {
  ExecutionAbortedError,
  ToolExecutionError,
  ToolParameterError,
  collect,
  registerFunction,
} from '../../../../src/index.js';
import type { StreamInstance } from '../../../../src/index.js';
import aggregateIntoDict from '../../../../tools/aggregate_into_dict_and_apply/2026-11-22_v1.0.0.js';
import aggregatePlate from '../../../../tools/aggregate_plate/2026-11-22_v1.0.0.js';
import aggregate from '../../../../tools/aggregate/2026-11-22_v1.0.0.js';
import { SINK, aggregateSource, interval, runTool } from '../../../helpers/tool-harness.js';

const at = (pairs: [number, unknown][]): StreamInstance[] =>
  pairs.map(([timestamp, value]) => ({ timestamp, value }));
const sum = (values: unknown[]): number => (values as number[]).reduce((a, b) => a + b, 0);
registerFunction('test.aggregate.sum', sum);

async function sources(iv = interval(0, 100)) {
  return [
    await aggregateSource(
      'A',
      at([
        [10, 1],
        [20, 2],
        [30, 3],
        [100, 4],
      ]),
      iv,
    ),
    await aggregateSource(
      'B',
      at([
        [0, 99],
        [20, 20],
        [25, 25],
        [30, 30],
      ]),
      iv,
    ),
    await aggregateSource(
      'C',
      at([
        [5, 5],
        [30, 300],
      ]),
      iv,
    ),
  ];
}

describe('aggregate', () => {
  it('applies func to the values the sources have at each timestamp, in source order', async () => {
    const seen: unknown[][] = [];
    const tool = aggregate.create({
      func: (values: unknown[]) => {
        seen.push(values);
        return sum(values);
      },
    });
    const iv = interval(0, 100);
    const out = await runTool(tool, {
      sources: await sources(iv),
      alignment: undefined,
      aggregationMetaKey: 'resident',
      sink: SINK,
      interval: iv,
    });
    // 0 is the (open) start: B's value there is outside the window.
    expect(out).toEqual(
      at([
        [5, 5],
        [10, 1],
        [20, 22],
        [25, 25],
        [30, 333],
        [100, 4],
      ]),
    );
    expect(seen[4]).toEqual([3, 30, 300]);
  });

  it('works by registered name and skips undefined results; no sources give nothing', async () => {
    const tool = aggregate.create({ func: { fn: 'test.aggregate.sum' } });
    expect(tool.toJSON().params).toEqual({ func: { fn: 'test.aggregate.sum' } });
    const iv = interval(0, 100);
    expect(
      await runTool(tool, {
        sources: [],
        alignment: undefined,
        aggregationMetaKey: 'r',
        sink: SINK,
        interval: iv,
      }),
    ).toEqual([]);
    const none = aggregate.create({ func: () => undefined });
    expect(
      await runTool(none, {
        sources: await sources(iv),
        alignment: undefined,
        aggregationMetaKey: 'r',
        sink: SINK,
        interval: iv,
      }),
    ).toEqual([]);
  });

  it('merges many sources with many instances in time order', async () => {
    const iv = interval(0, 10_000);
    const many = await Promise.all(
      Array.from({ length: 20 }, (_, k) =>
        aggregateSource(
          String(k),
          Array.from({ length: 500 }, (_, i) => ({ timestamp: (i + 1) * (k + 1), value: 1 })),
          iv,
        ),
      ),
    );
    const out = await runTool(aggregate.create({ func: (v: unknown[]) => v.length }), {
      sources: many,
      alignment: undefined,
      aggregationMetaKey: 'k',
      sink: SINK,
      interval: iv,
    });
    // Brute force: how many k in 1..20 divide t with t/k ≤ 500.
    const expected = new Map<number, number>();
    for (let k = 1; k <= 20; k++)
      for (let i = 1; i <= 500; i++) expected.set(i * k, (expected.get(i * k) ?? 0) + 1);
    expect(out).toEqual(
      [...expected.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([timestamp, value]) => ({ timestamp, value })),
    );
  });

  it('stops with ExecutionAbortedError when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const tool = aggregate.create({ func: sum });
    const iv = interval(0, 100);
    const run = collect(
      tool.execute({
        params: tool.params,
        interval: iv,
        signal: controller.signal,
        sources: await sources(iv),
        alignment: undefined,
        aggregationMetaKey: 'r',
        sink: SINK,
      }),
    );
    await expect(run).rejects.toThrow(ExecutionAbortedError);
  });

  it('requires func', () => {
    expect(() => aggregate.create({} as never)).toThrow(ToolParameterError);
  });
});

describe('aggregate_plate', () => {
  it('merges sources into one stream, adding the plate value under the aggregated key', async () => {
    const iv = interval(0, 100);
    const a = await aggregateSource(
      'A',
      at([
        [10, { x: 1 }],
        [30, { x: 3 }],
      ]),
      iv,
    );
    const b = await aggregateSource(
      'B',
      at([
        [20, { x: 2, resident: 'old' }],
        [40, 7],
      ]),
      iv,
    );
    const out = await runTool(aggregatePlate.create({}), {
      sources: [a, b],
      alignment: undefined,
      aggregationMetaKey: 'resident',
      sink: SINK,
      interval: iv,
    });
    expect(out).toEqual(
      at([
        [10, { x: 1, resident: 'A' }],
        [20, { x: 2, resident: 'B' }],
        [30, { x: 3, resident: 'A' }],
        [40, { value: 7, resident: 'B' }],
      ]),
    );
  });

  it('rejects two sources at one timestamp unless asList', async () => {
    const iv = interval(0, 100);
    const make = async () => [
      await aggregateSource(
        'A',
        at([
          [10, { x: 1 }],
          [20, { x: 2 }],
        ]),
        iv,
      ),
      await aggregateSource('B', at([[20, { x: 20 }]]), iv),
    ];
    await expect(
      runTool(aggregatePlate.create({}), {
        sources: await make(),
        alignment: undefined,
        aggregationMetaKey: 'r',
        sink: SINK,
        interval: iv,
      }),
    ).rejects.toThrow(ToolExecutionError);
    const out = await runTool(aggregatePlate.create({ asList: true }), {
      sources: await make(),
      alignment: undefined,
      aggregationMetaKey: 'r',
      sink: SINK,
      interval: iv,
    });
    expect(out).toEqual(
      at([
        [10, [{ x: 1, r: 'A' }]],
        [
          20,
          [
            { x: 2, r: 'A' },
            { x: 20, r: 'B' },
          ],
        ],
      ]),
    );
  });
});

describe('aggregate_into_dict_and_apply', () => {
  it('builds { plate value: func(value) } per timestamp', async () => {
    const iv = interval(0, 100);
    const out = await runTool(
      aggregateIntoDict.create({ func: (v: unknown) => (v as number) * 10 }),
      {
        sources: await sources(iv),
        alignment: undefined,
        aggregationMetaKey: 'r',
        sink: SINK,
        interval: iv,
      },
    );
    expect(out).toEqual(
      at([
        [5, { C: 50 }],
        [10, { A: 10 }],
        [20, { A: 20, B: 200 }],
        [25, { B: 250 }],
        [30, { A: 30, B: 300, C: 3000 }],
        [100, { A: 40 }],
      ]),
    );
  });

  it('defaults to the values themselves, and keeps odd plate values as plain keys', async () => {
    const iv = interval(0, 100);
    const proto = await aggregateSource('__proto__', at([[10, 1]]), iv);
    const out = await runTool(aggregateIntoDict.create({}), {
      sources: [proto],
      alignment: undefined,
      aggregationMetaKey: 'r',
      sink: SINK,
      interval: iv,
    });
    expect(out).toHaveLength(1);
    expect(Object.keys(out[0]!.value as object)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(out[0]!.value)).toBe(Object.prototype);
  });
});
