import { z } from 'zod';
import { defineTool, functionParam } from 'hyperstream-ts';
import { windowContents } from 'hyperstream-ts/toolkit';

type WindowFunction = (...args: never[]) => unknown;

export default defineTool({
  name: 'sliding_apply',
  version: '1.0.0',
  kind: 'tool',
  description:
    'For each window of source 0 (e.g. from sliding_window), func(values of source 1 in the window); empty windows and undefined results give no document',
  params: z.strictObject({
    func: functionParam<WindowFunction>(
      'applied to the list of values in each window, e.g. { fn: "mean" }',
    ),
    includeTime: z
      .boolean()
      .default(false)
      .describe('pass the instances { timestamp, value } instead of the values'),
  }),
  async *execute(ctx) {
    const func = ctx.params.func as (items: unknown[]) => unknown;
    for await (const { timestamp, items } of windowContents(ctx, 'sliding_apply')) {
      if (items.length === 0) continue;
      let result = func(ctx.params.includeTime ? [...items] : items.map((item) => item.value));
      if (result instanceof Promise) result = (await result) as unknown;
      if (result !== undefined) yield { timestamp, value: result };
    }
  },
});
