import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import {
  tagByIntervals,
  intervalMapping,
  latestSplittingValue,
  requireSource,
} from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'splitter_time_aware_from_stream',
  version: '1.0.0',
  kind: 'multi-output',
  description:
    'Like splitter_time_aware, with the intervals taken from the latest splitting document at or before the interval end',
  params: z.strictObject({}),
  async *execute(ctx) {
    const tool = 'splitter_time_aware_from_stream';
    const source = requireSource(ctx.source, tool);
    const intervals = intervalMapping(await latestSplittingValue(ctx.splitting, tool), tool);
    yield* tagByIntervals(ctx, source, intervals, tool);
  },
});
