import { z } from 'zod';
import { defineTool, functionParam, OUTPUT_BATCH_SIZE } from 'hyperstream-ts';
import type { StreamInstance } from 'hyperstream-ts';
import { mergeByTimestamp, throwIfAborted } from 'hyperstream-ts/toolkit';

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
    let groups = 0;
    // Yielded in batches: a yield per timestamp would cost more than most functions.
    let out: StreamInstance[] = [];
    for await (const { timestamp, entries } of mergeByTimestamp(
      ctx.sources.map((source) => source.view),
    )) {
      if ((groups++ & 0x3ff) === 0) throwIfAborted(ctx, 'aggregate');
      const value = ctx.params.func(entries.map((entry) => entry.value));
      if (value !== undefined && out.push({ timestamp, value }) >= OUTPUT_BATCH_SIZE) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  },
});
