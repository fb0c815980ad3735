import { z } from 'zod';
import { defineTool, functionParam } from 'hyperstream-ts';
import { instancesOf, requireSource } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'stream_broadcaster',
  version: '1.0.0',
  kind: 'multi-output',
  description:
    'Copies every source document, after func(a copy of its value), to every value of the output plate',
  params: z.strictObject({
    func: functionParam<(value: unknown) => unknown>(
      'applied to a deep copy of each value before it is broadcast (default: the value itself); an undefined result broadcasts nothing',
    ).optional(),
  }),
  async *execute(ctx) {
    const source = requireSource(ctx.source, 'stream_broadcaster');
    const { func } = ctx.params;
    for await (const { timestamp, value } of instancesOf(source.view, ctx, 'stream_broadcaster')) {
      // A copy, so a func that mutates its argument cannot reach the source's stored value.
      const result = func ? func(structuredClone(value)) : value;
      if (result === undefined) continue;
      for (const plateValue of ctx.outputPlateValues)
        yield { timestamp, value: result, plateValue };
    }
  },
});
