import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { isRecord, listValue, requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'list_dict_mean',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Key-wise mean of each list of objects, over the objects holding a number at that key; an empty list gives {}',
  params: z.strictObject({}),
  async *execute(ctx) {
    const [source] = requireSources('list_dict_mean', ctx.sources, 1);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'list_dict_mean');
      for (const { timestamp, value } of batch) {
        const sums = new Map<string, { sum: number; count: number }>();
        for (const row of listValue('list_dict_mean', timestamp, value)) {
          if (!isRecord(row)) continue;
          for (const [key, x] of Object.entries(row)) {
            if (typeof x !== 'number') continue;
            const entry = sums.get(key);
            if (entry) {
              entry.sum += x;
              entry.count++;
            } else {
              sums.set(key, { sum: x, count: 1 });
            }
          }
        }
        const mean: Record<string, number> = {};
        for (const [key, { sum, count }] of sums) mean[key] = sum / count;
        yield { timestamp, value: mean };
      }
    }
  },
});
