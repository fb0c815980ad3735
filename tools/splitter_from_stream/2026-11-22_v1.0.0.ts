import { z } from 'zod';
import { ToolExecutionError, defineTool } from 'hyperstream-ts';
import {
  describeValue,
  isRecord,
  latestSplittingValue,
  requireSource,
  splitByElement,
  splitDicts,
  splitEntries,
} from 'hyperstream-ts/toolkit';

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
    const lookup = (key: string): string | undefined => mapping.get(key);
    yield* splitDicts(ctx, 'splitter_from_stream', source, (value, _timestamp, emit) =>
      element === undefined
        ? splitEntries(value, lookup, emit)
        : splitByElement(value, element, lookup, emit),
    );
  },
});
