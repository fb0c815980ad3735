import { z } from 'zod';
import { ToolExecutionError, defineTool } from 'hyperstream-ts';
import { mergeByTimestamp, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'index_of',
  version: '1.0.0',
  kind: 'selector',
  description:
    'Keeps the source streams whose selected meta-data key has the value `index` and copies their documents to the matching sinks',
  params: z.strictObject({
    index: z
      .union([z.string().min(1), z.number()])
      .transform(String)
      .describe('the plate value to keep, e.g. "Auckland" for the key city'),
  }),
  async *execute(ctx) {
    const key = ctx.selectorMetaKey;
    const matching = ctx.sources.flatMap((source, i) =>
      source.id.get(key) === ctx.params.index ? [i] : [],
    );
    if (matching.length === 0) {
      const known = [
        ...new Set(ctx.sources.map((source) => source.id.get(key)).filter((v) => v !== undefined)),
      ];
      throw new ToolExecutionError(
        `tool "index_of": no source has ${key}=${ctx.params.index}; values present: ${known.join(', ') || '(none)'}`,
        { tool: 'index_of', key, index: ctx.params.index },
      );
    }
    // Merged in time order, so the output is time-ordered as a whole, not only per sink.
    const views = matching.map((sourceIndex) => ctx.sources[sourceIndex]!.view);
    let groups = 0;
    for await (const { timestamp, entries } of mergeByTimestamp(views)) {
      if ((groups++ & 0x3ff) === 0) throwIfAborted(ctx, 'index_of');
      for (const { index, value } of entries)
        yield { timestamp, value, sourceIndex: matching[index]! };
    }
  },
});
