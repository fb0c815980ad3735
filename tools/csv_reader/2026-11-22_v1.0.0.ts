import { z } from 'zod';
import { defineTool, pathParam, ToolExecutionError } from 'hyperstream-ts';
import { csvOptionFields, readCsvInstances, throwIfAborted } from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'csv_reader',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Emits the rows of a CSV file inside the interval in time order: a dict per row (or a list without header), numbers parsed',
  params: z.strictObject({
    path: pathParam(
      'the CSV file; relative to the config file in a config (else to the working directory)',
    ),
    ...csvOptionFields,
  }),
  async *execute(ctx) {
    if (ctx.sources.length > 0) {
      throw new ToolExecutionError(
        `tool "csv_reader" reads a file and takes no source streams (${ctx.sources.length} given): remove them from the factor`,
        { tool: 'csv_reader', sink: ctx.sink.key },
      );
    }
    const { path, ...options } = ctx.params;
    const rows = await readCsvInstances('csv_reader', path, options, ctx.interval);
    for (const [i, row] of rows.entries()) {
      if ((i & 0xfff) === 0) throwIfAborted(ctx, 'csv_reader');
      yield row;
    }
  },
});
