import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import {
  numberList,
  percentileOfSorted,
  requireSources,
  throwIfAborted,
} from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'percentiles_from_list',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Percentiles of each list of numbers (linear interpolation); empty lists give no document',
  params: z.strictObject({
    nSegments: z
      .number()
      .int()
      .min(1)
      .default(100)
      .describe(
        'when percentiles is not given: the percentiles i·100/nSegments for i = 0…nSegments',
      ),
    percentiles: z
      .array(z.number().min(0).max(100))
      .optional()
      .describe('explicit percentiles (0…100), e.g. [5, 50, 95]'),
  }),
  async *execute(ctx) {
    const { params } = ctx;
    const [source] = requireSources('percentiles_from_list', ctx.sources, 1);
    // Computed once and never modified (HyperStream divided the caller's list in place).
    const wanted =
      params.percentiles ??
      Array.from({ length: params.nSegments + 1 }, (_, i) => (i * 100) / params.nSegments);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'percentiles_from_list');
      for (const { timestamp, value } of batch) {
        const sorted = Float64Array.from(numberList('percentiles_from_list', timestamp, value))
          .filter((x) => !Number.isNaN(x))
          .sort();
        if (sorted.length === 0) continue;
        yield { timestamp, value: wanted.map((q) => percentileOfSorted(sorted, q)!) };
      }
    }
  },
});
