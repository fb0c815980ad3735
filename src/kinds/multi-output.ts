import { z } from 'zod';
import { ToolExecutionError } from '../errors.js';
import type { Plate, PlateValue } from '../plates/plate.js';
import { formatPlateValue } from '../plates/plate.js';
import type { StreamId } from '../streams/stream-id.js';
import { TimeInterval } from '../time/time-interval.js';
import { MIN_DATE } from '../time/timestamp.js';
import type { TaggedInstance, ToolInstance } from '../tools/tool.js';
import type { FactorBase, FactorKind, FactorOptions, NodeRef, PlannedInput } from './kind.js';
import {
  commonDefinition,
  commonOptions,
  factorDefinitionFields,
  nodeIdSchema,
  nodeInput,
  openInput,
} from './kind.js';
import type { Node } from './node.js';
import { checkMultiOutputPlates } from './plate-checks.js';

/** A multi-output tool: one source → the sinks of a new output plate. */
export interface MultiOutputFactor extends FactorBase<'multi-output'> {
  readonly tool: ToolInstance<'multi-output'>;
  readonly source: Node | undefined;
  readonly splitting: Node | undefined;
  readonly sink: Node;
  /** The sink plate the tool splits onto (derived from the plates). */
  readonly outputPlate: Plate;
}

/** `workflow.multiOutputFactor(…)`: split one source onto a new plate. */
export interface MultiOutputFactorSpec extends FactorOptions {
  readonly tool: ToolInstance<'multi-output'>;
  readonly source?: NodeRef;
  readonly splitting?: NodeRef;
  readonly sink: NodeRef;
}

/** Zod schema of its entry in a workflow definition. */
export const multiOutputDefinitionSchema = z.strictObject({
  ...factorDefinitionFields,
  kind: z.literal('multi-output'),
  source: nodeIdSchema.optional(),
  splitting: nodeIdSchema.optional(),
  sink: nodeIdSchema,
});

/** The input's plate value without the output plate's key: the unit. */
function withoutKey(value: PlateValue, key: string): PlateValue {
  for (const [k] of value) if (k === key) return value.filter(([other]) => other !== key);
  return value;
}

/**
 * Multi-output factors: for every value of the source's plates, one run splits the source onto
 * the sink streams of the output plate's values under it (one sink stream each).
 */
export const multiOutputKind: FactorKind<
  MultiOutputFactor,
  MultiOutputFactorSpec,
  z.infer<typeof multiOutputDefinitionSchema>
> = {
  name: 'multi-output',
  builderMethod: 'multiOutputFactor',
  definitionSchema: multiOutputDefinitionSchema,

  create(spec, build) {
    const sink = build.node(spec.sink, 'sink');
    const source = spec.source === undefined ? undefined : build.node(spec.source, 'source');
    const splitting =
      spec.splitting === undefined ? undefined : build.node(spec.splitting, 'splitting');
    const id = build.factorId(spec.id, `${spec.tool.name}->${sink.id}`);
    const outputPlate = checkMultiOutputPlates(id, source, splitting, sink);
    return {
      kind: 'multi-output',
      id,
      tool: spec.tool,
      source,
      splitting,
      sink,
      outputPlate,
      maxPieceSize: build.maxPieceSize(spec),
    };
  },

  encode(factor, tool) {
    return {
      ...commonDefinition(factor, tool),
      kind: 'multi-output',
      ...(factor.source ? { source: factor.source.id } : {}),
      ...(factor.splitting ? { splitting: factor.splitting.id } : {}),
      sink: factor.sink.id,
    };
  },

  decode(definition, tool) {
    return {
      ...commonOptions(definition),
      tool,
      ...(definition.source !== undefined ? { source: definition.source } : {}),
      ...(definition.splitting !== undefined ? { splitting: definition.splitting } : {}),
      sink: definition.sink,
    };
  },

  inputs: (factor) => [
    ...(factor.source ? [factor.source] : []),
    ...(factor.splitting ? [factor.splitting] : []),
  ],
  sink: (factor) => factor.sink,
  extraPlates: () => [],
  createdPlate: () => undefined,
  bookkeeping: () => [],
  units: (factor, plates) =>
    [...plates.groups(factor.sink, factor.outputPlate.metaKey).values()].map((g) => g.parent),
  unitOf: (factor, value) => withoutKey(value, factor.outputPlate.metaKey),
  sinks: (factor, unit, plates) =>
    plates.members(factor.sink, factor.outputPlate.metaKey, unit).map((member) => ({
      channel: factor.sink.channelId,
      id: plates.streamId(factor.sink, member.value),
      keyValue: member.keyValue,
    })),

  inputsOf(factor, unit, interval) {
    const inputs: PlannedInput[] = [];
    if (factor.source) {
      inputs.push(
        nodeInput('source', 0, factor.source, unit, factor.tool.sourceInterval(interval)),
      );
    }
    if (factor.splitting) {
      // Computed over the piece only (from MIN_DATE could mean a clock since year 1); the window
      // still reaches back to MIN_DATE so a mapping written earlier is found.
      inputs.push({
        ...nodeInput(
          'splitting',
          0,
          factor.splitting,
          unit,
          new TimeInterval(MIN_DATE, interval.end),
        ),
        needs: interval,
      });
    }
    return inputs;
  },

  async run(piece, factor, io) {
    const { tool, sink, outputPlate } = factor;
    const source = openInput(piece, io, 'source');
    const splitting = openInput(piece, io, 'splitting');
    const byValue = new Map<string, StreamId>();
    for (const s of piece.sinks) byValue.set(s.keyValue!, io.stream(s.stream));
    const label = `${sink.id}[${formatPlateValue(piece.plateValue)}, ${outputPlate.metaKey}=*]`;
    const route = (item: TaggedInstance): StreamId => {
      const id = byValue.get(item?.plateValue);
      if (id) return id;
      throw new ToolExecutionError(
        `tool ${tool.identity} produced plate value "${String(item?.plateValue)}", which is not a value of plate ` +
          `"${outputPlate.id}" under ${formatPlateValue(piece.plateValue)} (expected one of ${[...byValue.keys()].join(', ') || '(none)'}), ` +
          `computing "${sink.id}" over ${io.interval.toString()}: add it to the meta-data tree or filter it out`,
        {
          tool: tool.identity,
          sink: sink.id,
          plateValue: item?.plateValue,
          interval: io.interval.toJSON(),
        },
      );
    };
    return await io.write({
      tool,
      label,
      channel: sink.channelId,
      sinks: [...byValue.values()],
      route,
      execute: (signal) =>
        tool.execute({
          params: tool.params,
          interval: io.interval,
          signal,
          source,
          splitting,
          outputMetaKey: outputPlate.metaKey,
          outputPlateValues: [...byValue.keys()],
        }),
    });
  },
};
