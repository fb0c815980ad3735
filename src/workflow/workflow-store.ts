import type { WorkflowDefinition } from './definition.js';

/**
 * Where workflow definitions are persisted (in memory by default; MongoDB later). It stores and
 * returns plain JSON; validation happens in `Workflow.fromDefinition` when one is loaded.
 */
export interface WorkflowStore {
  /** The stored definition, or undefined. */
  load(id: string): Promise<unknown>;
  /** Ids of every stored definition. */
  list(): Promise<string[]>;
  /** Inserts or replaces (HyperStream silently kept the old definition). */
  save(definition: WorkflowDefinition): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Releases what the store holds (a database client it owns); optional. */
  close?(): Promise<void>;
}

/** Workflow definitions in memory, as JSON text. */
export class MemoryWorkflowStore implements WorkflowStore {
  readonly #definitions = new Map<string, string>();

  load(id: string): Promise<unknown> {
    const text = this.#definitions.get(id);
    return Promise.resolve(text === undefined ? undefined : (JSON.parse(text) as unknown));
  }

  list(): Promise<string[]> {
    return Promise.resolve([...this.#definitions.keys()]);
  }

  save(definition: WorkflowDefinition): Promise<void> {
    this.#definitions.set(definition.id, JSON.stringify(definition));
    return Promise.resolve();
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.#definitions.delete(id));
  }
}
