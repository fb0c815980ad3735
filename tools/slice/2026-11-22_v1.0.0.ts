import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'slice',
  version: '1.0.0',
  kind: 'tool',
  description:
    'One element (or a sub-list) of each list value; values that are not lists or too short are skipped',
  params: z.strictObject({
    index: z
      .union([
        z
          .number()
          .int()
          .describe('an element index; negative counts from the end (-1 is the last)'),
        z
          .strictObject({
            start: z
              .number()
              .int()
              .optional()
              .describe('first index (inclusive; negative from the end)'),
            end: z
              .number()
              .int()
              .optional()
              .describe('end index (exclusive; negative from the end)'),
          })
          .describe('a sub-list, like Array.prototype.slice(start, end)'),
      ])
      .describe('an element index, or { start, end } for a sub-list'),
  }),
  async *execute(ctx) {
    const { params, sources } = ctx;
    const [source] = requireSources('slice', sources, 1);
    const { index } = params;
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'slice');
      for (const { timestamp, value } of batch) {
        if (!Array.isArray(value)) continue;
        if (typeof index === 'number') {
          const i = index < 0 ? value.length + index : index;
          if (i >= 0 && i < value.length) yield { timestamp, value: value[i] as unknown };
        } else {
          yield { timestamp, value: value.slice(index.start, index.end) as unknown[] };
        }
      }
    }
  },
});
