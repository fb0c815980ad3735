import { z } from 'zod';
import { defineTool } from '../../src/index.js';
import { alignedSamples, paretovariate, seedParam } from '../../src/tools/random.js';

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
