import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'dict_values_to_const',
  version: '1.0.0',
  kind: 'tool',
  description: 'Each object value with the same keys and every value replaced by a constant',
  params: z.strictObject({
    const: z.json().default(1).describe('the constant every value becomes (any JSON value)'),
  }),
  async *execute(ctx) {
    const { params, sources } = ctx;
    const [source] = requireSources('dict_values_to_const', sources, 1);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'dict_values_to_const');
      for (const { timestamp, value } of batch) {
        if (value === null || typeof value !== 'object') continue;
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) out[key] = params.const;
        yield { timestamp, value: out };
      }
    }
  },
});
