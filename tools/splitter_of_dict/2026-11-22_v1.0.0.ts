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
  name: 'splitter_of_dict',
  version: '1.0.0',
  kind: 'multi-output',
  description:
    'Sends value[key] of each dict value to plate value mapping[key]; unmapped keys, null values and plate values outside the output plate are skipped',
  params: z.strictObject({
    mapping: z
      .record(z.string(), z.string().min(1))
      .optional()
      .describe('dict key → plate value (default: the key itself); keys not in it are skipped'),
  }),
  async *execute(ctx) {
    const source = requireSource(ctx.source, 'splitter_of_dict');
    const mapping = ctx.params.mapping && new Map(Object.entries(ctx.params.mapping));
    const allowed = new Set(ctx.outputPlateValues);
    const claims = new PlateValueClaims('splitter_of_dict');
    // One output batch per source batch: a yield per instance costs more than the split.
    for await (const batch of source.view.batches()) {
      throwIfAborted(ctx, 'splitter_of_dict');
      const out: TaggedInstance[] = [];
      for (const { timestamp, value } of batch) {
        if (!isRecord(value)) {
          throw new ToolExecutionError(
            `tool "splitter_of_dict" expects dict values, got ${describeValue(value)} at ${formatTimestamp(timestamp)} in "${source.id.key}"`,
            { tool: 'splitter_of_dict', source: source.id.key, timestamp },
          );
        }
        for (const [key, part] of Object.entries(value)) {
          const plateValue = mapping ? mapping.get(key) : key;
          if (
            plateValue === undefined ||
            !allowed.has(plateValue) ||
            part === null ||
            part === undefined
          )
            continue;
          claims.claim(plateValue, timestamp);
          out.push({ timestamp, value: part, plateValue });
        }
      }
      if (out.length > 0) yield out;
    }
  },
});
