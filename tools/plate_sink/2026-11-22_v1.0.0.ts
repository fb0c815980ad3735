import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';

export default defineTool({
  name: 'plate_sink',
  version: '1.0.0',
  kind: 'selector',
  description:
    'Emits nothing: a leaf that makes the runner compute all its sources on a plate (their windows are computed before execute)',
  params: z.strictObject({}),
  async *execute() {},
});
