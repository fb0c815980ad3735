import { z } from 'zod';
import { ToolExecutionError, defineTool, formatTimestamp } from 'hyperstream-ts';
import { isRecord, mergeByTimestamp, throwIfAborted } from 'hyperstream-ts/toolkit';

/** The value with the aggregated plate value added under `key` (non-dict values are wrapped). */
function tagged(value: unknown, key: string, plateValue: string): Record<string, unknown> {
  return isRecord(value) ? { ...value, [key]: plateValue } : { value, [key]: plateValue };
}

export default defineTool({
  name: 'aggregate_plate',
  version: '1.0.0',
  kind: 'aggregate',
  description:
    'Merges the sources into one time-ordered stream, adding each source’s plate value to its (dict) values under the aggregated meta-data key',
  params: z.strictObject({
    asList: z
      .boolean()
      .default(false)
      .describe(
        'false: one tagged dict per instance, and two sources at one timestamp are an error; true: every value is the list of the tagged dicts at that timestamp',
      ),
  }),
  async *execute(ctx) {
    const key = ctx.aggregationMetaKey;
    let groups = 0;
    for await (const { timestamp, entries } of mergeByTimestamp(
      ctx.sources.map((source) => source.view),
    )) {
      if ((groups++ & 0x3ff) === 0) throwIfAborted(ctx, 'aggregate_plate');
      const values = entries.map((entry) =>
        tagged(entry.value, key, ctx.sources[entry.index]!.plateValue),
      );
      if (ctx.params.asList) {
        yield { timestamp, value: values };
      } else if (values.length > 1) {
        const plateValues = entries.map((entry) => ctx.sources[entry.index]!.plateValue);
        throw new ToolExecutionError(
          `tool "aggregate_plate": sources ${plateValues.map((v) => `${key}=${v}`).join(', ')} all have a value at ` +
            `${formatTimestamp(timestamp)} and the sink holds one value per time: set asList: true to get them as a list`,
          { tool: 'aggregate_plate', sink: ctx.sink.key, timestamp, plateValues },
        );
      } else {
        yield { timestamp, value: values[0] };
      }
    }
  },
});
