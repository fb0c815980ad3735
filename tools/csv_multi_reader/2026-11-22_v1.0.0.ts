import { z } from 'zod';
import type { TaggedInstance } from 'hyperstream-ts';
import { defineTool, pathParam, ToolExecutionError } from 'hyperstream-ts';
import { csvOptionFields, readCsvInstances, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'csv_multi_reader',
  version: '1.0.0',
  kind: 'multi-output',
  description:
    'For each output plate value, reads the CSV file named by filenameTemplate with {} replaced by the value, and emits its rows inside the interval to that plate value',
  params: z.strictObject({
    filenameTemplate: pathParam(
      'path of each file, with {} standing for the plate value, e.g. "data/{}.csv"; relative to the config file in a config (else to the working directory)',
      z
        .string()
        .refine(
          (text) => text.includes('{}'),
          'the template must contain {} where the plate value goes',
        ),
    ),
    ...csvOptionFields,
  }),
  async *execute(ctx) {
    if (ctx.source) {
      throw new ToolExecutionError(
        'tool "csv_multi_reader" reads files and takes no source: remove the source node',
        {
          tool: 'csv_multi_reader',
        },
      );
    }
    const { filenameTemplate, ...options } = ctx.params;
    const rows: TaggedInstance[] = [];
    for (const plateValue of ctx.outputPlateValues) {
      throwIfAborted(ctx, 'csv_multi_reader');
      const path = filenameTemplate.replaceAll('{}', plateValue);
      for (const { timestamp, value } of await readCsvInstances(
        'csv_multi_reader',
        path,
        options,
        ctx.interval,
      )) {
        rows.push({ timestamp, value, plateValue });
      }
    }
    // In time order across the files (a stable sort keeps the plate values' order at one time).
    yield* rows.sort((a, b) => a.timestamp - b.timestamp);
  },
});
