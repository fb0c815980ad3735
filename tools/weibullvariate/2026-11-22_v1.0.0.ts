import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { alignedSamples, seedParam, weibullvariate } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'weibullvariate',
  version: '1.0.0',
  kind: 'tool',
  description:
    'A Weibull random number per alignment timestamp; seeded per tool, reproducible per (seed, timestamp); needs an alignment stream',
  params: z.strictObject({
    alpha: z.number().positive().describe('the scale, > 0'),
    beta: z.number().positive().describe('the shape, > 0'),
    seed: seedParam(),
  }),
  execute: alignedSamples('weibullvariate', (draw, p) => weibullvariate(draw, p.alpha, p.beta)),
});
