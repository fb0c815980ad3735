import { z } from 'zod';
import { ToolExecutionError, WorkflowDefinitionError } from '../errors.js';
import type { Plate } from '../plates/plate.js';
import { formatPlateValue } from '../plates/plate.js';
import type { NewPlateValue, ToolInstance } from '../tools/tool.js';
import { flattenOutputs } from '../tools/tool.js';
import type { FactorBase, FactorKind, FactorOptions, NodeRef, PlateDeclaration } from './kind.js';
import {
  commonDefinition,
  commonOptions,
  factorDefinitionFields,
  nodeIdSchema,
  nodeInput,
  openInput,
} from './kind.js';
import type { Node } from './node.js';
import { checkPlateCreationPlates } from './plate-checks.js';

/** A plate-creation tool: data → new meta-data under each parent plate value. */
export interface PlateCreationFactor extends FactorBase<'plate-creation'> {
  readonly tool: ToolInstance<'plate-creation'>;
  readonly source: Node | undefined;
  /** The plate whose values the tool creates. */
  readonly outputPlate: Plate;
  /**
   * Channel of the bookkeeping stream `_plates.<output plate id>` (one per parent value) whose
   * calculated intervals record which intervals have been scanned for new values.
   */
  readonly markerChannel: string;
}

/** `workflow.plateCreationFactor(…)`: create plate values from data. */
export interface PlateCreationFactorSpec extends FactorOptions {
  readonly tool: ToolInstance<'plate-creation'>;
  readonly source?: NodeRef;
  /** The plate to create (or reuse): its values are added under each value of `parentPlate`. */
  readonly outputPlate: PlateDeclaration;
  /** Channel for the bookkeeping of scanned intervals; default the environment's default channel. */
  readonly markerChannel?: string;
}

/** Zod schema of its entry in a workflow definition. */
export const plateCreationDefinitionSchema = z.strictObject({
  ...factorDefinitionFields,
  kind: z.literal('plate-creation'),
  source: nodeIdSchema.optional(),
  outputPlate: z.strictObject({
    id: z.string().min(1),
    metaKey: z.string().min(1),
    parentPlate: z.string().min(1).optional(),
    description: z.string().optional(),
  }),
  markerChannel: z.string().min(1),
});

/** The stream name of a plate-creation factor's bookkeeping stream. */
export function markerStreamName(factor: PlateCreationFactor): string {
  return `_plates.${factor.outputPlate.id}`;
}

/**
 * Plate-creation factors: for every value of the new plate's parent, the tool reads data and adds
 * new values of the plate's key under it. A bookkeeping stream per parent value records which
 * intervals were scanned.
 */
export const plateCreationKind: FactorKind<
  PlateCreationFactor,
  PlateCreationFactorSpec,
  z.infer<typeof plateCreationDefinitionSchema>
> = {
  name: 'plate-creation',
  builderMethod: 'plateCreationFactor',
  definitionSchema: plateCreationDefinitionSchema,

  async prepare(spec, build) {
    await build.declarePlate(spec.outputPlate);
    return spec;
  },

  create(spec, build) {
    const source = spec.source === undefined ? undefined : build.node(spec.source, 'source');
    const id = build.factorId(spec.id, `${spec.tool.name}->plate:${spec.outputPlate.id}`);
    const clash = build.creatorOf(spec.outputPlate.id);
    if (clash !== undefined) {
      throw new WorkflowDefinitionError(
        `plate "${spec.outputPlate.id}" is already created by factor "${clash}": one factor per output plate`,
        { workflow: build.workflowId, factor: id },
      );
    }
    const outputPlate = build.plate(spec.outputPlate.id);
    checkPlateCreationPlates(id, source, outputPlate);
    return {
      kind: 'plate-creation',
      id,
      tool: spec.tool,
      source,
      outputPlate,
      markerChannel: build.channel(spec.markerChannel),
      maxPieceSize: build.maxPieceSize(spec),
    };
  },

  encode(factor, tool) {
    const plate = factor.outputPlate;
    return {
      ...commonDefinition(factor, tool),
      kind: 'plate-creation',
      ...(factor.source ? { source: factor.source.id } : {}),
      outputPlate: {
        id: plate.id,
        metaKey: plate.metaKey,
        ...(plate.parent ? { parentPlate: plate.parent.id } : {}),
        ...(plate.description ? { description: plate.description } : {}),
      },
      markerChannel: factor.markerChannel,
    };
  },

  decode(definition, tool) {
    return {
      ...commonOptions(definition),
      tool,
      ...(definition.source !== undefined ? { source: definition.source } : {}),
      outputPlate: definition.outputPlate,
      markerChannel: definition.markerChannel,
    };
  },

  inputs: (factor) => (factor.source ? [factor.source] : []),
  sink: () => undefined,
  extraPlates: (factor) => (factor.outputPlate.parent ? [factor.outputPlate.parent] : []),
  createdPlate: (factor) => factor.outputPlate,
  bookkeeping: (factor) => [
    {
      channel: factor.markerChannel,
      name: markerStreamName(factor),
      label: `plate:${factor.outputPlate.id}`,
    },
  ],
  units: (factor) => (factor.outputPlate.parent ? factor.outputPlate.parent.values() : [[]]),
  unitOf: (_factor, value) => value,
  sinks: (factor, unit, plates) => [
    { channel: factor.markerChannel, id: plates.named(factor, markerStreamName(factor), unit) },
  ],

  inputsOf: (factor, unit, interval) =>
    factor.source
      ? [nodeInput('source', 0, factor.source, unit, factor.tool.sourceInterval(interval))]
      : [],

  async run(piece, factor, io) {
    const { tool, outputPlate } = factor;
    const source = openInput(piece, io, 'source');
    const label = `plate "${outputPlate.id}" under ${formatPlateValue(piece.plateValue)}`;
    const created = await io.run(tool, label, async (signal) => {
      const found: NewPlateValue[] = [];
      const context = {
        params: tool.params,
        interval: io.interval,
        signal,
        source,
        outputMetaKey: outputPlate.metaKey,
        parent: piece.plateValue,
      };
      for await (const item of flattenOutputs(tool.execute(context))) {
        if (typeof item?.value !== 'string' || item.value === '') {
          throw new ToolExecutionError(
            `tool ${tool.identity} produced plate value ${JSON.stringify(item?.value)} for ${label}: plate values are non-empty strings`,
            { tool: tool.identity, plate: outputPlate.id, interval: io.interval.toJSON() },
          );
        }
        found.push(item);
      }
      return found;
    });
    let added = 0;
    for (const item of created) {
      if (await io.addPlateValue(piece.plateValue, outputPlate.metaKey, item.value, item.label))
        added++;
    }
    return added;
  },
};
