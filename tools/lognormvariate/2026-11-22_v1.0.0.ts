import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { alignedSamples, lognormvariate, seedParam } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'lognormvariate',
  version: '1.0.0',
  kind: 'tool',
  description:
    'A log-normal random number per alignment timestamp; seeded per tool, reproducible per (seed, timestamp); needs an alignment stream',
  params: z.strictObject({
    mu: z.number().default(0).describe('the mean of the underlying normal'),
    sigma: z.number().min(0).default(1).describe('the standard deviation of the underlying normal'),
    seed: seedParam(),
  }),
  execute: alignedSamples('lognormvariate', (draw, p) => lognormvariate(draw, p.mu, p.sigma)),
});
