import { WorkflowDefinitionError, WorkflowNotFoundError } from '../errors.js';
import type { Workflow } from './workflow.js';
import { MemoryWorkflowStore } from '../storage/memory/memory-workflow-store.js';
import type { WorkflowStore } from '../storage/workflow-store.js';

/** Rebuilds a workflow from stored JSON (the engine passes `Workflow.fromDefinition` with its environment). */
export type WorkflowLoader = (definition: unknown) => Promise<Workflow>;

/**
 * Holds workflows by id. `commit` writes a definition to the store (replacing an older one);
 * `load` rebuilds one from the store; `unload` forgets one in memory only; `delete` removes both.
 */
export class WorkflowManager {
  readonly #workflows = new Map<string, Workflow>();
  readonly #store: WorkflowStore;
  readonly #loader: WorkflowLoader;

  constructor(loader: WorkflowLoader, store: WorkflowStore = new MemoryWorkflowStore()) {
    this.#loader = loader;
    this.#store = store;
  }

  /** Registers a workflow; `WorkflowDefinitionError` when the id is taken. Commits it when asked. */
  async add(workflow: Workflow, options: { commit?: boolean } = {}): Promise<Workflow> {
    this.#register(workflow);
    if (options.commit) await this.commit(workflow.id);
    return workflow;
  }

  /** Registers without storing (what `engine.workflow()` uses while the builder runs). */
  register(workflow: Workflow): Workflow {
    this.#register(workflow);
    return workflow;
  }

  /** The workflow with that id; `WorkflowNotFoundError` listing the known ids otherwise. */
  get(id: string): Workflow {
    const workflow = this.#workflows.get(id);
    if (!workflow) {
      throw new WorkflowNotFoundError(
        `workflow "${id}" not found; known workflows: ${[...this.#workflows.keys()].join(', ') || '(none)'}` +
          ' (stored ones are loaded with load(id) or loadAll())',
        { workflow: id },
      );
    }
    return workflow;
  }

  has(id: string): boolean {
    return this.#workflows.has(id);
  }

  list(): Workflow[] {
    return [...this.#workflows.values()];
  }

  /** Writes the workflow's definition to the store. */
  async commit(id: string): Promise<void> {
    await this.#store.save(this.get(id).toDefinition());
  }

  async commitAll(): Promise<void> {
    for (const id of [...this.#workflows.keys()]) await this.commit(id);
  }

  /** Loads a stored workflow (the held one when it is already loaded). */
  async load(id: string): Promise<Workflow> {
    if (this.#workflows.has(id)) return this.get(id);
    const definition = await this.#store.load(id);
    if (definition === undefined) {
      throw new WorkflowNotFoundError(
        `workflow "${id}" is not in the workflow store: commit it first`,
        { workflow: id },
      );
    }
    const workflow = await this.#loader(definition);
    return this.register(workflow);
  }

  /** Loads every stored workflow not yet held. */
  async loadAll(): Promise<Workflow[]> {
    const loaded: Workflow[] = [];
    for (const id of await this.#store.list()) loaded.push(await this.load(id));
    return loaded;
  }

  /**
   * Forgets a workflow in memory and keeps its stored definition (HyperStream's T25): `load(id)`
   * rebuilds it later. Its data stay too. True when it was held.
   */
  unload(id: string): boolean {
    return this.#workflows.delete(id);
  }

  /** Forgets a workflow and deletes its stored definition; true when either existed. Data is kept (purge it first). */
  async delete(id: string): Promise<boolean> {
    const held = this.#workflows.delete(id);
    const stored = await this.#store.delete(id);
    return held || stored;
  }

  #register(workflow: Workflow): void {
    if (this.#workflows.has(workflow.id)) {
      throw new WorkflowDefinitionError(
        `workflow "${workflow.id}" already exists: get it with workflows.get("${workflow.id}") or delete it first`,
        { workflow: workflow.id },
      );
    }
    this.#workflows.set(workflow.id, workflow);
  }
}
