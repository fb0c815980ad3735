import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import {
  tagByIntervals,
  intervalMapping,
  intervalParam,
  requireSource,
} from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'splitter_time_aware',
  version: '1.0.0',
  kind: 'multi-output',
  description:
    'Copies the source documents inside each given time interval to that interval’s plate value ("1", "2", … for a list, or the keys of an object)',
  params: z.strictObject({
    intervals: z
      .union([z.array(intervalParam).min(1), z.record(z.string().min(1), intervalParam)])
      .describe(
        'a list of intervals (plate values "1", "2", …) or { plateValue: interval }; each an ISO interval string ("2016-04-28T20:00:00Z/PT1H") or { start, end } in epoch ms or ISO; (start, end] as everywhere',
      ),
  }),
  async *execute(ctx) {
    const tool = 'splitter_time_aware';
    yield* tagByIntervals(
      ctx,
      requireSource(ctx.source, tool),
      intervalMapping(ctx.params.intervals, tool),
      tool,
    );
  },
});
