import { z } from 'zod';
import { columnValues, defineTool, functionParam } from 'hyperstream-ts';
import { BatchCollector, requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

type ApplyFunction = (...args: never[]) => unknown;

export default defineTool({
  name: 'apply',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Applies a function to each value (or to timestamp and value); undefined results are skipped',
  params: z.strictObject({
    func: functionParam<ApplyFunction>(
      'the function: func(value), or func(timestamp, value) with includeTimestamps',
    ),
    includeTimestamps: z
      .boolean()
      .default(false)
      .describe('call func(timestamp, value) instead of func(value); the timestamp is epoch ms'),
  }),
  async *execute(ctx) {
    const { params, sources } = ctx;
    const [source] = requireSources('apply', sources, 1);
    const func = params.func as (...args: unknown[]) => unknown;
    // Values are read from columns and results collected into column batches (no instance objects).
    const out = new BatchCollector();
    for await (const batch of source!.view.columns()) {
      throwIfAborted(ctx, 'apply');
      const ts = batch.timestamps;
      const values = columnValues(batch.values);
      for (let i = 0; i < values.length; i++) {
        let result = params.includeTimestamps ? func(ts[i], values[i]) : func(values[i]);
        if (result instanceof Promise) result = (await result) as unknown;
        if (result !== undefined) out.push(ts[i]!, result);
      }
      const full = out.full();
      if (full) yield full;
    }
    const rest = out.take();
    if (rest) yield rest;
  },
});
