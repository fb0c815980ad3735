import { z } from 'zod';
import { WorkflowDefinitionError, isHyperstreamError } from '../errors.js';
import type { PlateConfig } from '../storage/plate-store.js';
import { plateConfigSchema } from '../storage/plate-store.js';
import type { ToolDefinition, ToolInstance, ToolKind, ToolReference } from '../tools/tool.js';
import type { NodeDefinition } from './node.js';
import type { FromDefinitionOptions, Workflow, WorkflowInfo } from './workflow.js';

const FORMAT = 'hyperstream-ts/workflow@1';

const toolRef = z.strictObject({
  name: z.string().min(1),
  version: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
});
const common = {
  id: z.string().min(1),
  tool: toolRef,
  maxPieceSize: z.number().int().positive().optional(),
};
const nodeId = z.string().min(1);

/** Zod schema of a factor in a definition. */
export const factorDefinitionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...common,
    kind: z.literal('tool'),
    sources: z.array(nodeId),
    sink: nodeId,
    alignment: nodeId.optional(),
  }),
  z.strictObject({
    ...common,
    kind: z.literal('multi-output'),
    source: nodeId.optional(),
    splitting: nodeId.optional(),
    sink: nodeId,
  }),
  z.strictObject({
    ...common,
    kind: z.literal('aggregate'),
    sources: z.array(nodeId).min(1),
    sink: nodeId,
    alignment: nodeId.optional(),
    aggregationMetaKey: z.string().min(1),
  }),
  z.strictObject({
    ...common,
    kind: z.literal('selector'),
    sources: z.array(nodeId).min(1),
    sink: nodeId,
    selectorMetaKey: z.string().min(1),
  }),
  z.strictObject({
    ...common,
    kind: z.literal('plate-creation'),
    source: nodeId.optional(),
    outputPlate: z.strictObject({
      id: z.string().min(1),
      metaKey: z.string().min(1),
      parentPlate: z.string().min(1).optional(),
      description: z.string().optional(),
    }),
    markerChannel: z.string().min(1),
  }),
]);

/** Zod schema of a whole workflow definition. */
export const workflowDefinitionSchema = z.strictObject({
  format: z.literal(FORMAT),
  id: z.string().min(1),
  name: z.string(),
  description: z.string(),
  owner: z.string().optional(),
  online: z.boolean(),
  plates: z.array(plateConfigSchema),
  nodes: z.array(
    z.strictObject({ id: nodeId, channel: z.string().min(1), plates: z.array(z.string().min(1)) }),
  ),
  factors: z.array(factorDefinitionSchema),
});

/** A workflow as plain JSON (what the workflow store keeps). */
export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;
/** A factor as plain JSON. */
export type FactorDefinition = z.infer<typeof factorDefinitionSchema>;

