import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import {
  clampedInterval,
  durationParam,
  requireSources,
  throwIfAborted,
} from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'aligning_window',
  version: '1.0.0',
  kind: 'tool',
  description:
    'For each input time t, the window { start: t + lower, end: t + upper } (for sliding_apply/sliding_listify)',
  params: z
    .strictObject({
      lower: durationParam(
        'window start relative to each input time, in milliseconds (HyperStream used seconds) or an ISO duration such as -PT1M',
      ).default(-1000),
      upper: durationParam(
        'window end relative to each input time, in milliseconds or an ISO duration',
      ).default(0),
    })
    .refine((p) => p.lower < p.upper, { message: 'lower must be before upper', path: ['lower'] }),
  async *execute(ctx) {
    const { params } = ctx;
    const [source] = requireSources('aligning_window', ctx.sources, 1);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'aligning_window');
      for (const { timestamp } of batch) {
        yield {
          timestamp,
          value: clampedInterval(timestamp + params.lower, timestamp + params.upper).toJSON(),
        };
      }
    }
  },
});
