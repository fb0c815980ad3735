import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { alignedSamples, seedParam, triangular } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'triangular',
  version: '1.0.0',
  kind: 'tool',
  description:
    'A triangular random number between low and high per alignment timestamp; seeded per tool, reproducible per (seed, timestamp); needs an alignment stream',
  params: z
    .strictObject({
      low: z.number().default(0).describe('the lower limit'),
      high: z.number().default(1).describe('the upper limit'),
      mode: z
        .number()
        .optional()
        .describe('the peak, between low and high (default: the midpoint)'),
      seed: seedParam(),
    })
    .refine(
      (p) =>
        p.mode === undefined ||
        (p.mode >= Math.min(p.low, p.high) && p.mode <= Math.max(p.low, p.high)),
      { message: 'mode must lie between low and high', path: ['mode'] },
    ),
  execute: alignedSamples('triangular', (draw, p) => triangular(draw, p.low, p.high, p.mode)),
});
