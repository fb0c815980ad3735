import { z } from 'zod';
import { defineTool, functionParam } from 'hyperstream-ts';
import { requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

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
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'apply');
      for (const { timestamp, value } of batch) {
        let result = params.includeTimestamps ? func(timestamp, value) : func(value);
        if (result instanceof Promise) result = (await result) as unknown;
        if (result !== undefined) yield { timestamp, value: result };
      }
    }
  },
});
