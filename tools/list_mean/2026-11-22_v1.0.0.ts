import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { numberList, requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'list_mean',
  version: '1.0.0',
  kind: 'tool',
  description: 'The mean of each list of numbers; empty lists give no document',
  params: z.strictObject({}),
  async *execute(ctx) {
    const [source] = requireSources('list_mean', ctx.sources, 1);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'list_mean');
      for (const { timestamp, value } of batch) {
        const numbers = numberList('list_mean', timestamp, value);
        if (numbers.length === 0) continue;
        let sum = 0;
        for (const x of numbers) sum += x;
        yield { timestamp, value: sum / numbers.length };
      }
    }
  },
});
