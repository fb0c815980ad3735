import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { numberList, requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'list_sum',
  version: '1.0.0',
  kind: 'tool',
  description: 'The sum of each list of numbers (0 for an empty list)',
  params: z.strictObject({}),
  async *execute(ctx) {
    const [source] = requireSources('list_sum', ctx.sources, 1);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'list_sum');
      for (const { timestamp, value } of batch) {
        let sum = 0;
        for (const x of numberList('list_sum', timestamp, value)) sum += x;
        yield { timestamp, value: sum };
      }
    }
  },
});
