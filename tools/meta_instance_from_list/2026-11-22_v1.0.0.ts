import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';

const entry = z.union([
  z.string().min(1),
  z.strictObject({ value: z.string().min(1), label: z.string().optional() }),
]);

export default defineTool({
  name: 'meta_instance_from_list',
  version: '1.0.0',
  kind: 'plate-creation',
  description: 'The given list of plate values',
  params: z.strictObject({
    values: z
      .array(entry)
      .default([])
      .refine((values) => {
        const names = values.map((v) => (typeof v === 'string' ? v : v.value));
        return new Set(names).size === names.length;
      }, 'plate values must be distinct')
      .describe('the plate values to create: strings, or { value, label }'),
  }),
  async *execute(ctx) {
    for (const item of ctx.params.values) yield typeof item === 'string' ? { value: item } : item;
  },
});
