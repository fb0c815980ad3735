import { WorkflowDefinitionError } from '../errors.js';
import type { Factor } from '../kinds/index.js';
import { kindOf } from '../kinds/index.js';
import type { NodeRef } from '../kinds/kind.js';
import type { Node } from '../kinds/node.js';

/**
 * A workflow's graph as of one moment: nodes, factors, which factor produces each node, the
 * factors each one waits for, and a topological order. Immutable: the builder makes a new one
 * when the workflow changes; planning works on one graph from start to end.
 */
export class WorkflowGraph {
  readonly id: string;
  /** Nodes in declaration order. */
  readonly nodes: readonly Node[];
  /** Factors in definition order. */
  readonly factors: readonly Factor[];
  /** Factors upstream first (ties in definition order); HyperStream ran them in reverse definition order. */
  readonly order: readonly Factor[];
  readonly #nodes: ReadonlyMap<string, Node>;
  readonly #producers: ReadonlyMap<string, Factor>;
  readonly #dependencies: ReadonlyMap<Factor, readonly Factor[]>;

  constructor(id: string, nodes: readonly Node[], factors: readonly Factor[]) {
    this.id = id;
    this.nodes = Object.freeze([...nodes]);
    this.factors = Object.freeze([...factors]);
    this.#nodes = new Map(nodes.map((node) => [node.id, node]));
    const producers = new Map<string, Factor>();
    for (const factor of factors) {
      const sink = kindOf(factor).sink(factor);
      if (sink) producers.set(sink.id, factor);
    }
    this.#producers = producers;
    const dependencies = new Map<Factor, readonly Factor[]>();
    for (const factor of factors) dependencies.set(factor, this.#dependenciesOf(factor));
    this.#dependencies = dependencies;
    this.order = Object.freeze(this.#topologicalOrder());
  }

  /** The node with that id; `WorkflowDefinitionError` listing the known ids otherwise. */
  getNode(id: string): Node {
    const node = this.#nodes.get(id);
    if (!node) {
      throw new WorkflowDefinitionError(
        `node "${id}" not found in workflow "${this.id}"; known nodes: ${[...this.#nodes.keys()].join(', ') || '(none)'}`,
        { workflow: this.id, node: id },
      );
    }
    return node;
  }

  hasNode(id: string): boolean {
    return this.#nodes.has(id);
  }

  /** The factor with that id; `WorkflowDefinitionError` listing the known ids otherwise. */
  getFactor(id: string): Factor {
    const factor = this.factors.find((f) => f.id === id);
    if (!factor) {
      throw new WorkflowDefinitionError(
        `factor "${id}" not found in workflow "${this.id}"; known factors: ${this.factors.map((f) => f.id).join(', ') || '(none)'}`,
        { workflow: this.id, factor: id },
      );
    }
    return factor;
  }

  /** The factor that computes a node, if any (nodes without one are read as they are). */
  producerOf(node: NodeRef): Factor | undefined {
    return this.#producers.get(typeof node === 'string' ? node : node.id);
  }

  /** The factors a factor must wait for: producers of its inputs and creators of its plates. */
  dependenciesOf(factor: Factor): readonly Factor[] {
    return this.#dependencies.get(factor) ?? this.#dependenciesOf(factor);
  }

  /** The factors, and every factor they depend on (transitively). */
  upstreamOf(factors: Iterable<Factor>): Set<Factor> {
    const found = new Set<Factor>();
    const visit = (factor: Factor): void => {
      if (found.has(factor)) return;
      found.add(factor);
      this.dependenciesOf(factor).forEach(visit);
    };
    for (const factor of factors) visit(factor);
    return found;
  }

  /** Nodes computed (directly or not) from `node`. */
  downstreamOf(node: NodeRef): Node[] {
    const start = typeof node === 'string' ? this.getNode(node) : node;
    const found = new Map<string, Node>();
    const queue = [start];
    while (queue.length) {
      const current = queue.shift()!;
      for (const factor of this.factors) {
        const kind = kindOf(factor);
        const sink = kind.sink(factor);
        if (!sink || found.has(sink.id)) continue;
        if (kind.inputs(factor).some((input) => input.id === current.id)) {
          found.set(sink.id, sink);
          queue.push(sink);
        }
      }
    }
    return [...found.values()];
  }

  #dependenciesOf(factor: Factor): Factor[] {
    const kind = kindOf(factor);
    const deps = new Set<Factor>();
    for (const input of kind.inputs(factor)) {
      const producer = this.#producers.get(input.id);
      if (producer) deps.add(producer);
    }
    const plates = [
      ...kind.inputs(factor).flatMap((n) => n.plates),
      ...(kind.sink(factor)?.plates ?? []),
      ...kind.extraPlates(factor),
    ];
    for (const creator of this.factors) {
      const created = creator === factor ? undefined : kindOf(creator).createdPlate(creator);
      if (created && plates.some((plate) => plate.isDescendantOf(created))) deps.add(creator);
    }
    return [...deps];
  }

  #topologicalOrder(): Factor[] {
    const order: Factor[] = [];
    const state = new Map<Factor, 'visiting' | 'done'>();
    const visit = (factor: Factor, path: Factor[]): void => {
      const seen = state.get(factor);
      if (seen === 'done') return;
      if (seen === 'visiting') {
        const cycle = [...path.slice(path.indexOf(factor)), factor].map((f) => f.id).join(' -> ');
        throw new WorkflowDefinitionError(`workflow "${this.id}" has a cycle: ${cycle}`, {
          workflow: this.id,
        });
      }
      state.set(factor, 'visiting');
      for (const dep of this.dependenciesOf(factor)) visit(dep, [...path, factor]);
      state.set(factor, 'done');
      order.push(factor);
    };
    for (const factor of this.factors) visit(factor, []);
    return order;
  }
}
