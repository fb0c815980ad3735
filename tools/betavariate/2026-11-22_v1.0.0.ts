import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { alignedSamples, betavariate, seedParam } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'betavariate',
  version: '1.0.0',
  kind: 'tool',
  description:
    'A beta random number in [0, 1] per alignment timestamp; seeded per tool, reproducible per (seed, timestamp); needs an alignment stream',
  params: z.strictObject({
    alpha: z.number().positive().describe('the first shape parameter, > 0'),
    beta: z.number().positive().describe('the second shape parameter, > 0'),
    seed: seedParam(),
  }),
  execute: alignedSamples('betavariate', (draw, p) => betavariate(draw, p.alpha, p.beta)),
});
