import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';

export default defineTool({
  name: 'sink',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Emits nothing: a leaf whose sources the runner computes over the interval (pulls many nodes at once)',
  params: z.strictObject({}),
  // The runner computes every source over the interval before calling execute; nothing is left to do.
  async *execute() {},
});
