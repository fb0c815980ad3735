import { z } from 'zod';
import type { AggregateSource, ToolInstance } from '../tools/tool.js';
import type { FactorBase, FactorKind, NodeRef, PlannedInput } from './kind.js';
import {
  commonDefinition,
  commonOptions,
  factorDefinitionFields,
  nodeIdSchema,
  nodeInput,
  nodeSink,
  openInput,
  writeToSink,
} from './kind.js';
import type { Node } from './node.js';
import { checkDroppedKey, checkPlainPlates } from './plate-checks.js';
import type { FactorOptions } from './plain.js';

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
    const sink = build.node(spec.sink, 'sink');
    const sources = spec.sources.map((s, i) => build.node(s, `sources[${i}]`));
    const alignment =
      spec.alignment === undefined ? undefined : build.node(spec.alignment, 'alignment');
    const id = build.factorId(spec.id, `${spec.tool.name}->${sink.id}`);
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
      sources: factor.sources.map((n) => n.id),
      sink: factor.sink.id,
      ...(factor.alignment ? { alignment: factor.alignment.id } : {}),
      aggregationMetaKey: factor.aggregationMetaKey,
    };
  },

  decode(definition, tool) {
    return {
      ...commonOptions(definition),
      tool,
      sources: definition.sources,
      sink: definition.sink,
      ...(definition.alignment !== undefined ? { alignment: definition.alignment } : {}),
      aggregationMetaKey: definition.aggregationMetaKey,
    };
  },

  inputs: (factor) => [...factor.sources, ...(factor.alignment ? [factor.alignment] : [])],
  sink: (factor) => factor.sink,
  extraPlates: () => [],
  createdPlate: () => undefined,
  bookkeeping: () => [],
  units: (factor, plates) => plates.values(factor.sink),
  unitOf: (_factor, value) => value,
  sinks: (factor, unit, plates) => nodeSink(factor.sink, unit, plates),

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
