import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { mergeByTimestamp, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'copy',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Re-emits every document of every source in time order; at a shared timestamp the last source wins',
  params: z.strictObject({}),
  async *execute(ctx) {
    const { sources } = ctx;
    if (sources.length === 1) {
      for await (const batch of sources[0]!.view.batches()) {
        throwIfAborted(ctx, 'copy');
        yield* batch;
      }
      return;
    }
    let groups = 0;
    for await (const { timestamp, entries } of mergeByTimestamp(
      sources.map((source) => source.view),
    )) {
      if ((++groups & 0xfff) === 0) throwIfAborted(ctx, 'copy');
      // Entries come in source order, so the last one is the last source's value.
      yield { timestamp, value: entries[entries.length - 1]!.value };
    }
  },
});
