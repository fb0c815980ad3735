// The JSON codec of workflow definitions: plain data in and out, no I/O. Loading a definition into
// a workflow (creating its plates, resolving its tools) is `load-workflow.ts`.

import { z } from 'zod';
import { WorkflowDefinitionError } from '../errors.js';
import type { Factor } from '../kinds/index.js';
import { factorDefinitionSchema, kindOf } from '../kinds/index.js';
import type { Node } from '../kinds/node.js';
import type { Plate } from '../plates/plate.js';
import type { PlateConfig } from '../storage/plate-store.js';
import { plateConfigSchema } from '../storage/plate-store.js';
import type { ToolReference } from '../tools/tool.js';

/** The format tag of definitions written by this version. */
export const WORKFLOW_DEFINITION_FORMAT = 'hyperstream-ts/workflow@1';

/** Zod schema of a whole workflow definition. */
export const workflowDefinitionSchema = z.strictObject({
  format: z.literal(WORKFLOW_DEFINITION_FORMAT),
  id: z.string().min(1),
  name: z.string(),
  description: z.string(),
  owner: z.string().optional(),
  online: z.boolean(),
  plates: z.array(plateConfigSchema),
  nodes: z.array(
    z.strictObject({
      id: z.string().min(1),
      channel: z.string().min(1),
      plates: z.array(z.string().min(1)),
    }),
  ),
  factors: z.array(factorDefinitionSchema),
});

/** A workflow as plain JSON (what the workflow store keeps). */
export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;

/** What the codec reads of a workflow. */
export interface EncodableWorkflow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly owner: string | undefined;
  readonly online: boolean;
  readonly nodes: readonly Node[];
  readonly factors: readonly Factor[];
}

/** The definition of a workflow: tools by name, version and canonical parameters; never code. */
export function encodeWorkflow(workflow: EncodableWorkflow): WorkflowDefinition {
  const plates = new Map<string, PlateConfig>();
  const addPlate = (plate: Plate | undefined): void => {
    if (!plate || plates.has(plate.id)) return;
    addPlate(plate.parent);
    plates.set(plate.id, plate.toConfig());
  };
  const nodes = workflow.nodes.map((node) => {
    node.plates.forEach(addPlate);
    return { ...node.toDefinition(), plates: node.plates.map((plate) => plate.id) };
  });
  const factors = workflow.factors.map((factor) => {
    const kind = kindOf(factor);
    addPlate(kind.createdPlate(factor));
    return kind.encode(factor, toolJson(factor.tool, workflow.id, factor.id));
  }) as WorkflowDefinition['factors'];
  return {
    format: WORKFLOW_DEFINITION_FORMAT,
    id: workflow.id,
    name: workflow.name,
    description: workflow.description,
    ...(workflow.owner !== undefined ? { owner: workflow.owner } : {}),
    online: workflow.online,
    plates: [...plates.values()],
    nodes,
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
