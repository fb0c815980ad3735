import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { mappingLookup, requireSource, splitDicts, splitEntries } from 'hyperstream-ts/toolkit';

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
    const { mapping } = ctx.params;
    const lookup = mappingLookup(mapping);
    yield* splitDicts(ctx, 'splitter_of_dict', source, (value, _timestamp, emit) =>
      splitEntries(value, lookup, emit),
    );
  },
});
