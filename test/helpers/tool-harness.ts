// Runs a tool directly (no workflow) on in-memory sources, for tool unit tests.
import { expect } from 'vitest';
import { MemoryChannel } from '../../src/channels/memory-channel.js';
import { collect } from '../../src/internal/async.js';
import type { MetaDataInput } from '../../src/streams/stream-id.js';
import { StreamId } from '../../src/streams/stream-id.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import { StreamView } from '../../src/channels/stream-view.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import type {
  AggregateSource,
  SourceWindow,
  ToolContext,
  ToolInstance,
  ToolKind,
  ToolOutput,
} from '../../src/tools/tool.js';
import { flattenOutputs } from '../../src/tools/tool.js';

const channel = new MemoryChannel('tool-harness');
let counter = 0;

/** Writes `instances` to a fresh memory stream and returns its id. */
export async function memoryStream(
  instances: readonly StreamInstance[],
  name = `source_${++counter}`,
  meta: MetaDataInput = [],
): Promise<StreamId> {
  const id = StreamId.of(name, meta);
  await channel.getOrCreateStream(id);
  await channel.writeInstances(id, instances);
  return id;
}

/** A source window over `interval` of a fresh stream holding `instances`. */
export async function source(
  instances: readonly StreamInstance[],
  interval: TimeInterval,
  meta: MetaDataInput = [],
): Promise<SourceWindow> {
  const id = await memoryStream(instances, undefined, meta);
  return { id, view: new StreamView(channel, id, interval) };
}

/** An aggregate source: a window plus the plate value it stands for. */
export async function aggregateSource(
  plateValue: string,
  instances: readonly StreamInstance[],
  interval: TimeInterval,
): Promise<AggregateSource> {
  return { ...(await source(instances, interval)), plateValue };
}

/** `(start, end]` shorthand. */
export function interval(start: number, end: number): TimeInterval {
  return new TimeInterval(start, end);
}

type HarnessContext<K extends ToolKind, P> = Omit<
  ToolContext<K, P>,
  'params' | 'signal' | 'sourceWindow'
>;

/**
 * Runs `tool.execute` with the given context fields (params, signal and, for plain tools,
 * `sourceWindow` over the same in-memory sources are filled in) and collects what it yields,
 * flattening batches.
 */
export async function runTool<K extends ToolKind, P>(
  tool: ToolInstance<K, P>,
  context: HarnessContext<K, P>,
): Promise<ToolOutput<K>[]> {
  const sources = (context as { sources?: readonly SourceWindow[] }).sources ?? [];
  const full = {
    ...context,
    params: tool.params,
    signal: new AbortController().signal,
    sourceWindow: (index: number, window: TimeInterval): Promise<StreamView> => {
      const chosen = sources[index];
      if (!chosen) return Promise.reject(new Error(`no source ${index}`));
      return Promise.resolve(new StreamView(channel, chosen.id, window));
    },
  } as unknown as ToolContext<K, P>;
  return await collect(flattenOutputs(tool.execute(full)));
}

/** The sink id used in contexts (only for messages). */
export const SINK = StreamId.of('sink');

/** Instances from `[timestamp, value]` pairs. */
export function docs(...pairs: [number, unknown][]): StreamInstance[] {
  return pairs.map(([timestamp, value]) => ({ timestamp, value }));
}

/**
 * Runs a plain tool over `iv`: one in-memory source per input (each over the tool's source
 * interval) and an optional alignment stream. Checks what the runner would: every output inside
 * `iv`, timestamps strictly increasing.
 */
export async function runPlain<P>(
  tool: ToolInstance<'tool', P>,
  iv: TimeInterval,
  inputs: readonly (readonly StreamInstance[])[],
  alignment?: readonly StreamInstance[],
): Promise<StreamInstance[]> {
  const sources = await Promise.all(inputs.map((input) => source(input, tool.sourceInterval(iv))));
  const out = await runTool(tool, {
    interval: iv,
    sources,
    alignment: alignment ? await source(alignment, iv) : undefined,
    sink: SINK,
  });
  for (let i = 0; i < out.length; i++) {
    expect(iv.contains(out[i]!.timestamp)).toBe(true);
    if (i > 0) expect(out[i]!.timestamp).toBeGreaterThan(out[i - 1]!.timestamp);
  }
  return out;
}
