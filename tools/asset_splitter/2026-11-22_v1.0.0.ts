import { z } from 'zod';
import { ToolExecutionError, defineTool, formatTimestamp } from 'hyperstream-ts';
import { describeValue, instancesOf, isRecord, requireSource } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'asset_splitter',
  version: '1.0.0',
  kind: 'multi-output',
  description:
    'Each (key, value) of the dict value[element] (or of the whole value) goes to plate value key; an optional whitelist of keys',
  params: z.strictObject({
    element: z
      .string()
      .min(1)
      .optional()
      .describe(
        'the key of the dict to split (documents without it are skipped); omitted: the whole value',
      ),
    filters: z
      .array(z.string())
      .optional()
      .describe('only these keys are sent on (a whitelist); omitted or empty: all keys'),
  }),
  async *execute(ctx) {
    const source = requireSource(ctx.source, 'asset_splitter');
    const { element, filters } = ctx.params;
    const whitelist = filters?.length ? new Set(filters) : undefined;
    const allowed = new Set(ctx.outputPlateValues);
    for await (const { timestamp, value } of instancesOf(source.view, ctx, 'asset_splitter')) {
      let data: unknown = value;
      if (element !== undefined) {
        if (!isRecord(value) || !Object.hasOwn(value, element)) continue;
        data = value[element];
      }
      if (!isRecord(data)) {
        throw new ToolExecutionError(
          `tool "asset_splitter" expects ${element === undefined ? 'dict values' : `value.${element} to be a dict`}, ` +
            `got ${describeValue(data)} at ${formatTimestamp(timestamp)} in "${source.id.key}"`,
          { tool: 'asset_splitter', source: source.id.key, timestamp },
        );
      }
      for (const [key, part] of Object.entries(data)) {
        if ((!whitelist || whitelist.has(key)) && allowed.has(key))
          yield { timestamp, value: part, plateValue: key };
      }
    }
  },
});
