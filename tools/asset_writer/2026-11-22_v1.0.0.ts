import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { requireSources } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'asset_writer',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Writes one document holding the given value at the end of the interval (e.g. into an assets stream)',
  params: z.strictObject({
    value: z.json().describe('the value to write (any JSON value)'),
  }),
  async *execute(ctx) {
    requireSources('asset_writer', ctx.sources, 0);
    if (!ctx.interval.isEmpty) yield { timestamp: ctx.interval.end, value: ctx.params.value };
  },
});
