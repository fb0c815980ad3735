// Tools over several aligned sources: product, aligned_merge, aligned_correlation.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ToolExecutionError } from '../../../../src/errors.js';
import type { StreamInstance } from '../../../../src/streams/stream-instance.js';
import type { ToolInstance } from '../../../../src/tools/tool.js';
import alignedCorrelation from '../../../../tools/aligned_correlation/2026-11-22_v1.0.0.js';
import alignedMerge from '../../../../tools/aligned_merge/2026-11-22_v1.0.0.js';
import product from '../../../../tools/product/2026-11-22_v1.0.0.js';
import { docs, interval, runPlain } from '../../../helpers/tool-harness.js';

const run = async <P>(tool: ToolInstance<'tool', P>, ...inputs: StreamInstance[][]) =>
  await runPlain(tool, interval(0, 100), inputs);

describe('product', () => {
  it('multiplies two streams pairwise', async () => {
    expect(await run(product.create(), docs([1, 2], [2, 3]), docs([1, 5], [2, -1]))).toEqual(
      docs([1, 10], [2, -3]),
    );
  });

  it('fails when the timestamps differ or a value is not a number', async () => {
    await expect(run(product.create(), docs([1, 2], [2, 3]), docs([1, 5]))).rejects.toThrow(
      ToolExecutionError,
    );
    await expect(run(product.create(), docs([1, 2]), docs([1, 'x']))).rejects.toThrow(
      /two numbers/,
    );
    await expect(run(product.create(), docs([1, 2]))).rejects.toThrow(InvalidArgumentError);
  });
});

describe('aligned_merge', () => {
  const a = docs([1, 'a1'], [2, 'a2'], [4, 'a4'], [6, 'a6']);
  const b = docs([2, 'b2'], [3, 'b3'], [4, 'b4']);

  it('lists the values at timestamps present in every source and drops the others', async () => {
    expect(await run(alignedMerge.create(), a, b)).toEqual(
      docs([2, ['a2', 'b2']], [4, ['a4', 'b4']]),
    );
  });

  it('keys values by names, and does not read past a source that has ended', async () => {
    expect(await run(alignedMerge.create({ names: ['x', 'y'] }), b, a)).toEqual(
      docs([2, { x: 'b2', y: 'a2' }], [4, { x: 'b4', y: 'a4' }]),
    );
    expect(await run(alignedMerge.create(), a, [])).toEqual([]);
  });

  it('needs one name per source', async () => {
    await expect(run(alignedMerge.create({ names: ['x'] }), a, b)).rejects.toThrow(
      /1 names for 2 sources/,
    );
  });
});

describe('aligned_correlation', () => {
  it('divides s0 by s1 where both hold numbers (tutorial 5: temperature / rainfall)', async () => {
    const temperature = docs([1, 15.55], [2, 19.5], [3, 10], [5, 3]);
    const rainfall = docs([1, 22.4], [2, 59.8], [3, 0], [4, 7], [5, null]);
    expect(await run(alignedCorrelation.create(), temperature, rainfall)).toEqual(
      docs([1, 15.55 / 22.4], [2, 19.5 / 59.8]),
    );
  });

  it('stops cleanly when one source runs out (HyperStream indexed past the end)', async () => {
    expect(
      await run(alignedCorrelation.create(), docs([1, 2], [2, 4], [3, 6]), docs([1, 1])),
    ).toEqual(docs([1, 2]));
  });
});
