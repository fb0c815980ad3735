import { z } from 'zod';
import { defineTool, makeBatch, MIN_DATE, numberColumn } from 'hyperstream-ts';
import {
  COLUMN_BATCH_ROWS,
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
    // The first tick after the (open) start, never before `first`; ticks go out as column batches.
    let k = Math.max(0, firstTickAfter(first, stride, interval.start));
    while (first + k * stride <= interval.end) {
      throwIfAborted(ctx, 'clock');
      const ticks = Math.max(
        1,
        Math.min(COLUMN_BATCH_ROWS, Math.floor((interval.end - first) / stride) - k + 1),
      );
      const times = new Float64Array(ticks);
      let n = 0;
      for (
        let tick = first + k * stride;
        n < ticks && tick <= interval.end;
        tick = first + ++k * stride
      )
        times[n++] = tick;
      if (n === 0) break;
      const batch = times.subarray(0, n);
      yield makeBatch(batch, numberColumn(batch.slice()));
    }
  },
});
