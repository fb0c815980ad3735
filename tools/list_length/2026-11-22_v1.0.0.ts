import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { listValue, requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'list_length',
  version: '1.0.0',
  kind: 'tool',
  description: 'The length of each list value',
  params: z.strictObject({}),
  async *execute(ctx) {
    const [source] = requireSources('list_length', ctx.sources, 1);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'list_length');
      for (const { timestamp, value } of batch) {
        yield { timestamp, value: listValue('list_length', timestamp, value).length };
      }
    }
  },
});
