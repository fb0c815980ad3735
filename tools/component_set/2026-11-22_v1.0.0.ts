import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'component_set',
  version: '1.0.0',
  kind: 'tool',
  description: 'Each object value restricted to the given keys (keys it lacks are left out)',
  params: z.strictObject({
    keys: z.array(z.string()).describe('the keys to keep, e.g. ["x", "y"]'),
  }),
  async *execute(ctx) {
    const { params, sources } = ctx;
    const [source] = requireSources('component_set', sources, 1);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'component_set');
      for (const { timestamp, value } of batch) {
        if (value === null || typeof value !== 'object') continue;
        const out: Record<string, unknown> = {};
        for (const key of params.keys) {
          if (Object.hasOwn(value, key)) out[key] = (value as Record<string, unknown>)[key];
        }
        yield { timestamp, value: out };
      }
    }
  },
});
