import { z } from 'zod';
import {
  StreamView,
  TimeInterval,
  ToolExecutionError,
  defineTool,
  formatTimestamp,
} from 'hyperstream-ts';
import { describeValue, mergeByTimestamp, throwIfAborted } from 'hyperstream-ts/toolkit';

const TOOL = 'index_of_by_stream';

export default defineTool({
  name: TOOL,
  version: '1.0.0',
  kind: 'selector',
  description:
    'Like index_of, with the meta-data key read from the latest value (at or before the interval end) of the first source; the other sources are selected',
  params: z.strictObject({
    index: z
      .union([z.string().min(1), z.number()])
      .transform(String)
      .describe('the plate value to keep among sources 1…n'),
  }),
  async *execute(ctx) {
    const [selector, ...candidates] = ctx.sources;
    if (!selector) {
      throw new ToolExecutionError(
        `tool "${TOOL}" needs a first source holding the meta-data key to select on`,
        {
          tool: TOOL,
        },
      );
    }
    // The key is a setting that may have been written long before this interval (as HyperStream).
    const upToEnd = new StreamView(
      selector.view.channel,
      selector.id,
      TimeInterval.upTo(ctx.interval.end),
    );
    const key = (await upToEnd.last())?.value;
    if (typeof key !== 'string' || key === '') {
      throw new ToolExecutionError(
        `tool "${TOOL}": the latest value of "${selector.id.key}" at or before ${formatTimestamp(ctx.interval.end)} ` +
          `must be a meta-data key (a non-empty string), got ${key === undefined ? 'no document' : describeValue(key)}`,
        { tool: TOOL, selector: selector.id.key },
      );
    }
    const matching = candidates.flatMap((source, i) =>
      source.id.get(key) === ctx.params.index ? [i + 1] : [],
    );
    if (matching.length === 0) {
      throw new ToolExecutionError(`tool "${TOOL}": no source has ${key}=${ctx.params.index}`, {
        tool: TOOL,
        key,
        index: ctx.params.index,
      });
    }
    // Merged in time order, so the output is time-ordered as a whole, not only per sink.
    const views = matching.map((sourceIndex) => ctx.sources[sourceIndex]!.view);
    let groups = 0;
    for await (const { timestamp, entries } of mergeByTimestamp(views)) {
      if ((groups++ & 0x3ff) === 0) throwIfAborted(ctx, TOOL);
      for (const { index, value } of entries)
        yield { timestamp, value, sourceIndex: matching[index]! };
    }
  },
});
