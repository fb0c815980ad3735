import { z } from 'zod';
import { defineTool, functionParam } from 'hyperstream-ts';
import { isRecord, listValue, requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

type ListFunction = (...args: never[]) => unknown;

export default defineTool({
  name: 'relative_apply',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Applies func to each list (e.g. from relative_window); a list of objects gives { key: func(values of key) }; empty lists give no document',
  params: z.strictObject({
    func: functionParam<ListFunction>(
      'applied to each list, or to the values of each key of a list of objects, e.g. { fn: "mean" }',
    ),
  }),
  async *execute(ctx) {
    const func = ctx.params.func as (values: unknown[]) => unknown;
    const [source] = requireSources('relative_apply', ctx.sources, 1);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'relative_apply');
      for (const { timestamp, value } of batch) {
        const rows = listValue('relative_apply', timestamp, value);
        if (rows.length === 0) continue;
        if (!rows.every(isRecord)) {
          const result = func([...rows]);
          if (result !== undefined) yield { timestamp, value: result };
          continue;
        }
        // Key-wise (HyperStream iterated dict keys as pairs here and failed).
        const columns = new Map<string, unknown[]>();
        for (const row of rows as Record<string, unknown>[]) {
          for (const [key, x] of Object.entries(row)) {
            const column = columns.get(key);
            if (column) column.push(x);
            else columns.set(key, [x]);
          }
        }
        const out: Record<string, unknown> = {};
        for (const [key, column] of columns) {
          const result = func(column);
          if (result !== undefined) out[key] = result;
        }
        yield { timestamp, value: out };
      }
    }
  },
});
