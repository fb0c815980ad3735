import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { isRecord, listValue, requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'list_dict_sum',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Key-wise sum of each list of objects, starting from startDict (never modified); an empty list gives startDict',
  params: z.strictObject({
    startDict: z
      .record(z.string(), z.number())
      .default({})
      .describe(
        'the sums start from these values, e.g. { "a": 0, "b": 0 } to always have keys a and b',
      ),
    insertNewKeys: z
      .boolean()
      .default(true)
      .describe('sum keys that are not in startDict too; when false such keys are left out'),
  }),
  async *execute(ctx) {
    const { params } = ctx;
    const [source] = requireSources('list_dict_sum', ctx.sources, 1);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'list_dict_sum');
      for (const { timestamp, value } of batch) {
        // A fresh copy per document: HyperStream mutated the shared start_dict.
        const sum: Record<string, number> = { ...params.startDict };
        for (const row of listValue('list_dict_sum', timestamp, value)) {
          if (!isRecord(row)) continue;
          for (const [key, x] of Object.entries(row)) {
            if (typeof x !== 'number') continue;
            if (Object.hasOwn(sum, key)) sum[key]! += x;
            else if (params.insertNewKeys) sum[key] = x;
          }
        }
        yield { timestamp, value: sum };
      }
    }
  },
});
