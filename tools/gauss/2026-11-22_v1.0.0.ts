import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { alignedSamples, gauss, seedParam } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'gauss',
  version: '1.0.0',
  kind: 'tool',
  description:
    'A normal random number (Box–Muller) per alignment timestamp; seeded per tool, reproducible per (seed, timestamp); needs an alignment stream',
  params: z.strictObject({
    mu: z.number().default(0).describe('the mean'),
    sigma: z.number().min(0).default(1).describe('the standard deviation'),
    seed: seedParam(),
  }),
  execute: alignedSamples('gauss', (draw, p) => gauss(draw, p.mu, p.sigma)),
});
