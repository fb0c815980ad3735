import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { alignedSamples, paretovariate, seedParam } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'paretovariate',
  version: '1.0.0',
  kind: 'tool',
  description:
    'A Pareto random number (≥ 1) per alignment timestamp; seeded per tool, reproducible per (seed, timestamp); needs an alignment stream',
  params: z.strictObject({
    alpha: z.number().positive().describe('the shape, > 0'),
    seed: seedParam(),
  }),
  execute: alignedSamples('paretovariate', (draw, p) => paretovariate(draw, p.alpha)),
});
