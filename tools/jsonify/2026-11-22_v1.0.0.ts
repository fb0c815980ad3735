import { z } from 'zod';
import { defineTool, formatTimestamp } from 'hyperstream-ts';
import { canonicalJson, requireSources, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'jsonify',
  version: '1.0.0',
  kind: 'tool',
  description: 'Each document as the JSON string [ISO time, value], object keys sorted',
  params: z.strictObject({}),
  async *execute(ctx) {
    const { sources } = ctx;
    const [source] = requireSources('jsonify', sources, 1);
    for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'jsonify');
      for (const { timestamp, value } of batch) {
        yield { timestamp, value: canonicalJson([formatTimestamp(timestamp), value]) };
      }
    }
  },
});
