import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { alignedSamples, gammavariate, seedParam } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'gammavariate',
  version: '1.0.0',
  kind: 'tool',
  description:
    'A gamma random number per alignment timestamp; seeded per tool, reproducible per (seed, timestamp); needs an alignment stream',
  params: z.strictObject({
    alpha: z.number().positive().describe('the shape, > 0'),
    beta: z.number().positive().describe('the scale, > 0 (mean alpha·beta)'),
    seed: seedParam(),
  }),
  execute: alignedSamples('gammavariate', (draw, p) => gammavariate(draw, p.alpha, p.beta)),
});
