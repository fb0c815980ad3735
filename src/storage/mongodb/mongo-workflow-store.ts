import type { Db } from 'mongodb';
import { z } from 'zod';
import type { StoredWorkflow, WorkflowStore } from '../workflow-store.js';
import { storedWorkflowSchema } from '../workflow-store.js';
import type { MongoRecordStoreOptions } from './mongo-record-store.js';
import { MongoRecordStore, byId, zodProblem } from './mongo-record-store.js';

/**
 * One workflow definition. The definition is kept as its JSON text: tool parameters may hold any
 * keys (`$`-prefixed or dotted ones too), which BSON field names cannot all carry. Name, owner and
 * online flag are copied beside it, rewritten on every save, so they can be queried.
 */
export interface WorkflowDocument {
  readonly _id: string;
  readonly name: string;
  readonly owner?: string;
  readonly online: boolean;
  /** `JSON.stringify(workflow.toDefinition())`: what loading reads. */
  readonly definition: string;
  readonly updatedAt: Date;
}

const documentSchema = z.strictObject({
  _id: z.string().min(1),
  name: z.string(),
  owner: z.string().optional(),
  online: z.boolean(),
  definition: z.string(),
  updatedAt: z.date(),
});

/**
 * Workflow definitions in MongoDB (collection `workflow_definitions` by default), keyed by
 * workflow id.
 *
 * @remarks
 * Saving an existing id replaces its definition (HyperStream kept the old one and only warned).
 * Every definition's envelope is checked when read (nodes and factors when it is loaded): `list()` skips, and reports,
 * corrupt ones; `load(id)` of a corrupt one throws `StorageError` naming what is wrong.
 *
 * @example
 * const workflows = new MongoWorkflowStore(client.db('hyperstream'));
 * const engine = await Engine.create({ tools, stores: { workflows } });
 * const w = await engine.workflows.load('tutorial_05');
 */
export class MongoWorkflowStore
  extends MongoRecordStore<WorkflowDocument>
  implements WorkflowStore
{
  constructor(db: Db, options: MongoRecordStoreOptions = {}) {
    super(db, 'workflow_definitions', [], options);
  }

  async load(id: string): Promise<unknown> {
    await this.init();
    const raw = await this.guard(`load of workflow "${id}"`, { workflow: id }, () =>
      this.collection.findOne(byId<WorkflowDocument>(id)),
    );
    if (raw === null) return undefined;
    const result = parseDocument(raw);
    if (typeof result === 'string') throw this.corrupt(id, result);
    return result;
  }

  /** Ids of the valid stored definitions, in id order. */
  async list(): Promise<string[]> {
    await this.init();
    const raw = await this.guard('workflow listing', {}, () =>
      this.collection.find({}).sort({ _id: 1 }).toArray(),
    );
    const ids: string[] = [];
    for (const document of raw) {
      const result = parseDocument(document);
      if (typeof result === 'string') this.report(document._id, result);
      else ids.push(result.id);
    }
    return ids;
  }

  async save(definition: StoredWorkflow): Promise<void> {
    await this.put(
      {
        _id: definition.id,
        name: definition.name,
        ...(definition.owner !== undefined ? { owner: definition.owner } : {}),
        online: definition.online,
        definition: JSON.stringify(definition),
        updatedAt: new Date(),
      },
      `save of workflow "${definition.id}"`,
    );
  }

  async delete(id: string): Promise<boolean> {
    return await this.remove(id, `deletion of workflow "${id}"`);
  }
}

/** The definition in a document, or what is wrong with it. */
function parseDocument(raw: unknown): StoredWorkflow | string {
  const document = documentSchema.safeParse(raw);
  if (!document.success) return zodProblem(document.error);
  let json: unknown;
  try {
    json = JSON.parse(document.data.definition);
  } catch (error) {
    return `definition is not JSON: ${(error as Error).message}`;
  }
  const definition = storedWorkflowSchema.safeParse(json);
  if (!definition.success) return `definition: ${zodProblem(definition.error)}`;
  if (definition.data.id !== document.data._id) {
    return `definition has id "${definition.data.id}", not its _id`;
  }
  return definition.data;
}
