import { z } from 'zod';
import { batchToInstances, defineTool, makeBatch } from 'hyperstream-ts';
import { requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'component',
  version: '1.0.0',
  kind: 'tool',
  description: 'The value of one key of each object value; documents without the key are skipped',
  params: z.strictObject({
    key: z.string().describe('the key to take from each value, e.g. "temperature"'),
  }),
  async *execute(ctx) {
    const { params, sources } = ctx;
    const [source] = requireSources('component', sources, 1);
    const { key } = params;
    for await (const batch of source!.view.columns()) {
      throwIfAborted(ctx, 'component');
      const values = batch.values;
      if (values.type === 'struct') {
        // Every row is an object with the same keys: the key's column as it is, or nothing.
        const at = values.fields.indexOf(key);
        if (at >= 0) yield makeBatch(batch.timestamps, values.columns[at]!);
        continue;
      }
      // Numbers and strings have no keys; objects are looked at one by one.
      if (values.type !== 'object') continue;
      const out = [];
      for (const { timestamp, value } of batchToInstances(batch)) {
        if (value !== null && typeof value === 'object' && Object.hasOwn(value, key)) {
          out.push({ timestamp, value: (value as Record<string, unknown>)[key] });
        }
      }
      if (out.length > 0) yield out;
    }
  },
});
