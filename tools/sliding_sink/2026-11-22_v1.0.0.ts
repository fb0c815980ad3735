import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { clampedInterval, requireSources, throwIfAborted, toWindow } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'sliding_sink',
  version: '1.0.0',
  kind: 'tool',
  description: 'Makes source 1 computed over the span of all windows of source 0; emits nothing',
  params: z.strictObject({}),
  // eslint-disable-next-line require-yield -- a sink only pulls its source
  async *execute(ctx) {
    const [windows] = requireSources('sliding_sink', ctx.sources, 2);
    let start = Infinity;
    let end = -Infinity;
    for await (const batch of windows!.view.batches()) {
      throwIfAborted(ctx, 'sliding_sink');
      for (const { timestamp, value } of batch) {
        const window = toWindow(value, 'sliding_sink', timestamp);
        start = Math.min(start, window.start);
        end = Math.max(end, window.end);
      }
    }
    // Asking for the window computes the data source over it upstream (pull).
    if (start <= end) await ctx.sourceWindow(1, clampedInterval(start, end));
  },
});
