import { z } from 'zod';
import type { TaggedInstance } from '../../src/index.js';
import { ToolExecutionError, defineTool, formatTimestamp } from '../../src/index.js';
import {
  PlateValueClaims,
  describeValue,
  isRecord,
  latestSplittingValue,
  requireSource,
  throwIfAborted,
} from '../../src/tools/structural-support.js';

/** The mapping in a splitting document: a dict (key → plate value) or a list of plate values. */
function toMapping(document: unknown, keysOnly: boolean): Map<string, string> {
  if (Array.isArray(document)) return new Map(document.map((item) => [String(item), String(item)]));
  if (isRecord(document)) {
    return new Map(
      Object.entries(document).map(([key, value]) => [key, keysOnly ? key : String(value)]),
    );
  }
  throw new ToolExecutionError(
    `tool "splitter_from_stream": the splitting document must be a dict (key → plate value) or a list of plate values, got ${describeValue(document)}`,
    { tool: 'splitter_from_stream' },
  );
}

export default defineTool({
  name: 'splitter_from_stream',
  version: '1.0.0',
  kind: 'multi-output',
  description:
    'Like splitter, with the mapping taken from the latest splitting document at or before the interval end; without element, each key of the dict goes to its mapped plate value',
  params: z.strictObject({
    element: z
      .string()
      .min(1)
      .optional()
      .describe(
        'the key whose value picks the plate value (removed from the output); omitted: every key of the value dict is mapped and its value sent there (null values skipped)',
      ),
    useMappingKeysOnly: z
      .boolean()
      .default(false)
      .describe(
        'use the keys of the mapping dict as the plate values (identity mapping), ignoring its values',
      ),
  }),
  async *execute(ctx) {
    const source = requireSource(ctx.source, 'splitter_from_stream');
    const mapping = toMapping(
      await latestSplittingValue(ctx.splitting, 'splitter_from_stream'),
      ctx.params.useMappingKeysOnly,
    );
    const { element } = ctx.params;
    const allowed = new Set(ctx.outputPlateValues);
    const claims = new PlateValueClaims('splitter_from_stream');
    // One output batch per source batch: a yield per instance costs more than the split.
    for await (const batch of source.view.batches()) {
      throwIfAborted(ctx, 'splitter_from_stream');
      const out: TaggedInstance[] = [];
      for (const { timestamp, value } of batch) {
        if (!isRecord(value)) {
          throw new ToolExecutionError(
            `tool "splitter_from_stream" expects dict values, got ${describeValue(value)} at ${formatTimestamp(timestamp)} in "${source.id.key}"`,
            { tool: 'splitter_from_stream', source: source.id.key, timestamp },
          );
        }
        if (element === undefined) {
          for (const [key, part] of Object.entries(value)) {
            const plateValue = mapping.get(key);
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
        } else if (Object.hasOwn(value, element)) {
          const { [element]: key, ...rest } = value;
          const plateValue = mapping.get(String(key));
          if (plateValue !== undefined && allowed.has(plateValue))
            out.push({ timestamp, value: rest, plateValue });
        }
      }
      if (out.length > 0) yield out;
    }
  },
});
