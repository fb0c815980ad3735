import { z } from 'zod';
import { InvalidArgumentError, defineTool } from 'hyperstream-ts';
import { mergeByTimestamp, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'aligned_merge',
  version: '1.0.0',
  kind: 'tool',
  description:
    'At each timestamp present in every source, the list of their values (or an object keyed by names); other timestamps are dropped',
  params: z.strictObject({
    names: z
      .array(z.string())
      .optional()
      .describe(
        'one name per source: each value becomes { [names[i]]: value of source i } instead of a list',
      ),
  }),
  async *execute(ctx) {
    const { params, sources } = ctx;
    const { names } = params;
    if (sources.length === 0) return;
    if (names && names.length !== sources.length) {
      throw new InvalidArgumentError(
        `tool "aligned_merge" has ${names.length} names for ${sources.length} sources: give one name per source`,
        { tool: 'aligned_merge', names: names.length, sources: sources.length },
      );
    }
    let groups = 0;
    for await (const { timestamp, entries } of mergeByTimestamp(sources.map((s) => s.view))) {
      if ((++groups & 0xfff) === 0) throwIfAborted(ctx, 'aligned_merge');
      if (entries.length !== sources.length) continue;
      // Entries arrive in source order.
      if (names) {
        const value: Record<string, unknown> = {};
        for (const entry of entries) value[names[entry.index]!] = entry.value;
        yield { timestamp, value };
      } else {
        yield { timestamp, value: entries.map((entry) => entry.value) };
      }
    }
  },
});
