import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { alignedSamples, randrange, rangeLength, seedParam } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'randrange',
  version: '1.0.0',
  kind: 'tool',
  description:
    'A random element of range(start, stop, step) per alignment timestamp; seeded per tool, reproducible per (seed, timestamp); needs an alignment stream',
  params: z
    .strictObject({
      start: z
        .number()
        .int()
        .describe('the first value; alone (no stop) it is the stop of range(0, start)'),
      stop: z.number().int().optional().describe('the end of the range (excluded)'),
      step: z
        .number()
        .int()
        .refine((x) => x !== 0, 'step must not be 0')
        .default(1)
        .describe('the step between values'),
      seed: seedParam(),
    })
    .refine(
      (p) =>
        (p.stop === undefined
          ? rangeLength(0, p.start, p.step)
          : rangeLength(p.start, p.stop, p.step)) > 0,
      { message: 'the range is empty: check start, stop and step', path: ['stop'] },
    ),
  execute: alignedSamples('randrange', (draw, p) =>
    p.stop === undefined
      ? randrange(draw, 0, p.start, p.step)
      : randrange(draw, p.start, p.stop, p.step),
  ),
});
