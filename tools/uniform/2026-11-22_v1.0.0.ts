import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { alignedSamples, seedParam, uniform } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'uniform',
  version: '1.0.0',
  kind: 'tool',
  description:
    'A uniform random number between a and b per alignment timestamp; seeded per tool, reproducible per (seed, timestamp); needs an alignment stream',
  params: z.strictObject({
    a: z.number().describe('one end of the range'),
    b: z.number().describe('the other end of the range'),
    seed: seedParam(),
  }),
  execute: alignedSamples('uniform', (draw, p) => uniform(draw, p.a, p.b)),
});
