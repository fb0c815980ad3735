import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { alignedSamples, randint, seedParam } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'randint',
  version: '1.0.0',
  kind: 'tool',
  description:
    'A random integer in [a, b] per alignment timestamp; seeded per tool, reproducible per (seed, timestamp); needs an alignment stream',
  params: z
    .strictObject({
      a: z.number().int().describe('the smallest value'),
      b: z.number().int().describe('the largest value (included)'),
      seed: seedParam(),
    })
    .refine((p) => p.a <= p.b, { message: 'b must be at least a', path: ['b'] }),
  execute: alignedSamples('randint', (draw, p) => randint(draw, p.a, p.b)),
});
