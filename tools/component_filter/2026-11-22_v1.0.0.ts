import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'component_filter',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Passes the documents whose value[key] is one of the given values (or is not, with complement)',
  params: z.strictObject({
    key: z.string().describe('the key of each object value to test'),
    values: z
      .array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .describe('the values of value[key] that pass (compared with ===)'),
    complement: z
      .boolean()
      .default(false)
      .describe(
        'pass the documents whose value[key] is NOT in values instead; documents without the key never pass',
      ),
  }),
  async *execute(ctx) {
    const { params, sources } = ctx;
    const [source] = requireSources('component_filter', sources, 1);
    const { key, complement } = params;
    const values = new Set<unknown>(params.values);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'component_filter');
      for (const item of batch) {
        const value = item.value;
        if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) continue;
        if (values.has((value as Record<string, unknown>)[key]) !== complement) yield item;
      }
    }
  },
});
