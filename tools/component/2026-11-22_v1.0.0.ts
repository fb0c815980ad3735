import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'component',
  version: '1.0.0',
  kind: 'tool',
  description: 'The value of one key of each object value; documents without the key are skipped',
  params: z.strictObject({
    key: z.string().describe('the key to take from each value, e.g. "temperature"'),
  }),
  async *execute(ctx) {
    const { params, sources } = ctx;
    const [source] = requireSources('component', sources, 1);
    const { key } = params;
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'component');
      for (const { timestamp, value } of batch) {
        if (value !== null && typeof value === 'object' && Object.hasOwn(value, key)) {
          yield { timestamp, value: (value as Record<string, unknown>)[key] };
        }
      }
    }
  },
});
