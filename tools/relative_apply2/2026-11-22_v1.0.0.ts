import { z } from 'zod';
import { defineTool, functionParam } from 'hyperstream-ts';
import { isRecord, listValue, requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

type KeyFunction = (...args: never[]) => unknown;

export default defineTool({
  name: 'relative_apply2',
  version: '1.0.0',
  kind: 'tool',
  description:
    'For each list of objects, { key: func(key, numeric values of key) } over the keys present (one document per input)',
  params: z.strictObject({
    func: functionParam<KeyFunction>('called as func(key, values) for each key of the rows'),
  }),
  async *execute(ctx) {
    const func = ctx.params.func as (key: string, values: number[]) => unknown;
    const [source] = requireSources('relative_apply2', ctx.sources, 1);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'relative_apply2');
      for (const { timestamp, value } of batch) {
        const columns = new Map<string, number[]>();
        for (const row of listValue('relative_apply2', timestamp, value)) {
          if (!isRecord(row)) continue;
          for (const [key, x] of Object.entries(row)) {
            if (typeof x !== 'number') continue;
            const column = columns.get(key);
            if (column) column.push(x);
            else columns.set(key, [x]);
          }
        }
        if (columns.size === 0) continue;
        // One document per input: HyperStream wrote one per key at the same timestamp, which a stream cannot hold.
        const out: Record<string, unknown> = {};
        for (const [key, column] of columns) {
          const result = func(key, column);
          if (result !== undefined) out[key] = result;
        }
        yield { timestamp, value: out };
      }
    }
  },
});
