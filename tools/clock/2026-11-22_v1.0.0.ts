import { z } from 'zod';
import { defineTool, MIN_DATE } from 'hyperstream-ts';
import {
  durationParam,
  firstTickAfter,
  requireSources,
  throwIfAborted,
  timeParam,
} from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'clock',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Ticks at first + k·stride (k ≥ 0) inside the interval; each value is the tick time in epoch ms',
  params: z.strictObject({
    first: timeParam('time of the first tick, epoch ms or ISO 8601 (default: MIN_DATE)').default(
      MIN_DATE,
    ),
    stride: durationParam(
      'time between ticks in milliseconds (HyperStream used seconds) or an ISO duration such as PT1H',
      {
        positive: true,
      },
    ).default(1000),
  }),
  async *execute(ctx) {
    const { params, interval, sources } = ctx;
    requireSources('clock', sources, 0);
    const { first, stride } = params;
    // The first tick after the (open) start, never before `first`.
    let k = Math.max(0, firstTickAfter(first, stride, interval.start));
    for (let tick = first + k * stride; tick <= interval.end; tick = first + ++k * stride) {
      if ((k & 0xfff) === 0) throwIfAborted(ctx, 'clock');
      yield { timestamp: tick, value: tick };
    }
  },
});
