import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { windowContents } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'sliding_listify',
  version: '1.0.0',
  kind: 'tool',
  description:
    'For each window of source 0, the list of the values of source 1 in it; empty windows give no document',
  params: z.strictObject({
    includeTime: z
      .boolean()
      .default(false)
      .describe('list the instances { timestamp, value } instead of the values'),
  }),
  async *execute(ctx) {
    for await (const { timestamp, items } of windowContents(ctx, 'sliding_listify')) {
      if (items.length === 0) continue;
      yield {
        timestamp,
        value: ctx.params.includeTime
          ? items.map(({ timestamp: t, value }) => ({ timestamp: t, value }))
          : items.map((item) => item.value),
      };
    }
  },
});
