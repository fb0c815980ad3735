import { z } from 'zod';
import { defineTool, functionParam } from 'hyperstream-ts';
import { BatchCollector, mergeColumnsByTimestamp, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'aggregate',
  version: '1.0.0',
  kind: 'aggregate',
  description:
    'For every timestamp present in any source, func(the values the sources have at exactly that timestamp), merged in one pass',
  params: z.strictObject({
    func: functionParam<(values: unknown[]) => unknown>(
      'applied to the list of values the sources have at one timestamp (in source order), e.g. { fn: "mean" }; an undefined result emits nothing',
    ),
  }),
  async *execute(ctx) {
    const { func } = ctx.params;
    // Sources are read as columns and merged densely; results are yielded as column batches.
    const out = new BatchCollector();
    for await (const groups of mergeColumnsByTimestamp(ctx.sources.map((source) => source.view))) {
      throwIfAborted(ctx, 'aggregate');
      const { count, timestamps, offsets, values } = groups;
      for (let g = 0; g < count; g++) {
        const value = func(values.slice(offsets[g], offsets[g + 1]));
        if (value === undefined) continue;
        const full = out.add(timestamps[g]!, value);
        if (full) yield full;
      }
    }
    const rest = out.take();
    if (rest) yield rest;
  },
});
