import { z } from 'zod';

/**
 * Zod schema of what every stored workflow definition has: the envelope a store can check and
 * index. The nodes and factors are validated by the workflow codec when a definition is loaded.
 */
export const storedWorkflowSchema = z.looseObject({
  format: z.string().min(1),
  id: z.string().min(1),
  name: z.string(),
  description: z.string(),
  owner: z.string().optional(),
  online: z.boolean(),
  plates: z.array(z.unknown()),
  nodes: z.array(z.unknown()),
  factors: z.array(z.unknown()),
});

/** A workflow definition as a store sees it: plain JSON with a known envelope. */
export type StoredWorkflow = z.infer<typeof storedWorkflowSchema>;

/**
 * Where workflow definitions are persisted. It stores and returns plain JSON; full validation
 * happens when a definition is loaded into a workflow.
 */
export interface WorkflowStore {
  /** The stored definition, or undefined. */
  load(id: string): Promise<unknown>;
  /** Ids of every stored definition. */
  list(): Promise<string[]>;
  /** Inserts or replaces (HyperStream silently kept the old definition). */
  save(definition: StoredWorkflow): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Releases what the store holds (a database client it owns); optional. */
  close?(): Promise<void>;
}
