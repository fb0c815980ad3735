import { z } from 'zod';
import type { AggregateSource, ToolInstance } from '../tools/tool.js';
import type { FactorBase, FactorKind, FactorOptions, NodeRef, PlannedInput } from './kind.js';
import {
  commonDefinition,
  commonOptions,
  factorDefinitionFields,
  nodeIdSchema,
  nodeInput,
  openInput,
  writeToSink,
} from './kind.js';
import type { Node } from './node.js';
import { checkDroppedKey, checkPlainPlates } from './plate-checks.js';
import {
  sinkFactorDefinition,
  sinkFactorMembers,
  sinkFactorNodes,
  sinkFactorOptions,
} from './sink-factor.js';

/** An aggregate tool: the streams of one meta-data key → a sink on the parent plates. */
export interface AggregateFactor extends FactorBase<'aggregate'> {
  readonly tool: ToolInstance<'aggregate'>;
  readonly sources: readonly Node[];
  readonly sink: Node;
  readonly alignment: Node | undefined;
  readonly aggregationMetaKey: string;
}

/** `workflow.aggregateFactor(…)`: aggregate the streams of one meta-data key. */
export interface AggregateFactorSpec extends FactorOptions {
  readonly tool: ToolInstance<'aggregate'>;
  readonly sources: readonly NodeRef[];
  readonly sink: NodeRef;
  readonly alignment?: NodeRef;
  /** The key aggregated away, e.g. `city`; inferred from the plates when omitted. */
  readonly aggregationMetaKey?: string;
}

/** Zod schema of its entry in a workflow definition. */
export const aggregateDefinitionSchema = z.strictObject({
  ...factorDefinitionFields,
  kind: z.literal('aggregate'),
  sources: z.array(nodeIdSchema).min(1),
  sink: nodeIdSchema,
  alignment: nodeIdSchema.optional(),
  aggregationMetaKey: z.string().min(1),
});

/** Aggregate factors: for every plate value of the sink, the source streams under it (one per value of the key) → its stream. */
export const aggregateKind: FactorKind<
  AggregateFactor,
  AggregateFactorSpec,
  z.infer<typeof aggregateDefinitionSchema>
> = {
  name: 'aggregate',
  builderMethod: 'aggregateFactor',
  definitionSchema: aggregateDefinitionSchema,

  create(spec, build) {
    const { id, sources, sink, alignment } = sinkFactorNodes(spec, build);
    const aggregationMetaKey = checkDroppedKey(
      id,
      'aggregate',
      sources,
      sink,
      spec.aggregationMetaKey,
    );
    if (alignment) checkPlainPlates(id, [alignment], sink, 'alignment');
    return {
      kind: 'aggregate',
      id,
      tool: spec.tool,
      sources,
      sink,
      alignment,
      aggregationMetaKey,
      maxPieceSize: build.maxPieceSize(spec),
    };
  },

  encode(factor, tool) {
    return {
      ...commonDefinition(factor, tool),
      kind: 'aggregate',
      ...sinkFactorDefinition(factor),
      aggregationMetaKey: factor.aggregationMetaKey,
    };
  },

  decode(definition, tool) {
    return {
      ...commonOptions(definition),
      tool,
      ...sinkFactorOptions(definition),
      aggregationMetaKey: definition.aggregationMetaKey,
    };
  },

  ...sinkFactorMembers<AggregateFactor>(),

  inputsOf(factor, unit, interval, plates) {
    const window = factor.tool.sourceInterval(interval);
    const inputs: PlannedInput[] = plates
      .under(factor.sources, factor.aggregationMetaKey, unit)
      .map((member, index) => ({ role: 'source', index, window, ...member }));
    if (factor.alignment) inputs.push(nodeInput('alignment', 0, factor.alignment, unit, interval));
    return inputs;
  },

  async run(piece, factor, io) {
    const { tool, aggregationMetaKey } = factor;
    const sources: AggregateSource[] = piece.inputs
      .filter((input) => input.role === 'source')
      .map((input) => ({ ...io.input(input), plateValue: input.keyValue! }));
    const alignment = openInput(piece, io, 'alignment');
    return await writeToSink(piece, io, tool, factor.sink, (signal, sink) =>
      tool.execute({
        params: tool.params,
        interval: io.interval,
        signal,
        sources,
        alignment,
        aggregationMetaKey,
        sink,
      }),
    );
  },
};
