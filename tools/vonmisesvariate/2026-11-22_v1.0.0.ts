import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { alignedSamples, seedParam, vonmisesvariate } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'vonmisesvariate',
  version: '1.0.0',
  kind: 'tool',
  description:
    'A von Mises (circular) random angle in [0, 2π) per alignment timestamp; seeded per tool, reproducible per (seed, timestamp); needs an alignment stream',
  params: z.strictObject({
    mu: z.number().describe('the mean angle in radians'),
    kappa: z.number().min(0).describe('the concentration, ≥ 0 (0: uniform angle)'),
    seed: seedParam(),
  }),
  execute: alignedSamples('vonmisesvariate', (draw, p) => vonmisesvariate(draw, p.mu, p.kappa)),
});
