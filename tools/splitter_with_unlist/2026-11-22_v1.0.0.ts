import { z } from 'zod';
import type { TaggedInstance } from '../../src/index.js';
import { ToolExecutionError, defineTool, formatTimestamp } from '../../src/index.js';
import {
  PlateValueClaims,
  describeValue,
  isRecord,
  requireSource,
  throwIfAborted,
} from '../../src/tools/structural-support.js';

export default defineTool({
  name: 'splitter_with_unlist',
  version: '1.0.0',
  kind: 'multi-output',
  description:
    'value[element] is a list of dicts: each item goes to the plate value its `subelement` maps to, merged with the rest of the value (both keys removed)',
  params: z.strictObject({
    element: z.string().min(1).describe('the key holding the list of dicts'),
    subelement: z
      .string()
      .min(1)
      .describe('the key of each item whose value picks the plate value; removed from the output'),
    mapping: z
      .record(z.string(), z.string().min(1))
      .optional()
      .describe(
        'String(item[subelement]) → plate value (default: the value itself); unmapped items are skipped',
      ),
  }),
  async *execute(ctx) {
    const source = requireSource(ctx.source, 'splitter_with_unlist');
    const { element, subelement } = ctx.params;
    const mapping = ctx.params.mapping && new Map(Object.entries(ctx.params.mapping));
    const allowed = new Set(ctx.outputPlateValues);
    const claims = new PlateValueClaims('splitter_with_unlist');
    // One output batch per source batch: a yield per instance costs more than the split.
    for await (const batch of source.view.batches()) {
      throwIfAborted(ctx, 'splitter_with_unlist');
      const out: TaggedInstance[] = [];
      for (const { timestamp, value } of batch) {
        const where = `at ${formatTimestamp(timestamp)} in "${source.id.key}"`;
        const details = { tool: 'splitter_with_unlist', source: source.id.key, timestamp };
        if (!isRecord(value)) {
          throw new ToolExecutionError(
            `tool "splitter_with_unlist" expects dict values, got ${describeValue(value)} ${where}`,
            details,
          );
        }
        if (!Object.hasOwn(value, element)) continue;
        const { [element]: items, ...rest } = value;
        if (!Array.isArray(items)) {
          throw new ToolExecutionError(
            `tool "splitter_with_unlist" expects value.${element} to be a list of dicts, got ${describeValue(items)} ${where}`,
            details,
          );
        }
        for (const item of items) {
          if (!isRecord(item)) {
            throw new ToolExecutionError(
              `tool "splitter_with_unlist" expects the items of value.${element} to be dicts, got ${describeValue(item)} ${where}`,
              details,
            );
          }
          if (!Object.hasOwn(item, subelement)) continue;
          const { [subelement]: key, ...fields } = item;
          const plateValue = mapping ? mapping.get(String(key)) : String(key);
          if (plateValue === undefined || !allowed.has(plateValue)) continue;
          claims.claim(plateValue, timestamp);
          // As HyperStream: the rest of the document wins over the item's own keys.
          out.push({ timestamp, value: { ...fields, ...rest }, plateValue });
        }
      }
      if (out.length > 0) yield out;
    }
  },
});
