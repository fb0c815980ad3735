import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { listValue, numberList, requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

/** Index of the bin of `x` for ascending `breaks`: bin i holds [breaks[i−1], breaks[i]). */
function binOf(breaks: readonly number[], x: number): number {
  let lo = 0;
  let hi = breaks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (breaks[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** MongoDB field names cannot hold "." or start with "$". */
function safeKey(key: string): string {
  return key.replaceAll('.', '__dot__').replaceAll('$', '__dollar__');
}

export default defineTool({
  name: 'histogram_from_list',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Histogram counts of each list: numbers into bins (−∞, b0), [b0, b1), …, [bn, ∞), or category counts when categorical',
  params: z
    .strictObject({
      firstBreak: z.number().default(0).describe('the first break when breaks is not given'),
      breakWidth: z
        .number()
        .positive()
        .default(1)
        .describe('distance between breaks when breaks is not given'),
      nBreaks: z
        .number()
        .int()
        .min(1)
        .default(101)
        .describe('number of breaks when breaks is not given'),
      breaks: z
        .array(z.number())
        .min(1)
        .optional()
        .describe('explicit ascending bin edges; the bins also include (−∞, first) and [last, ∞)'),
      categorical: z
        .boolean()
        .default(false)
        .describe(
          'count each distinct value instead: { value: count }, with "." and "$" in keys escaped',
        ),
    })
    .refine((p) => !p.breaks || p.breaks.every((b, i) => i === 0 || b > p.breaks![i - 1]!), {
      message: 'breaks must be strictly ascending',
      path: ['breaks'],
    }),
  async *execute(ctx) {
    const { params } = ctx;
    const [source] = requireSources('histogram_from_list', ctx.sources, 1);
    const breaks =
      params.breaks ??
      Array.from({ length: params.nBreaks }, (_, i) => params.firstBreak + i * params.breakWidth);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'histogram_from_list');
      for (const { timestamp, value } of batch) {
        if (params.categorical) {
          const counts: Record<string, number> = {};
          for (const item of listValue('histogram_from_list', timestamp, value)) {
            const key = safeKey(typeof item === 'string' ? item : JSON.stringify(item));
            counts[key] = (counts[key] ?? 0) + 1;
          }
          yield { timestamp, value: counts };
        } else {
          const counts = new Array<number>(breaks.length + 1).fill(0);
          for (const x of numberList('histogram_from_list', timestamp, value)) {
            if (!Number.isNaN(x)) counts[binOf(breaks, x)]!++;
          }
          yield { timestamp, value: counts };
        }
      }
    }
  },
});
