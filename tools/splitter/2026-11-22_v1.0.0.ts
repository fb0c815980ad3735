import { z } from 'zod';
import { ToolExecutionError, defineTool, formatTimestamp } from '../../src/index.js';
import type { TaggedInstance } from '../../src/index.js';
import {
  describeValue,
  isRecord,
  requireSource,
  throwIfAborted,
} from '../../src/tools/structural-support.js';

export default defineTool({
  name: 'splitter',
  version: '1.0.0',
  kind: 'multi-output',
  description:
    'Sends each dict value, without `element`, to the plate value that value[element] maps to; unmapped values and plate values outside the output plate are skipped',
  params: z.strictObject({
    element: z
      .string()
      .min(1)
      .describe('the key whose value picks the output plate value; it is removed from the output'),
    mapping: z
      .record(z.string(), z.string().min(1))
      .optional()
      .describe(
        'String(value[element]) → plate value (default: String(value[element]) itself); values not in it are skipped',
      ),
  }),
  async *execute(ctx) {
    const source = requireSource(ctx.source, 'splitter');
    if (ctx.splitting) {
      throw new ToolExecutionError(
        'tool "splitter" takes its mapping as a parameter: remove the splitting node or use splitter_from_stream',
        { tool: 'splitter' },
      );
    }
    const { element } = ctx.params;
    const mapping = ctx.params.mapping && new Map(Object.entries(ctx.params.mapping));
    const allowed = new Set(ctx.outputPlateValues);
    // One output batch per source batch: a yield per instance would cost more than the split.
    for await (const batch of source.view.batches()) {
      throwIfAborted(ctx, 'splitter');
      const out: TaggedInstance[] = [];
      for (const { timestamp, value } of batch) {
        if (!isRecord(value)) {
          throw new ToolExecutionError(
            `tool "splitter" expects dict values, got ${describeValue(value)} at ${formatTimestamp(timestamp)} in "${source.id.key}"`,
            { tool: 'splitter', source: source.id.key, timestamp },
          );
        }
        if (!Object.hasOwn(value, element)) continue;
        const { [element]: key, ...rest } = value;
        const plateValue = mapping ? mapping.get(String(key)) : String(key);
        if (plateValue !== undefined && allowed.has(plateValue))
          out.push({ timestamp, value: rest, plateValue });
      }
      if (out.length > 0) yield out;
    }
  },
});
