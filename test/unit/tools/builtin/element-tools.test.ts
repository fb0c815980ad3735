// One document in, at most one out: apply, copy, component, component_filter, component_set,
// dict_argmax, dict_values_to_const, jsonify, slice.
import { describe, expect, it } from 'vitest';
import {
  ExecutionAbortedError,
  InvalidArgumentError,
  ToolParameterError,
} from '../../../../src/errors.js';
import { collect } from '../../../../src/internal/async.js';
import type { StreamInstance } from '../../../../src/streams/stream-instance.js';
import type { TimeInterval } from '../../../../src/time/time-interval.js';
import { registerFunction } from '../../../../src/tools/functions.js';
import type { ToolInstance } from '../../../../src/tools/tool.js';
import apply from '../../../../tools/apply/2026-11-22_v1.0.0.js';
import component from '../../../../tools/component/2026-11-22_v1.0.0.js';
import componentFilter from '../../../../tools/component_filter/2026-11-22_v1.0.0.js';
import componentSet from '../../../../tools/component_set/2026-11-22_v1.0.0.js';
import copy from '../../../../tools/copy/2026-11-22_v1.0.0.js';
import dictArgmax from '../../../../tools/dict_argmax/2026-11-22_v1.0.0.js';
import dictValuesToConst from '../../../../tools/dict_values_to_const/2026-11-22_v1.0.0.js';
import jsonify from '../../../../tools/jsonify/2026-11-22_v1.0.0.js';
import slice from '../../../../tools/slice/2026-11-22_v1.0.0.js';
import { SINK, docs, interval, runPlain, source } from '../../../helpers/tool-harness.js';

const run = async <P>(
  tool: ToolInstance<'tool', P>,
  iv: TimeInterval,
  ...inputs: StreamInstance[][]
) => await runPlain(tool, iv, inputs);

const all = interval(0, 100);

describe('apply', () => {
  it('applies a function to each value, skipping undefined results', async () => {
    const tool = apply.create({ func: (x: number) => (x > 1 ? x * 10 : undefined) });
    expect(await run(tool, all, docs([1, 1], [2, 2], [3, 3]))).toEqual(docs([2, 20], [3, 30]));
  });

  it('passes the timestamp first with includeTimestamps, and awaits async functions', async () => {
    const tool = apply.create({
      func: async (t: number, x: number) => await Promise.resolve(t + x),
      includeTimestamps: true,
    });
    expect(await run(tool, all, docs([5, 1], [7, 2]))).toEqual(docs([5, 6], [7, 9]));
  });

  it('reads only the interval: documents at the start are out, at the end in', async () => {
    const tool = apply.create({ func: { fn: 'identity' } });
    expect(await run(tool, interval(1, 3), docs([1, 'a'], [2, 'b'], [3, 'c'], [4, 'd']))).toEqual(
      docs([2, 'b'], [3, 'c']),
    );
    expect(await run(tool, interval(1, 3), [])).toEqual([]);
  });

  it('resolves registered functions by name and serialises them back', () => {
    const double = (x: number): number => 2 * x;
    registerFunction('test_double_for_apply', double);
    const tool = apply.create({ func: { fn: 'test_double_for_apply' } });
    expect(tool.params.func).toBe(double);
    expect(tool.toJSON().params).toEqual({
      func: { fn: 'test_double_for_apply' },
      includeTimestamps: false,
    });
  });

  it('rejects missing or unknown functions and a wrong source count', async () => {
    expect(() => apply.create({} as never)).toThrow(ToolParameterError);
    expect(() => apply.create({ func: { fn: 'no_such_function_anywhere' } })).toThrow(
      /not registered/,
    );
    await expect(run(apply.create({ func: { fn: 'identity' } }), all)).rejects.toThrow(
      InvalidArgumentError,
    );
  });
  it('stops with ExecutionAbortedError when the run is aborted', async () => {
    const tool = apply.create({ func: { fn: 'identity' } });
    const controller = new AbortController();
    controller.abort();
    const output = tool.execute({
      params: tool.params,
      interval: all,
      signal: controller.signal,
      sources: [await source(docs([1, 1]), all)],
      alignment: undefined,
      sink: SINK,
      sourceWindow: () => Promise.reject(new Error('not used')),
    });
    await expect(collect(output)).rejects.toThrow(ExecutionAbortedError);
  });
});

