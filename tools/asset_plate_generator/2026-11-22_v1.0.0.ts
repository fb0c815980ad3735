import { z } from 'zod';
import { ToolExecutionError, defineTool } from 'hyperstream-ts';
import { describeValue, isRecord, requireSource } from 'hyperstream-ts/toolkit';

const TOOL = 'asset_plate_generator';

function plateValueOf(item: unknown): string {
  if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
    return String(item);
  throw new ToolExecutionError(
    `tool "${TOOL}": plate values must be strings, numbers or booleans, got ${describeValue(item)}: choose an element whose keys or values are names`,
    { tool: TOOL },
  );
}

export default defineTool({
  name: TOOL,
  version: '1.0.0',
  kind: 'plate-creation',
  description:
    'Plate values from the latest source document in the interval: the keys (or values) of data[element] when it is a dict, its items when it is a list',
  params: z.strictObject({
    element: z
      .string()
      .min(1)
      .optional()
      .describe(
        'the key of the document to read (a document without it gives no values); omitted: the whole document',
      ),
    filters: z
      .array(z.string())
      .optional()
      .describe('only these plate values are created (a whitelist); omitted or empty: all'),
    useValueInsteadOfKey: z
      .boolean()
      .default(false)
      .describe('for a dict, use its values rather than its keys as the plate values'),
  }),
  async *execute(ctx) {
    const source = requireSource(ctx.source, TOOL);
    const last = await source.view.last();
    if (!last) return;
    const { element, filters, useValueInsteadOfKey } = ctx.params;
    let data: unknown = last.value;
    if (element !== undefined) {
      if (!isRecord(data) || !Object.hasOwn(data, element)) return;
      data = data[element];
    }
    let items: unknown[];
    if (Array.isArray(data)) items = data;
    else if (isRecord(data)) items = useValueInsteadOfKey ? Object.values(data) : Object.keys(data);
    else {
      throw new ToolExecutionError(
        `tool "${TOOL}" expects ${element === undefined ? 'the document' : `document.${element}`} to be a dict or a list, got ${describeValue(data)}`,
        { tool: TOOL, source: source.id.key },
      );
    }
    const whitelist = filters?.length ? new Set(filters) : undefined;
    const seen = new Set<string>();
    for (const item of items) {
      const value = plateValueOf(item);
      if (seen.has(value) || (whitelist && !whitelist.has(value))) continue;
      seen.add(value);
      yield { value };
    }
  },
});
