import { z } from 'zod';
import type { StreamInstance } from 'hyperstream-ts';
import { defineTool, MIN_DATE, TimeInterval } from 'hyperstream-ts';
import {
  clampedInterval,
  durationParam,
  firstTickAfter,
  requireSources,
  throwIfAborted,
  timeParam,
} from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'resample',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Aligns a stream to a clock: at each tick origin + k·stride, the last value at or before it (forward fill) or a linear interpolation',
  params: z
    .strictObject({
      stride: durationParam('time between ticks in milliseconds or an ISO duration such as PT1M', {
        positive: true,
      }),
      origin: timeParam(
        'ticks lie at origin + k·stride; epoch ms or ISO 8601 (default: the epoch)',
      ).default(0),
      method: z
        .enum(['previous', 'linear'])
        .default('previous')
        .describe(
          'previous: the last value at or before the tick; linear: interpolate between the neighbours of the tick (numbers only)',
        ),
      maxStaleness: durationParam(
        'previous: ticks more than this after the last value get nothing; linear: both neighbours must lie within this of the tick (required). ' +
          'Milliseconds or an ISO duration. Without it, previous reads the whole history before the interval to find the last value',
      ).optional(),
    })
    .refine((p) => p.method !== 'linear' || p.maxStaleness !== undefined, {
      message: 'linear interpolation needs maxStaleness (how far to look for the next value)',
      path: ['maxStaleness'],
    })
    .refine((p) => p.maxStaleness === undefined || p.maxStaleness >= 0, {
      message: 'maxStaleness must not be negative',
      path: ['maxStaleness'],
    }),
  sourceInterval: (interval, params) =>
    params.maxStaleness === undefined
      ? interval
      : clampedInterval(
          interval.start - params.maxStaleness,
          interval.end + (params.method === 'linear' ? params.maxStaleness : 0),
        ),
  async *execute(ctx) {
    const { params, interval } = ctx;
    const [source] = requireSources('resample', ctx.sources, 1);
    const { stride, origin, maxStaleness } = params;
    const staleness = maxStaleness ?? Infinity;
    let k = firstTickAfter(origin, stride, interval.start);
    let tick = origin + k * stride;
    let previous: StreamInstance | undefined;
    if (maxStaleness === undefined && interval.start > MIN_DATE) {
      // Unbounded forward fill: the last value before the interval, however old.
      previous = await (
        await ctx.sourceWindow(0, new TimeInterval(MIN_DATE, interval.start))
      ).last();
    }
    const linear = params.method === 'linear';
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'resample');
      for (const item of batch) {
        while (tick <= interval.end && tick < item.timestamp) {
          if (linear && item.timestamp - tick > staleness) {
            // The next value is too far for these ticks: skip to the first tick close enough to it.
            k = Math.max(k + 1, firstTickAfter(origin, stride, item.timestamp - staleness - 1));
          } else if (!previous || tick - previous.timestamp > staleness) {
            // No usable earlier value: the next tick with one is at or after this item.
            k = linear
              ? k + 1
              : Math.max(k + 1, firstTickAfter(origin, stride, item.timestamp - 1));
          } else {
            if (!linear) {
              yield { timestamp: tick, value: previous.value };
            } else if (typeof previous.value === 'number' && typeof item.value === 'number') {
              const fraction = (tick - previous.timestamp) / (item.timestamp - previous.timestamp);
              yield {
                timestamp: tick,
                value: previous.value + (item.value - previous.value) * fraction,
              };
            }
            k++;
          }
          tick = origin + k * stride;
        }
        if (tick > interval.end) return;
        if (tick === item.timestamp) {
          yield { timestamp: tick, value: item.value };
          tick = origin + ++k * stride;
        }
        previous = item;
      }
    }
    if (linear || !previous) return;
    // The source is exhausted: forward-fill the remaining ticks while the last value is fresh enough.
    for (
      ;
      tick <= interval.end && tick - previous.timestamp <= staleness;
      tick = origin + ++k * stride
    ) {
      if ((k & 0xfff) === 0) throwIfAborted(ctx, 'resample');
      yield { timestamp: tick, value: previous.value };
    }
  },
});
