import type { StoredWorkflow, WorkflowStore } from '../workflow-store.js';

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

  save(definition: StoredWorkflow): Promise<void> {
    this.#definitions.set(definition.id, JSON.stringify(definition));
    return Promise.resolve();
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.#definitions.delete(id));
  }
}
