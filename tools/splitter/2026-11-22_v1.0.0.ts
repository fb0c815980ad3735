import { z } from 'zod';
import { ToolExecutionError, defineTool } from 'hyperstream-ts';
import { mappingLookup, requireSource, splitByElement, splitDicts } from 'hyperstream-ts/toolkit';

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
    const { element, mapping } = ctx.params;
    const lookup = mappingLookup(mapping);
    yield* splitDicts(ctx, 'splitter', source, (value, _timestamp, emit) =>
      splitByElement(value, element, lookup, emit),
    );
  },
});
