import { z } from 'zod';
import { defineTool, MIN_DATE, TimeInterval, valueAt } from 'hyperstream-ts';
import {
  BatchCollector,
  calendarDurationParam,
  clampedInterval,
  durationParam,
  firstStepAfter,
  requireSources,
  stepTick,
  throwIfAborted,
  timeParam,
  timeStep,
  timeZoneParam,
} from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'resample',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Aligns a stream to a clock: at each tick origin + k·stride, the last value at or before it (forward fill) or a linear interpolation',
  params: z
    .strictObject({
      stride: calendarDurationParam(
        'time between ticks in milliseconds or an ISO duration such as PT1M; months and years (P1M) are calendar units, and so are days and weeks with timeZone',
      ),
      timeZone: timeZoneParam(
        'time zone of calendar strides (P1D ticks at local midnight across DST); default UTC',
      ).optional(),
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
    const { origin, maxStaleness } = params;
    const step = timeStep(params.stride, params.timeZone);
    const at = (k: number): number =>
      step.kind === 'fixed' ? origin + k * step.ms : stepTick(origin, step, k);
    const staleness = maxStaleness ?? Infinity;
    let k = firstStepAfter(origin, step, interval.start);
    let tick = at(k);
    // The last value at or before the current position: its time and value (no object per instance).
    let previousTime = NaN;
    let previousValue: unknown;
    if (maxStaleness === undefined && interval.start > MIN_DATE) {
      // Unbounded forward fill: the last value before the interval, however old.
      const last = await (
        await ctx.sourceWindow(0, new TimeInterval(MIN_DATE, interval.start))
      ).last();
      if (last) {
        previousTime = last.timestamp;
        previousValue = last.value;
      }
    }
    const linear = params.method === 'linear';
    // Ticks are collected into column batches.
    const out = new BatchCollector();
    reading: for await (const batch of source!.view.columns()) {
      throwIfAborted(ctx, 'resample');
      const ts = batch.timestamps;
      const column = batch.values;
      for (let i = 0; i < ts.length; i++) {
        const itemTime = ts[i]!;
        const itemValue = valueAt(column, i);
        while (tick <= interval.end && tick < itemTime) {
          if (linear && itemTime - tick > staleness) {
            // The next value is too far for these ticks: skip to the first tick close enough to it.
            k = Math.max(k + 1, firstStepAfter(origin, step, itemTime - staleness - 1));
          } else if (previousTime !== previousTime || tick - previousTime > staleness) {
            // No usable earlier value: the next tick with one is at or after this item.
            k = linear ? k + 1 : Math.max(k + 1, firstStepAfter(origin, step, itemTime - 1));
          } else {
            if (!linear) {
              out.push(tick, previousValue);
            } else if (typeof previousValue === 'number' && typeof itemValue === 'number') {
              const fraction = (tick - previousTime) / (itemTime - previousTime);
              out.push(tick, previousValue + (itemValue - previousValue) * fraction);
            }
            k++;
          }
          tick = at(k);
        }
        if (tick > interval.end) break reading;
        if (tick === itemTime) {
          out.push(tick, itemValue);
          tick = at(++k);
        }
        previousTime = itemTime;
        previousValue = itemValue;
      }
      const full = out.full();
      if (full) yield full;
    }
    if (!linear && previousTime === previousTime) {
      // The source is exhausted: forward-fill the remaining ticks while the last value is fresh enough.
      for (; tick <= interval.end && tick - previousTime <= staleness; tick = at(++k)) {
        if ((k & 0xfff) === 0) throwIfAborted(ctx, 'resample');
        out.push(tick, previousValue);
        const full = out.full();
        if (full) yield full;
      }
    }
    const rest = out.take();
    if (rest) yield rest;
  },
});
