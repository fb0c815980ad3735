import { z } from 'zod';
import { ToolExecutionError, defineTool, formatTimestamp } from 'hyperstream-ts';
import {
  describeValue,
  isRecord,
  mappingLookup,
  requireSource,
  splitDicts,
} from 'hyperstream-ts/toolkit';

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
    const { element, subelement, mapping } = ctx.params;
    const lookup = mappingLookup(mapping);
    yield* splitDicts(ctx, 'splitter_with_unlist', source, (value, timestamp, emit) => {
      if (!Object.hasOwn(value, element)) return;
      const { [element]: items, ...rest } = value;
      const where = `at ${formatTimestamp(timestamp)} in "${source.id.key}"`;
      const details = { tool: 'splitter_with_unlist', source: source.id.key, timestamp };
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
        // As HyperStream: the rest of the document wins over the item's own keys.
        emit(lookup(String(key)), { ...fields, ...rest });
      }
    });
  },
});
