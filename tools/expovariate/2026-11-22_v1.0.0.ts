import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { alignedSamples, expovariate, seedParam } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'expovariate',
  version: '1.0.0',
  kind: 'tool',
  description:
    'An exponential random number per alignment timestamp; seeded per tool, reproducible per (seed, timestamp); needs an alignment stream',
  params: z.strictObject({
    lambd: z
      .number()
      .refine((x) => x !== 0, 'lambd must not be 0')
      .default(1)
      .describe('the rate, 1 / mean (a negative rate gives negative values)'),
    seed: seedParam(),
  }),
  execute: alignedSamples('expovariate', (draw, p) => expovariate(draw, p.lambd)),
});
