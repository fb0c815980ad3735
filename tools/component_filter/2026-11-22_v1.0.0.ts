import { z } from 'zod';
import { batchToInstances, defineTool, fieldColumn, takeRows } from 'hyperstream-ts';
import { keyTargets, requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'component_filter',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Passes the documents whose value[key] is one of the given values (or is not, with complement)',
  params: z.strictObject({
    key: z.string().describe('the key of each object value to test'),
    values: z
      .array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .describe('the values of value[key] that pass (compared with ===)'),
    complement: z
      .boolean()
      .default(false)
      .describe(
        'pass the documents whose value[key] is NOT in values instead; documents without the key never pass',
      ),
  }),
  async *execute(ctx) {
    const { params, sources } = ctx;
    const [source] = requireSources('component_filter', sources, 1);
    const { key, complement } = params;
    const values = new Set<unknown>(params.values);
    const passes = (value: unknown): number => (values.has(value) !== complement ? 0 : -1);
    for await (const batch of source!.view.columns()) {
      throwIfAborted(ctx, 'component_filter');
      const column = batch.values;
      if (column.type === 'struct') {
        // Every row has the same keys: test the key's column (a dictionary once, not row by row).
        if (!column.fields.includes(key)) continue;
        const verdicts = keyTargets(fieldColumn(column, key), passes);
        const keep = new Uint32Array(batch.length);
        let n = 0;
        for (let i = 0; i < verdicts.length; i++) if (verdicts[i] === 0) keep[n++] = i;
        if (n === batch.length) yield batch;
        else if (n > 0) yield takeRows(batch, keep, n);
        continue;
      }
      if (column.type !== 'object') continue;
      const out = [];
      for (const item of batchToInstances(batch)) {
        const value = item.value;
        if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) continue;
        if (values.has((value as Record<string, unknown>)[key]) !== complement) out.push(item);
      }
      if (out.length > 0) yield out;
    }
  },
});
