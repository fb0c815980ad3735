import { z } from 'zod';
import { defineTool, functionParam } from 'hyperstream-ts';
import type { Draw } from 'hyperstream-ts/toolkit';
import { alignedSamples, seedParam } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'custom',
  version: '1.0.0',
  kind: 'tool',
  description:
    'func(timestamp, random) per alignment timestamp, with random() a uniform [0, 1) draw seeded per (seed, timestamp); needs an alignment stream',
  params: z.strictObject({
    func: functionParam<(timestamp: number, random: Draw) => unknown>(
      'computes the value from the timestamp (epoch ms) and, if it needs randomness, the seeded uniform draw; undefined emits nothing',
    ),
    seed: seedParam(),
  }),
  execute: alignedSamples('custom', (draw, params, timestamp) => params.func(timestamp, draw)),
});
