import { z } from 'zod';
import { ToolExecutionError } from '../errors.js';
import type { StreamId } from '../streams/stream-id.js';
import type { SelectedInstance, ToolInstance } from '../tools/tool.js';
import type { FactorBase, FactorKind, FactorOptions, NodeRef } from './kind.js';
import {
  commonDefinition,
  commonOptions,
  factorDefinitionFields,
  nodeIdSchema,
  writeToSink,
} from './kind.js';
import type { Node } from './node.js';
import { checkDroppedKey } from './plate-checks.js';
import {
  sinkFactorDefinition,
  sinkFactorMembers,
  sinkFactorNodes,
  sinkFactorOptions,
} from './sink-factor.js';

/** A selector tool: a subset of the streams of one meta-data key → a sink without that key. */
export interface SelectorFactor extends FactorBase<'selector'> {
  readonly tool: ToolInstance<'selector'>;
  readonly sources: readonly Node[];
  readonly sink: Node;
  readonly selectorMetaKey: string;
}

/** `workflow.selectorFactor(…)`: pick some streams of one meta-data key. */
export interface SelectorFactorSpec extends FactorOptions {
  readonly tool: ToolInstance<'selector'>;
  readonly sources: readonly NodeRef[];
  readonly sink: NodeRef;
  /** The key selected on; inferred from the plates when omitted. */
  readonly selectorMetaKey?: string;
}

/** Zod schema of its entry in a workflow definition. */
export const selectorDefinitionSchema = z.strictObject({
  ...factorDefinitionFields,
  kind: z.literal('selector'),
  sources: z.array(nodeIdSchema).min(1),
  sink: nodeIdSchema,
  selectorMetaKey: z.string().min(1),
});

/** Selector factors: for every plate value of the sink, the tool copies documents of the source streams it selects. */
export const selectorKind: FactorKind<
  SelectorFactor,
  SelectorFactorSpec,
  z.infer<typeof selectorDefinitionSchema>
> = {
  name: 'selector',
  builderMethod: 'selectorFactor',
  definitionSchema: selectorDefinitionSchema,

  create(spec, build) {
    const { id, sources, sink } = sinkFactorNodes(spec, build);
    const selectorMetaKey = checkDroppedKey(id, 'selector', sources, sink, spec.selectorMetaKey);
    return {
      kind: 'selector',
      id,
      tool: spec.tool,
      sources,
      sink,
      selectorMetaKey,
      maxPieceSize: build.maxPieceSize(spec),
    };
  },

  encode(factor, tool) {
    return {
      ...commonDefinition(factor, tool),
      kind: 'selector',
      ...sinkFactorDefinition(factor),
      selectorMetaKey: factor.selectorMetaKey,
    };
  },

  decode(definition, tool) {
    return {
      ...commonOptions(definition),
      tool,
      ...sinkFactorOptions(definition),
      selectorMetaKey: definition.selectorMetaKey,
    };
  },

  ...sinkFactorMembers<SelectorFactor>(),

  inputsOf(factor, unit, interval, plates) {
    const window = factor.tool.sourceInterval(interval);
    return plates
      .under(factor.sources, factor.selectorMetaKey, unit)
      .map((member, index) => ({ role: 'source', index, window, ...member }));
  },

  async run(piece, factor, io) {
    const { tool, selectorMetaKey } = factor;
    const sources = piece.inputs.map((input) => io.input(input));
    const check = (item: SelectedInstance, sink: StreamId): void => {
      if (Number.isInteger(item?.sourceIndex) && sources[item.sourceIndex]) return;
      throw new ToolExecutionError(
        `tool ${tool.identity} selected source ${String(item?.sourceIndex)}, but there are ${sources.length} sources, computing "${sink.toString()}" over ${io.interval.toString()}`,
        { tool: tool.identity, sink: sink.key, interval: io.interval.toJSON() },
      );
    };
    return await writeToSink(
      piece,
      io,
      tool,
      factor.sink,
      (signal) =>
        tool.execute({
          params: tool.params,
          interval: io.interval,
          signal,
          sources,
          selectorMetaKey,
        }),
      check,
    );
  },
};