/** Builds the definition of a workflow (tools by name, version and canonical parameters; never code). */
export function workflowDefinitionOf(workflow: Workflow): WorkflowDefinition {
  const plates = new Map<string, PlateConfig>();
  const addPlate = (
    plate: { id: string; parent: unknown; toConfig(): PlateConfig } | undefined,
  ): void => {
    if (!plate || plates.has(plate.id)) return;
    addPlate(plate.parent as typeof plate | undefined);
    plates.set(plate.id, plate.toConfig());
  };
  const nodes: NodeDefinition[] = workflow.nodes.map((node) => {
    node.plates.forEach(addPlate);
    return node.toDefinition();
  });
  const factors = workflow.factors.map((factor): FactorDefinition => {
    const base = {
      id: factor.id,
      tool: toolJson(factor.tool, workflow.id, factor.id),
      ...(factor.maxPieceSize !== undefined ? { maxPieceSize: factor.maxPieceSize } : {}),
    };
    switch (factor.kind) {
      case 'tool':
        return {
          ...base,
          kind: 'tool',
          sources: factor.sources.map((n) => n.id),
          sink: factor.sink.id,
          ...(factor.alignment ? { alignment: factor.alignment.id } : {}),
        };
      case 'multi-output':
        return {
          ...base,
          kind: 'multi-output',
          ...(factor.source ? { source: factor.source.id } : {}),
          ...(factor.splitting ? { splitting: factor.splitting.id } : {}),
          sink: factor.sink.id,
        };
      case 'aggregate':
        return {
          ...base,
          kind: 'aggregate',
          sources: factor.sources.map((n) => n.id),
          sink: factor.sink.id,
          ...(factor.alignment ? { alignment: factor.alignment.id } : {}),
          aggregationMetaKey: factor.aggregationMetaKey,
        };
      case 'selector':
        return {
          ...base,
          kind: 'selector',
          sources: factor.sources.map((n) => n.id),
          sink: factor.sink.id,
          selectorMetaKey: factor.selectorMetaKey,
        };
      case 'plate-creation': {
        addPlate(factor.outputPlate);
        const plate = factor.outputPlate;
        return {
          ...base,
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
      }
    }
  });
  return {
    format: FORMAT,
    id: workflow.id,
    name: workflow.name,
    description: workflow.description,
    ...(workflow.owner !== undefined ? { owner: workflow.owner } : {}),
    online: workflow.online,
    plates: [...plates.values()].map((p) => ({
      ...p,
      filter:
        p.filter.kind === 'all'
          ? { kind: 'all' as const }
          : { kind: p.filter.kind, values: [...p.filter.values] },
    })),
    nodes: nodes.map((n) => ({ ...n, plates: [...n.plates] })),
    factors,
  };
}

function toolJson(
  tool: { toJSON(): ToolReference },
  workflowId: string,
  factorId: string,
): ToolReference {
  try {
    return tool.toJSON();
  } catch (error) {
    throw new WorkflowDefinitionError(
      `workflow "${workflowId}", factor "${factorId}": ${error instanceof Error ? error.message : String(error)}`,
      { workflow: workflowId, factor: factorId },
      error,
    );
  }
}

/** Validates a definition with zod; `WorkflowDefinitionError` naming each bad path. */
export function parseWorkflowDefinition(json: unknown): WorkflowDefinition {
  const result = workflowDefinitionSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map(
      (issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`,
    );
    throw new WorkflowDefinitionError(`invalid workflow definition: ${issues.join('; ')}`, {
      issues: result.error.issues,
    });
  }
  return result.data;
}

/** Rebuilds a workflow from JSON: plates (created when missing), nodes, then factors with their tools resolved. */
export async function buildWorkflow(
  json: unknown,
  options: FromDefinitionOptions,
  create: (id: string, info: WorkflowInfo) => Workflow,
): Promise<Workflow> {
  const definition = parseWorkflowDefinition(json);
  const { plates } = options.environment;
  const where = (path: string, run: () => unknown): unknown => {
    try {
      return run();
    } catch (error) {
      throw wrap(definition.id, path, error);
    }
  };
  const pending = [...definition.plates];
  for (let guard = 0; pending.length && guard <= definition.plates.length; guard++) {
    for (let i = 0; i < pending.length;) {
      const plate = pending[i]!;
      if (plate.parent === undefined || plates.hasPlate(plate.parent)) {
        try {
          await plates.createPlate({
            id: plate.id,
            metaKey: plate.metaKey,
            ...(plate.parent !== undefined ? { parent: plate.parent } : {}),
            ...(plate.filter.kind === 'include' ? { include: plate.filter.values } : {}),
            ...(plate.filter.kind === 'exclude' ? { exclude: plate.filter.values } : {}),
            ...(plate.description !== undefined ? { description: plate.description } : {}),
          });
        } catch (error) {
          throw wrap(definition.id, `plates.${definition.plates.indexOf(plate)}`, error);
        }
        pending.splice(i, 1);
      } else i++;
    }
  }
  if (pending.length) {
    throw new WorkflowDefinitionError(
      `invalid workflow definition "${definition.id}": plates ${pending.map((p) => p.id).join(', ')} have a parent plate that is neither defined nor known`,
    );
  }
  const workflow = create(definition.id, {
    name: definition.name,
    description: definition.description,
    ...(definition.owner !== undefined ? { owner: definition.owner } : {}),
    online: definition.online,
  });
  definition.nodes.forEach((node, i) =>
    where(`nodes.${i}`, () =>
      workflow.node(node.id, { channel: node.channel, plates: node.plates }),
    ),
  );
  for (const [i, factor] of definition.factors.entries()) {
    const path = `factors.${i}`;
    let tool: ToolDefinition;
    try {
      tool = await options.toolResolver.get(factor.tool.name, { version: factor.tool.version });
    } catch (error) {
      throw wrap(definition.id, `${path}.tool`, error);
    }
    if (tool.kind !== factor.kind) {
      throw new WorkflowDefinitionError(
        `invalid workflow definition "${definition.id}" at ${path}.kind: tool "${tool.name}" ${tool.version} has kind "${tool.kind}", not "${factor.kind}"`,
        { path: `${path}.kind` },
      );
    }
    const instance = where(`${path}.tool.params`, () =>
      tool.create(factor.tool.params),
    ) as ToolInstance;
    const opts = {
      id: factor.id,
      ...(factor.maxPieceSize !== undefined ? { maxPieceSize: factor.maxPieceSize } : {}),
    };
    if (factor.kind === 'plate-creation') {
      try {
        await workflow.plateCreationFactor({
          ...opts,
          tool: asKind(instance, 'plate-creation'),
          ...(factor.source !== undefined ? { source: factor.source } : {}),
          outputPlate: factor.outputPlate,
          markerChannel: factor.markerChannel,
        });
      } catch (error) {
        throw wrap(definition.id, path, error);
      }
      continue;
    }
    where(path, () => {
      switch (factor.kind) {
        case 'tool':
          return workflow.factor({
            ...opts,
            tool: asKind(instance, 'tool'),
            sources: factor.sources,
            sink: factor.sink,
            ...(factor.alignment !== undefined ? { alignment: factor.alignment } : {}),
          });
        case 'multi-output':
          return workflow.multiOutputFactor({
            ...opts,
            tool: asKind(instance, 'multi-output'),
            ...(factor.source !== undefined ? { source: factor.source } : {}),
            ...(factor.splitting !== undefined ? { splitting: factor.splitting } : {}),
            sink: factor.sink,
          });
        case 'aggregate':
          return workflow.aggregateFactor({
            ...opts,
            tool: asKind(instance, 'aggregate'),
            sources: factor.sources,
            sink: factor.sink,
            ...(factor.alignment !== undefined ? { alignment: factor.alignment } : {}),
            aggregationMetaKey: factor.aggregationMetaKey,
          });
        case 'selector':
          return workflow.selectorFactor({
            ...opts,
            tool: asKind(instance, 'selector'),
            sources: factor.sources,
            sink: factor.sink,
            selectorMetaKey: factor.selectorMetaKey,
          });
      }
    });
  }
  return workflow;
}

function asKind<K extends ToolKind>(instance: ToolInstance, _kind: K): ToolInstance<K> {
  // The caller compared the definition's kind with the factor's before creating the instance.
  return instance as unknown as ToolInstance<K>;
}

function wrap(workflowId: string, path: string, error: unknown): unknown {
  if (isHyperstreamError(error) && error.message.startsWith('invalid workflow definition'))
    return error;
  const message = error instanceof Error ? error.message : String(error);
  return new WorkflowDefinitionError(
    `invalid workflow definition "${workflowId}" at ${path}: ${message}`,
    { workflow: workflowId, path },
    error,
  );
}
