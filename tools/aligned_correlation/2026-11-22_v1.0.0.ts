import { z } from 'zod';
import { defineTool } from 'hyperstream-ts';
import { mergeByTimestamp, requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'aligned_correlation',
  version: '1.0.0',
  kind: 'tool',
  description:
    'The ratio s0 / s1 at each timestamp where both sources hold numbers (no document where s1 is 0 or a value is missing)',
  params: z.strictObject({}),
  async *execute(ctx) {
    const sources = requireSources('aligned_correlation', ctx.sources, 2);
    let groups = 0;
    for await (const { timestamp, entries } of mergeByTimestamp(sources.map((s) => s.view))) {
      if ((++groups & 0xfff) === 0) throwIfAborted(ctx, 'aligned_correlation');
      if (entries.length !== 2) continue;
      const [a, b] = [entries[0]!.value, entries[1]!.value];
      if (typeof a === 'number' && typeof b === 'number' && b !== 0)
        yield { timestamp, value: a / b };
    }
  },
});
