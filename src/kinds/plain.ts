import { z } from 'zod';
import type { ToolInstance } from '../tools/tool.js';
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
import { checkPlainPlates } from './plate-checks.js';
import {
  sinkFactorDefinition,
  sinkFactorMembers,
  sinkFactorNodes,
  sinkFactorOptions,
} from './sink-factor.js';

/** A plain tool: sources (+ alignment) → one sink per plate value. */
export interface PlainFactor extends FactorBase<'tool'> {
  readonly tool: ToolInstance<'tool'>;
  readonly sources: readonly Node[];
  readonly sink: Node;
  readonly alignment: Node | undefined;
}

/** `workflow.factor(…)`: a plain tool. */
export interface PlainFactorSpec extends FactorOptions {
  readonly tool: ToolInstance<'tool'>;
  readonly sources?: readonly NodeRef[];
  readonly sink: NodeRef;
  readonly alignment?: NodeRef;
}

/** Zod schema of its entry in a workflow definition. */
export const plainDefinitionSchema = z.strictObject({
  ...factorDefinitionFields,
  kind: z.literal('tool'),
  sources: z.array(nodeIdSchema),
  sink: nodeIdSchema,
  alignment: nodeIdSchema.optional(),
});

/** Plain factors: for every plate value of the sink, its sources' windows → its stream. */
export const plainKind: FactorKind<
  PlainFactor,
  PlainFactorSpec,
  z.infer<typeof plainDefinitionSchema>
> = {
  name: 'tool',
  builderMethod: 'factor',
  definitionSchema: plainDefinitionSchema,

  create(spec, build) {
    const { id, sources, sink, alignment } = sinkFactorNodes(spec, build);
    checkPlainPlates(id, sources, sink);
    if (alignment) checkPlainPlates(id, [alignment], sink, 'alignment');
    return {
      kind: 'tool',
      id,
      tool: spec.tool,
      sources,
      sink,
      alignment,
      maxPieceSize: build.maxPieceSize(spec),
    };
  },

  encode(factor, tool) {
    return {
      ...commonDefinition(factor, tool),
      kind: 'tool',
      ...sinkFactorDefinition(factor),
    };
  },

  decode(definition, tool) {
    return {
      ...commonOptions(definition),
      tool,
      ...sinkFactorOptions(definition),
    };
  },

  ...sinkFactorMembers<PlainFactor>(),

  inputsOf(factor, unit, interval) {
    const window = factor.tool.sourceInterval(interval);
    const inputs: PlannedInput[] = factor.sources.map((node, index) =>
      nodeInput('source', index, node, unit, window),
    );
    if (factor.alignment) inputs.push(nodeInput('alignment', 0, factor.alignment, unit, interval));
    return inputs;
  },

  async run(piece, factor, io) {
    const { tool } = factor;
    const inputs = piece.inputs.filter((input) => input.role === 'source');
    const sources = inputs.map((input) => io.input(input));
    const alignment = openInput(piece, io, 'alignment');
    return await writeToSink(piece, io, tool, factor.sink, (signal, sink) =>
      tool.execute({
        params: tool.params,
        interval: io.interval,
        signal,
        sources,
        alignment,
        sink,
        sourceWindow: async (index, window) => {
          const input = inputs[index];
          if (!input) {
            throw new RangeError(
              `sourceWindow(${index}): the factor has ${factor.sources.length} sources`,
            );
          }
          return await io.pull(input, window);
        },
      }),
    );
  },
};
