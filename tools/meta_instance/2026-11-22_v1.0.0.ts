import { z } from 'zod';
import type { NewPlateValue, StreamInstance } from 'hyperstream-ts';
import { ToolExecutionError, defineTool, functionParam } from 'hyperstream-ts';
import { describeValue, instancesOf, isRecord, requireSource } from 'hyperstream-ts/toolkit';

const TOOL = 'meta_instance';

/** What func may return: a plate value, `{ value, label }`, or nothing. */
function toPlateValue(result: unknown): NewPlateValue | undefined {
  if (result === undefined || result === null) return undefined;
  if (typeof result === 'string' || typeof result === 'number' || typeof result === 'boolean') {
    return { value: String(result) };
  }
  if (isRecord(result) && typeof result.value === 'string') {
    return typeof result.label === 'string'
      ? { value: result.value, label: result.label }
      : { value: result.value };
  }
  throw new ToolExecutionError(
    `tool "${TOOL}": func must return a plate value (string), { value, label } or undefined, got ${describeValue(result)}`,
    { tool: TOOL },
  );
}

export default defineTool({
  name: TOOL,
  version: '1.0.0',
  kind: 'plate-creation',
  description:
    'One plate value func(instance) per source document (duplicates once, first label kept)',
  params: z.strictObject({
    func: functionParam<(instance: StreamInstance) => unknown>(
      'maps a source instance { timestamp, value } to a plate value (string), { value, label }, or undefined to skip it',
    ),
  }),
  async *execute(ctx) {
    const source = requireSource(ctx.source, TOOL);
    const seen = new Set<string>();
    for await (const instance of instancesOf(source.view, ctx, TOOL)) {
      const plateValue = toPlateValue(ctx.params.func(instance));
      if (!plateValue || seen.has(plateValue.value)) continue;
      seen.add(plateValue.value);
      yield plateValue;
    }
  },
});
