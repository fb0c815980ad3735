import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'dict_argmax',
  version: '1.0.0',
  kind: 'tool',
  description:
    'The key with the largest numeric value of each object value (the first such key on ties)',
  params: z.strictObject({}),
  async *execute(ctx) {
    const { sources } = ctx;
    const [source] = requireSources('dict_argmax', sources, 1);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'dict_argmax');
      for (const { timestamp, value } of batch) {
        if (value === null || typeof value !== 'object') continue;
        let best: string | undefined;
        let bestValue = -Infinity;
        for (const [key, v] of Object.entries(value)) {
          // Non-numbers cannot be compared; an object with no numbers has no argmax.
          if (typeof v === 'number' && (best === undefined || v > bestValue)) {
            best = key;
            bestValue = v;
          }
        }
        if (best !== undefined) yield { timestamp, value: best };
      }
    }
  },
});
