import { z } from 'zod';
import { defineTool, formatTimestamp, ToolExecutionError } from 'hyperstream-ts';
import { mergeByTimestamp, requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'product',
  version: '1.0.0',
  kind: 'tool',
  description:
    'The product v0 · v1 of two number streams with the same timestamps (an error where they differ)',
  params: z.strictObject({}),
  async *execute(ctx) {
    const sources = requireSources('product', ctx.sources, 2);
    let groups = 0;
    for await (const { timestamp, entries } of mergeByTimestamp(sources.map((s) => s.view))) {
      if ((++groups & 0xfff) === 0) throwIfAborted(ctx, 'product');
      const [a, b] = entries;
      if (entries.length !== 2) {
        throw new ToolExecutionError(
          `tool "product" found a document at ${formatTimestamp(timestamp)} in source ${a!.index} only: ` +
            'both sources must have the same timestamps (align them first, e.g. with aligned_merge or resample)',
          { tool: 'product', timestamp },
        );
      }
      if (typeof a!.value !== 'number' || typeof b!.value !== 'number') {
        throw new ToolExecutionError(
          `tool "product" expected two numbers at ${formatTimestamp(timestamp)}, got ${typeof a!.value} and ${typeof b!.value}`,
          { tool: 'product', timestamp },
        );
      }
      yield { timestamp, value: a!.value * b!.value };
    }
  },
});
