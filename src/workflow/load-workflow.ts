import { WorkflowDefinitionError, isHyperstreamError } from '../errors.js';
import { factorKindNamed } from '../kinds/index.js';
import type { FactorBase, FactorKind } from '../kinds/kind.js';
import type { PlateManager } from '../plates/plate-manager.js';
import type { ToolDefinition, ToolInstance } from '../tools/tool.js';
import type { FunctionResolver } from '../tools/functions.js';
import type { ToolSource } from '../tools/tool-source.js';
import { parseWorkflowDefinition } from './definition.js';
import type { WorkflowInfo } from './workflow-info.js';

/** What loading a definition builds into: a workflow's builder. */
export interface WorkflowBuilder {
  node(
    id: string,
    options: { readonly channel?: string; readonly plates?: readonly string[] },
  ): unknown;
  addFactor<F extends FactorBase, S, D>(kind: FactorKind<F, S, D>, spec: S): Promise<F>;
}

/** What loading a definition needs: the plates to declare, where tools and functions come from. */
export interface LoadWorkflowOptions {
  readonly plates: PlateManager;
  readonly toolResolver: Pick<ToolSource, 'get'>;
  /** Where `{ fn: name }` parameters resolve (default: the built-ins). */
  readonly functions?: FunctionResolver | undefined;
}

/**
 * Rebuilds a workflow from JSON: validates it (`WorkflowDefinitionError` naming the path), applies
 * its plate declarations (creating plates that do not exist, checking the ones that do), then
 * builds its nodes and factors with the tools resolved by name and version.
 */
export async function loadWorkflow<W extends WorkflowBuilder>(
  json: unknown,
  options: LoadWorkflowOptions,
  create: (id: string, info: WorkflowInfo) => W,
): Promise<W> {
  const definition = parseWorkflowDefinition(json);
  const { plates } = options;
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
      tool.create(factor.tool.params, { functions: options.functions }),
    ) as ToolInstance;
    // The schema admits only registered kinds, and the tool's kind was just checked against it.
    const kind = factorKindNamed(factor.kind)!;
    try {
      await workflow.addFactor(kind, kind.decode(factor, instance));
    } catch (error) {
      throw wrap(definition.id, path, error);
    }
  }
  return workflow;
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
