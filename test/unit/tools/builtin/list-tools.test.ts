// Tools over list values: list_length, list_sum, list_mean, list_dict_mean, list_dict_sum,
// histogram_from_list, percentiles_from_list.
import { describe, expect, it } from 'vitest';
import { ToolExecutionError, ToolParameterError } from '../../../../src/errors.js';
import type { StreamInstance } from '../../../../src/streams/stream-instance.js';
import type { ToolInstance } from '../../../../src/tools/tool.js';
import histogram from '../../../../tools/histogram_from_list/2026-11-22_v1.0.0.js';
import listDictMean from '../../../../tools/list_dict_mean/2026-11-22_v1.0.0.js';
import listDictSum from '../../../../tools/list_dict_sum/2026-11-22_v1.0.0.js';
import listLength from '../../../../tools/list_length/2026-11-22_v1.0.0.js';
import listMean from '../../../../tools/list_mean/2026-11-22_v1.0.0.js';
import listSum from '../../../../tools/list_sum/2026-11-22_v1.0.0.js';
import percentiles from '../../../../tools/percentiles_from_list/2026-11-22_v1.0.0.js';
import { docs, interval, runPlain } from '../../../helpers/tool-harness.js';

const run = async <P>(tool: ToolInstance<'tool', P>, input: StreamInstance[]) =>
  await runPlain(tool, interval(0, 100), [input]);

describe('list_length, list_sum, list_mean', () => {
  const lists = docs([1, [1, 2, 3]], [2, []], [3, [2.5]]);

  it('give the length, the sum (0 when empty) and the mean (nothing when empty)', async () => {
    expect(await run(listLength.create(), lists)).toEqual(docs([1, 3], [2, 0], [3, 1]));
    expect(await run(listSum.create(), lists)).toEqual(docs([1, 6], [2, 0], [3, 2.5]));
    expect(await run(listMean.create(), lists)).toEqual(docs([1, 2], [3, 2.5]));
  });

  it('reproduce the sea-ice means of tutorial 3', async () => {
    const seaIce = docs([1, [13.33, 2.15]], [2, [13.44, 2.71]]);
    const out = await run(listMean.create(), seaIce);
    expect(out.map((item) => item.value)).toEqual([7.74, 8.075]);
  });

  it('fail clearly on a value that is not a list, or a list entry that is not a number', async () => {
    await expect(run(listLength.create(), docs([1, 5]))).rejects.toThrow(ToolExecutionError);
    await expect(run(listSum.create(), docs([1, [1, null]]))).rejects.toThrow(/entry 1 is null/);
  });
});

describe('list_dict_mean', () => {
  it('averages key-wise over the objects that hold a number there', async () => {
    const input = docs([1, [{ a: 1, b: 10 }, { a: 3 }, { a: 'x', b: 20 }]]);
    expect(await run(listDictMean.create(), input)).toEqual(docs([1, { a: 2, b: 15 }]));
  });

  it('gives {} exactly once for an empty list', async () => {
    expect(await run(listDictMean.create(), docs([1, []], [2, [{ a: 4 }]]))).toEqual(
      docs([1, {}], [2, { a: 4 }]),
    );
  });
});

describe('list_dict_sum', () => {
  it('sums key-wise from startDict without modifying it', async () => {
    const startDict = { a: 100, z: 0 };
    const tool = listDictSum.create({ startDict });
    const out = await run(tool, docs([1, [{ a: 1, b: 2 }, { a: 3 }]], [2, [{ a: 1 }]], [3, []]));
    expect(out).toEqual(
      docs([1, { a: 104, b: 2, z: 0 }], [2, { a: 101, z: 0 }], [3, { a: 100, z: 0 }]),
    );
    expect(startDict).toEqual({ a: 100, z: 0 });
  });

  it('leaves out new keys when insertNewKeys is false', async () => {
    const tool = listDictSum.create({ startDict: { a: 0 }, insertNewKeys: false });
    expect(await run(tool, docs([1, [{ a: 1, b: 2 }]]))).toEqual(docs([1, { a: 1 }]));
  });

  it('rejects non-numeric start values', () => {
    expect(() => listDictSum.create({ startDict: { a: 'x' } } as never)).toThrow(
      ToolParameterError,
    );
  });
});

describe('histogram_from_list', () => {
  it('counts numbers into (−∞, b0), [b0, b1), …, [bn, ∞) with explicit breaks', async () => {
    const tool = histogram.create({ breaks: [0, 10, 20] });
    const out = await run(tool, docs([1, [-5, 0, 5, 10, 19.9, 20, 100]], [2, []]));
    expect(out).toEqual(docs([1, [1, 2, 2, 2]], [2, [0, 0, 0, 0]]));
  });

  it('builds breaks from firstBreak, breakWidth and nBreaks', async () => {
    const tool = histogram.create({ firstBreak: 1, breakWidth: 0.5, nBreaks: 3 });
    expect(await run(tool, docs([1, [0, 1, 1.2, 1.5, 2, 2, 7]]))).toEqual(docs([1, [1, 2, 1, 3]]));
  });

  it('counts categories with Mongo-safe keys', async () => {
    const tool = histogram.create({ categorical: true });
    expect(await run(tool, docs([1, ['a', 'b.c', 'a', '$x', 3]]))).toEqual(
      docs([1, { a: 2, b__dot__c: 1, __dollar__x: 1, '3': 1 }]),
    );
  });

  it('rejects unsorted breaks', () => {
    expect(() => histogram.create({ breaks: [1, 1] })).toThrow(ToolParameterError);
    expect(() => histogram.create({ breakWidth: 0 })).toThrow(ToolParameterError);
  });
});

describe('percentiles_from_list', () => {
  it('interpolates linearly (numpy default) and skips empty lists', async () => {
    const tool = percentiles.create({ percentiles: [0, 25, 50, 100] });
    const out = await run(tool, docs([1, [4, 1, 3, 2]], [2, []], [3, [7]]));
    expect(out).toEqual(docs([1, [1, 1.75, 2.5, 4]], [3, [7, 7, 7, 7]]));
  });

  it('defaults to nSegments + 1 evenly spaced percentiles', async () => {
    const out = await run(percentiles.create({ nSegments: 4 }), docs([1, [0, 10, 20, 30, 40]]));
    expect(out).toEqual(docs([1, [0, 10, 20, 30, 40]]));
  });

  it('does not modify its percentile list between documents (a HyperStream bug)', async () => {
    const wanted = [50, 100];
    const tool = percentiles.create({ percentiles: wanted });
    const out = await run(tool, docs([1, [1, 2, 3]], [2, [1, 2, 3]]));
    expect(out).toEqual(docs([1, [2, 3]], [2, [2, 3]]));
    expect(wanted).toEqual([50, 100]);
  });

  it('rejects percentiles outside 0…100', () => {
    expect(() => percentiles.create({ percentiles: [101] })).toThrow(ToolParameterError);
  });
});
