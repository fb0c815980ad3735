import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { BatchCollector, mergeColumnsByTimestamp, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'copy',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Re-emits every document of every source in time order; at a shared timestamp the last source wins',
  params: z.strictObject({}),
  async *execute(ctx) {
    const { sources } = ctx;
    if (sources.length === 1) {
      // The source's column batches, passed on as they are.
      for await (const batch of sources[0]!.view.columns()) {
        throwIfAborted(ctx, 'copy');
        yield batch;
      }
      return;
    }
    const out = new BatchCollector();
    for await (const groups of mergeColumnsByTimestamp(sources.map((source) => source.view))) {
      throwIfAborted(ctx, 'copy');
      const { count, timestamps, offsets, values } = groups;
      for (let g = 0; g < count; g++) {
        // Entries come in source order, so the last one is the last source's value.
        const full = out.add(timestamps[g]!, values[offsets[g + 1]! - 1]);
        if (full) yield full;
      }
    }
    const rest = out.take();
    if (rest) yield rest;
  },
});
