import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { alignedSamples, seedParam } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'random',
  version: '1.0.0',
  kind: 'tool',
  description:
    'A uniform random number in [0, 1) per alignment timestamp; seeded per tool, reproducible per (seed, timestamp); needs an alignment stream',
  params: z.strictObject({
    seed: seedParam(),
  }),
  execute: alignedSamples('random', (draw) => draw()),
});
