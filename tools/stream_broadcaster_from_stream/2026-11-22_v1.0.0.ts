import { z } from 'zod';
import type { StreamInstance } from 'hyperstream-ts';
import { ToolExecutionError, defineTool, functionParam } from 'hyperstream-ts';
import {
  describeValue,
  instancesOf,
  isRecord,
  latestSplittingValue,
  requireSource,
} from 'hyperstream-ts/toolkit';

type Summary = (
  instances: AsyncIterable<StreamInstance>,
) =>
  | StreamInstance
  | readonly StreamInstance[]
  | undefined
  | Promise<StreamInstance | readonly StreamInstance[] | undefined>;

const TOOL = 'stream_broadcaster_from_stream';

function isInstance(value: unknown): value is StreamInstance {
  return isRecord(value) && typeof value.timestamp === 'number' && 'value' in value;
}

export default defineTool({
  name: TOOL,
  version: '1.0.0',
  kind: 'multi-output',
  description:
    'Broadcasts the source documents (or what func makes of them) to the plate values named in the latest splitting document (its values, or its keys)',
  params: z.strictObject({
    func: functionParam<Summary>(
      'receives the source window as an async iterable of instances (copies) and returns an instance, a list of instances or undefined; default: broadcast every source document',
    ).optional(),
    useKeysNotValues: z
      .boolean()
      .default(false)
      .describe('take the plate values from the keys of the splitting dict instead of its values'),
  }),
  async *execute(ctx) {
    const source = requireSource(ctx.source, TOOL);
    const document = await latestSplittingValue(ctx.splitting, TOOL);
    let named: unknown[];
    if (Array.isArray(document)) named = document;
    else if (isRecord(document))
      named = ctx.params.useKeysNotValues ? Object.keys(document) : Object.values(document);
    else {
      throw new ToolExecutionError(
        `tool "${TOOL}": the splitting document must be a dict or a list of plate values, got ${describeValue(document)}`,
        { tool: TOOL },
      );
    }
    const allowed = new Set(ctx.outputPlateValues);
    const plateValues = [...new Set(named.map(String))]
      .filter((value) => allowed.has(value))
      .sort();
    const { func } = ctx.params;
    if (!func) {
      for await (const instance of instancesOf(source.view, ctx, TOOL)) {
        for (const plateValue of plateValues) yield { ...instance, plateValue };
      }
      return;
    }
    const copies = (async function* () {
      for await (const { timestamp, value } of instancesOf(source.view, ctx, TOOL)) {
        yield { timestamp, value: structuredClone(value) };
      }
    })();
    const result = await func(copies);
    if (result === undefined) return;
    const instances = isInstance(result)
      ? [result]
      : Array.isArray(result)
        ? [...(result as unknown[])]
        : undefined;
    if (!instances?.every(isInstance)) {
      throw new ToolExecutionError(
        `tool "${TOOL}": func must return an instance { timestamp, value }, a list of them or undefined, got ${describeValue(result)}`,
        { tool: TOOL },
      );
    }
    instances.sort((a, b) => a.timestamp - b.timestamp);
    for (const instance of instances) {
      for (const plateValue of plateValues)
        yield { timestamp: instance.timestamp, value: instance.value, plateValue };
    }
  },
});
