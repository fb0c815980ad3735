import { z } from 'zod';
import { defineTool, functionParam } from 'hyperstream-ts';
import { mergeByTimestamp, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'aggregate_into_dict_and_apply',
  version: '1.0.0',
  kind: 'aggregate',
  description:
    'Per timestamp present in any source, a dict { plate value: func(value) } over the sources that have a value there',
  params: z.strictObject({
    func: functionParam<(value: unknown) => unknown>(
      'applied to each source value before it goes into the dict (default: the value itself); an undefined result leaves the key out',
    ).optional(),
  }),
  async *execute(ctx) {
    const func = ctx.params.func;
    let groups = 0;
    for await (const { timestamp, entries } of mergeByTimestamp(
      ctx.sources.map((source) => source.view),
    )) {
      if ((groups++ & 0x3ff) === 0) throwIfAborted(ctx, 'aggregate_into_dict_and_apply');
      const pairs: [string, unknown][] = [];
      for (const entry of entries) {
        const result = func ? func(entry.value) : entry.value;
        if (result !== undefined) pairs.push([ctx.sources[entry.index]!.plateValue, result]);
      }
      // fromEntries defines own keys, so a plate value such as "__proto__" stays data.
      if (pairs.length > 0) yield { timestamp, value: Object.fromEntries(pairs) };
    }
  },
});
