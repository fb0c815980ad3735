import { z } from 'zod';
import { defineTool, InvalidArgumentError } from 'hyperstream-ts';
import {
  clampedInterval,
  durationParam,
  requireSources,
  throwIfAborted,
  WindowBuffer,
} from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'relative_window',
  version: '1.0.0',
  kind: 'tool',
  description:
    'At each alignment time t, the list of source values in (t + relativeStart, t + relativeEnd] (an empty list when there are none)',
  params: z
    .strictObject({
      relativeStart: durationParam(
        'window start relative to each alignment time, in milliseconds or an ISO duration such as -PT1H',
      ),
      relativeEnd: durationParam(
        'window end relative to each alignment time, in milliseconds or an ISO duration',
      ).default(0),
      valuesOnly: z
        .boolean()
        .default(true)
        .describe('list the values; when false, list the instances { timestamp, value }'),
    })
    .refine((p) => p.relativeStart < p.relativeEnd, {
      message: 'relativeStart must be before relativeEnd',
      path: ['relativeStart'],
    }),
  sourceInterval: (interval, params) =>
    clampedInterval(interval.start + params.relativeStart, interval.end + params.relativeEnd),
  async *execute(ctx) {
    const { params, alignment } = ctx;
    const [source] = requireSources('relative_window', ctx.sources, 1);
    if (!alignment) {
      throw new InvalidArgumentError(
        'tool "relative_window" needs an alignment stream: give its factor an alignment node (e.g. a clock)',
        { tool: 'relative_window' },
      );
    }
    // Alignment times increase, so the windows move forward and one pass over the source serves them all.
    const buffer = new WindowBuffer(source!.view.batches(), source!.view.interval);
    try {
      for await (const batch of alignment.view.batches()) {
        throwIfAborted(ctx, 'relative_window');
        for (const { timestamp } of batch) {
          const items = await buffer.read(
            clampedInterval(timestamp + params.relativeStart, timestamp + params.relativeEnd),
          );
          yield {
            timestamp,
            value: params.valuesOnly
              ? items.map((item) => item.value)
              : items.map(({ timestamp: t, value }) => ({ timestamp: t, value })),
          };
        }
      }
    } finally {
      await buffer.close();
    }
  },
});
