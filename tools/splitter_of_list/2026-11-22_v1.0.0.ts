import { z } from 'zod';
import type { TaggedInstance } from 'hyperstream-ts';
import { ToolExecutionError, defineTool, formatTimestamp } from 'hyperstream-ts';
import { describeValue, requireSource, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'splitter_of_list',
  version: '1.0.0',
  kind: 'multi-output',
  description:
    'Sends value[i] of each list value to plate value mapping[i]; items beyond the mapping, null items and plate values outside the output plate are skipped',
  params: z.strictObject({
    mapping: z
      .array(z.string().min(1))
      .min(1)
      .refine(
        (values) => new Set(values).size === values.length,
        'plate values in mapping must be distinct',
      )
      .describe('plate value for each list position: mapping[i] receives value[i]'),
  }),
  async *execute(ctx) {
    const source = requireSource(ctx.source, 'splitter_of_list');
    const allowed = new Set(ctx.outputPlateValues);
    const { mapping } = ctx.params;
    // One output batch per source batch: a yield per instance costs more than the split.
    for await (const batch of source.view.batches()) {
      throwIfAborted(ctx, 'splitter_of_list');
      const out: TaggedInstance[] = [];
      for (const { timestamp, value } of batch) {
        if (!Array.isArray(value)) {
          throw new ToolExecutionError(
            `tool "splitter_of_list" expects list values, got ${describeValue(value)} at ${formatTimestamp(timestamp)} in "${source.id.key}"`,
            { tool: 'splitter_of_list', source: source.id.key, timestamp },
          );
        }
        const length = Math.min(value.length, mapping.length);
        for (let i = 0; i < length; i++) {
          const item: unknown = value[i];
          const plateValue = mapping[i]!;
          if (item !== null && item !== undefined && allowed.has(plateValue))
            out.push({ timestamp, value: item, plateValue });
        }
      }
      if (out.length > 0) yield out;
    }
  },
});