describe('copy', () => {
  it('re-emits one source unchanged', async () => {
    const input = docs([1, { a: 1 }], [2, [1, 2]], [3, 'x']);
    expect(await run(copy.create(), all, input)).toEqual(input);
  });

  it('merges several sources in time order, the last source winning at a shared timestamp', async () => {
    const out = await run(
      copy.create(),
      all,
      docs([1, 'a1'], [3, 'a3'], [5, 'a5']),
      docs([2, 'b2'], [3, 'b3']),
    );
    expect(out).toEqual(docs([1, 'a1'], [2, 'b2'], [3, 'b3'], [5, 'a5']));
  });

  it('emits nothing without sources or data', async () => {
    expect(await run(copy.create(), all)).toEqual([]);
    expect(await run(copy.create(), all, [], [])).toEqual([]);
  });
});

describe('component, component_filter, component_set', () => {
  const rows = docs(
    [1, { a: 1, b: 'x' }],
    [2, { b: 'y' }],
    [3, 42],
    [4, { a: null, b: 'z' }],
    [5, null],
  );

  it('component takes one key and skips documents without it', async () => {
    expect(await run(component.create({ key: 'a' }), all, rows)).toEqual(docs([1, 1], [4, null]));
  });

  it('component_filter passes documents whose value[key] is listed, or is not with complement', async () => {
    expect(await run(componentFilter.create({ key: 'b', values: ['x', 'z'] }), all, rows)).toEqual([
      rows[0],
      rows[3],
    ]);
    expect(
      await run(
        componentFilter.create({ key: 'b', values: ['x', 'z'], complement: true }),
        all,
        rows,
      ),
    ).toEqual([rows[1]]);
    expect(await run(componentFilter.create({ key: 'a', values: [null] }), all, rows)).toEqual([
      rows[3],
    ]);
  });

  it('component_set keeps only the listed keys', async () => {
    expect(await run(componentSet.create({ keys: ['a', 'c'] }), all, rows)).toEqual(
      docs([1, { a: 1 }], [2, {}], [4, { a: null }]),
    );
  });

  it('need their parameters', () => {
    expect(() => component.create({} as never)).toThrow(ToolParameterError);
    expect(() => componentFilter.create({ key: 'a' } as never)).toThrow(ToolParameterError);
    expect(() => componentSet.create({ keys: 'a' } as never)).toThrow(ToolParameterError);
  });
});

describe('dict_argmax and dict_values_to_const', () => {
  it('dict_argmax gives the key of the largest number, the first on ties, nothing without numbers', async () => {
    const input = docs(
      [1, { a: 1, b: 3, c: 2 }],
      [2, { a: -5, b: -1 }],
      [3, { a: 2, b: 2 }],
      [4, {}],
      [5, { a: 'x' }],
    );
    expect(await run(dictArgmax.create(), all, input)).toEqual(docs([1, 'b'], [2, 'b'], [3, 'a']));
  });

  it('dict_values_to_const replaces every value and keeps the keys', async () => {
    const input = docs([1, { a: 5, b: 'x' }], [2, {}], [3, 7]);
    expect(await run(dictValuesToConst.create(), all, input)).toEqual(
      docs([1, { a: 1, b: 1 }], [2, {}]),
    );
    expect(await run(dictValuesToConst.create({ const: 'on' }), all, input)).toEqual(
      docs([1, { a: 'on', b: 'on' }], [2, {}]),
    );
  });
});

describe('jsonify', () => {
  it('gives [ISO time, value] as JSON with sorted keys', async () => {
    const out = await run(
      jsonify.create(),
      interval(0, 2000),
      docs([1000, { b: 1, a: [2, { d: 1, c: 0 }] }]),
    );
    expect(out).toEqual(docs([1000, '["1970-01-01T00:00:01.000Z",{"a":[2,{"c":0,"d":1}],"b":1}]']));
  });
});

describe('slice', () => {
  const lists = docs([1, [10, 20, 30]], [2, [40]], [3, 'not a list'], [4, []]);

  it('takes an element, counting negative indices from the end, skipping what has none', async () => {
    expect(await run(slice.create({ index: 1 }), all, lists)).toEqual(docs([1, 20]));
    expect(await run(slice.create({ index: -1 }), all, lists)).toEqual(docs([1, 30], [2, 40]));
  });

  it('takes a sub-list with { start, end }', async () => {
    expect(await run(slice.create({ index: { start: 1 } }), all, lists)).toEqual(
      docs([1, [20, 30]], [2, []], [4, []]),
    );
    expect(await run(slice.create({ index: { start: 0, end: -1 } }), all, lists)).toEqual(
      docs([1, [10, 20]], [2, []], [4, []]),
    );
  });

  it('rejects a fractional index', () => {
    expect(() => slice.create({ index: 1.5 })).toThrow(ToolParameterError);
  });
});
