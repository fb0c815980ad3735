import { z } from 'zod';
import { defineTool, MIN_DATE } from 'hyperstream-ts';
import {
  clampedInterval,
  durationParam,
  firstTickAfter,
  requireSources,
  throwIfAborted,
  timeParam,
} from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'sliding_window',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Windows (first + k·increment + lower, first + k·increment + upper], k ≥ 0, each emitted at its end as { start, end }',
  params: z
    .strictObject({
      first: timeParam(
        'the anchor of the window grid, epoch ms or ISO 8601 (default: MIN_DATE)',
      ).default(MIN_DATE),
      lower: durationParam(
        'window start relative to its grid point, in milliseconds (HyperStream used seconds) or an ISO duration',
      ).default(-1000),
      upper: durationParam(
        'window end relative to its grid point, in milliseconds or an ISO duration',
      ).default(0),
      increment: durationParam(
        'distance between successive windows, in milliseconds or an ISO duration such as PT1H',
        {
          positive: true,
        },
      ).default(1000),
    })
    .refine((p) => p.lower < p.upper, { message: 'lower must be before upper', path: ['lower'] }),
  async *execute(ctx) {
    const { params, interval } = ctx;
    requireSources('sliding_window', ctx.sources, 0);
    const { first, lower, upper, increment } = params;
    const firstEnd = first + upper;
    let k = Math.max(0, firstTickAfter(firstEnd, increment, interval.start));
    for (
      let end = firstEnd + k * increment;
      end <= interval.end;
      end = firstEnd + ++k * increment
    ) {
      if ((k & 0xfff) === 0) throwIfAborted(ctx, 'sliding_window');
      yield { timestamp: end, value: clampedInterval(end - upper + lower, end).toJSON() };
    }
  },
});
