import type { ChannelManager } from '../channels/channel-manager.js';
import { WorkflowDefinitionError } from '../errors.js';
import type { AggregateFactor, AggregateFactorSpec } from '../kinds/aggregate.js';
import { aggregateKind } from '../kinds/aggregate.js';
import type { Factor } from '../kinds/index.js';
import { factorKindNamed, kindOf } from '../kinds/index.js';
import type { BuildContext, FactorBase, FactorKind, NodeRef } from '../kinds/kind.js';
import type { MultiOutputFactor, MultiOutputFactorSpec } from '../kinds/multi-output.js';
import { multiOutputKind } from '../kinds/multi-output.js';
import { Node } from '../kinds/node.js';
import type { PlainFactor, PlainFactorSpec } from '../kinds/plain.js';
import { plainKind } from '../kinds/plain.js';
import type { PlateCreationFactor, PlateCreationFactorSpec } from '../kinds/plate-creation.js';
import { plateCreationKind } from '../kinds/plate-creation.js';
import type { SelectorFactor, SelectorFactorSpec } from '../kinds/selector.js';
import { selectorKind } from '../kinds/selector.js';
import type { PlateManager } from '../plates/plate-manager.js';
import type { SessionRecord } from '../storage/session-store.js';
import { toDurationMs } from '../time/duration.js';
import type { IntervalSpec } from '../time/parse-interval.js';
import { resolveInterval } from '../time/parse-interval.js';
import type { Clock } from '../time/clock.js';
import type { StreamView } from '../channels/stream-view.js';
import type { PlateValueInput } from '../plates/plate.js';
import { isToolInstance } from '../tools/tool.js';
import type { WorkflowDefinition } from './definition.js';
import { encodeWorkflow } from './definition.js';
import type {
  ExecutableWorkflow,
  ExecuteOptions,
  PurgeReport,
  PurgeTarget,
  WorkflowExecutor,
  WorkflowPurgeOptions,
} from './execution.js';
import { WorkflowGraph } from './graph.js';
import { loadWorkflow } from './load-workflow.js';
import type { FunctionResolver } from '../tools/functions.js';
import type { ToolSource } from '../tools/tool-source.js';
import type { WorkflowInfo } from './workflow-info.js';

/** What a workflow runs against: the engine's channels and plates, and the runner. */
export interface WorkflowEnvironment {
  readonly channels: ChannelManager;
  readonly plates: PlateManager;
  readonly executor: WorkflowExecutor;
  /** The channel of nodes that do not name one. */
  readonly defaultChannel: string;
  /** Where `{ fn: name }` tool parameters resolve (the engine's functions; default the built-ins). */
  readonly functions?: FunctionResolver;
  /** What relative intervals (`-P1D/now`) are resolved against. Default: the system clock. */
  readonly clock?: Clock;
}

/** Options of {@link Workflow.results}: which stream of the node, and how to compute it. */
export interface ResultsOptions extends ExecuteOptions {
  /** The plate value of the stream to read (`{ dest: 'ORD' }` or pairs); none without plates. */
  readonly plateValue?: PlateValueInput;
}

/** Options of {@link Workflow.fromDefinition}. */
export interface FromDefinitionOptions {
  readonly environment: WorkflowEnvironment;
  readonly toolResolver: Pick<ToolSource, 'get'>;
}

/**
 * A graph of nodes (stream sets on plates) and factors (tools), built with a small typed builder.
 * Passing a tool of the wrong kind to a builder method is a compile error; plate mistakes are a
 * `PlateMismatchError` saying which plates would fit. `graph` is the workflow as of now (an
 * immutable {@link WorkflowGraph}); `execute`, `request` and `purge` hand it to the engine.
 *
 * @example
 * const w = engine.workflow('tutorial5', { owner: 'tutorials' });
 * const raw = w.node('raw_temp_data', { plates: ['C'] });
 * const temp = w.node('temp_data', { plates: ['C'] });
 * w.multiOutputFactor({ tool: csvMultiReader.create({ ... }), sink: raw });
 * w.factor({ tool: apply.create({ func: { fn: 'split_temperatures' } }), sources: [raw], sink: temp });
 * await w.execute('2000-01-01T00:00:00Z/2013-01-01T00:00:00Z');
 */
export class Workflow implements ExecutableWorkflow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly owner: string | undefined;
  readonly online: boolean;
  readonly environment: WorkflowEnvironment;
  readonly #nodes = new Map<string, Node>();
  readonly #factors: Factor[] = [];
  readonly #producers = new Map<string, Factor>();
  #graph: WorkflowGraph | undefined;
  readonly #build: BuildContext;

  constructor(id: string, info: WorkflowInfo, environment: WorkflowEnvironment) {
    if (typeof id !== 'string' || id.trim() === '') {
      throw new WorkflowDefinitionError(
        `invalid workflow id ${JSON.stringify(id)}: expected a non-empty string`,
      );
    }
    this.id = id;
    this.name = info.name ?? id;
    this.description = info.description ?? '';
    this.owner = info.owner;
    this.online = info.online ?? false;
    this.environment = environment;
    this.#build = {
      workflowId: id,
      node: (ref, role) => this.#resolve(ref, role),
      factorId: (given, fallback) => this.#factorId(given, fallback),
      maxPieceSize: (spec) =>
        spec.maxPieceSize === undefined ? undefined : toDurationMs(spec.maxPieceSize),
      channel: (channel) => {
        const id = channel ?? environment.defaultChannel;
        environment.channels.get(id);
        return id;
      },
      plate: (plateId) => environment.plates.getPlate(plateId),
      declarePlate: async (declaration) =>
        await environment.plates.createPlate({
          id: declaration.id,
          metaKey: declaration.metaKey,
          ...(declaration.parentPlate !== undefined ? { parent: declaration.parentPlate } : {}),
          ...(declaration.description !== undefined
            ? { description: declaration.description }
            : {}),
        }),
      creatorOf: (plateId) =>
        this.#factors.find((f) => kindOf(f).createdPlate(f)?.id === plateId)?.id,
    };
  }

  /** Rebuilds a workflow from {@link Workflow.toDefinition} output, validating it with zod. */
  static async fromDefinition(json: unknown, options: FromDefinitionOptions): Promise<Workflow> {
    return await loadWorkflow(
      json,
      {
        plates: options.environment.plates,
        toolResolver: options.toolResolver,
        functions: options.environment.functions,
      },
      (id, info) => new Workflow(id, info, options.environment),
    );
  }

  /** The workflow's graph as of now (rebuilt after the workflow changes). */
  get graph(): WorkflowGraph {
    return (this.#graph ??= new WorkflowGraph(this.id, [...this.#nodes.values()], this.#factors));
  }

  /** Declares a node (or returns the existing one with the same channel and plates). */
  node(
    id: string,
    options: { readonly channel?: string; readonly plates?: readonly string[] } = {},
  ): Node {
    const channel = this.#build.channel(options.channel);
    const plates = (options.plates ?? []).map((plateId) =>
      this.environment.plates.getPlate(plateId),
    );
    const existing = this.#nodes.get(id);
    const node = new Node(this.id, id, channel, plates, this.environment.channels);
    if (existing) {
      if (JSON.stringify(existing.toDefinition()) === JSON.stringify(node.toDefinition()))
        return existing;
      throw new WorkflowDefinitionError(
        `node "${id}" already exists in workflow "${this.id}" as ${existing.describe()} in channel "${existing.channelId}": use another id`,
        { workflow: this.id, node: id },
      );
    }
    if (id.startsWith('_plates.')) {
      throw new WorkflowDefinitionError(
        `node id "${id}" is reserved for plate bookkeeping: choose another id`,
      );
    }
    node.streamId([]); // validates the name as a stream name
    this.#nodes.set(id, node);
    this.#graph = undefined;
    return node;
  }

  /** A plain tool: `sources` (+ `alignment`) → `sink`, for every plate value of the sink. */
  factor(spec: PlainFactorSpec): PlainFactor {
    return this.#addNow(plainKind, spec);
  }

  /** A multi-output tool: `source` → one sink per value of the sink's new plate. */
  multiOutputFactor(spec: MultiOutputFactorSpec): MultiOutputFactor {
    return this.#addNow(multiOutputKind, spec);
  }

  /** An aggregate tool: the streams of one meta-data key → `sink` on the parent plates. */
  aggregateFactor(spec: AggregateFactorSpec): AggregateFactor {
    return this.#addNow(aggregateKind, spec);
  }

  /** A selector tool: some streams of one meta-data key → `sink` without that key. */
  selectorFactor(spec: SelectorFactorSpec): SelectorFactor {
    return this.#addNow(selectorKind, spec);
  }

  /**
   * A plate-creation tool: adds values of `outputPlate.metaKey` to the meta-data tree under each
   * value of `outputPlate.parentPlate`. The plate is declared now (created empty when missing) so
   * nodes can be declared on it; its values appear when the factor runs.
   */
  async plateCreationFactor(spec: PlateCreationFactorSpec): Promise<PlateCreationFactor> {
    return await this.addFactor(plateCreationKind, spec);
  }

  /** Adds a factor of any kind from its builder spec (what definitions are rebuilt with). */
  async addFactor<F extends FactorBase, S, D>(kind: FactorKind<F, S, D>, spec: S): Promise<F> {
    this.#checkTool((spec as { readonly tool?: unknown }).tool, kind);
    const prepared = kind.prepare ? await kind.prepare(spec, this.#build) : spec;
    return this.#add(kind.create(prepared, this.#build));
  }

  /** The node with that id; `WorkflowDefinitionError` listing the known ids otherwise. */
  getNode(id: string): Node {
    return this.graph.getNode(id);
  }

  get nodes(): readonly Node[] {
    return [...this.#nodes.values()];
  }

  /** Factors in definition order. */
  get factors(): readonly Factor[] {
    return [...this.#factors];
  }

  getFactor(id: string): Factor {
    return this.graph.getFactor(id);
  }

  /** The factor that computes a node, if any (nodes without one are read as they are). */
  producerOf(node: NodeRef): Factor | undefined {
    return this.#producers.get(typeof node === 'string' ? node : node.id);
  }

  /** The factors a factor must wait for: producers of its inputs and creators of its plates. */
  dependenciesOf(factor: Factor): Factor[] {
    return [...this.graph.dependenciesOf(factor)];
  }

  /**
   * Factors in dependency order (upstream first; ties in definition order), not HyperStream's
   * reverse definition order.
   */
  topologicalOrder(): Factor[] {
    return [...this.graph.order];
  }

  /** Nodes computed (directly or not) from `node`. */
  downstreamOf(node: NodeRef): Node[] {
    return this.graph.downstreamOf(node);
  }

  /**
   * Computes every factor over `interval` in topological order, for every plate value, only where
   * its sinks are not yet calculated. Resolves to the session record; a failure throws
   * `WorkflowExecutionError` carrying it.
   */
  async execute(interval: IntervalSpec, options?: ExecuteOptions): Promise<SessionRecord> {
    return await this.environment.executor.execute(this, interval, options);
  }

  /** Computes only what `node` needs over `interval` (pull), then resolves to the session record. */
  async request(
    node: NodeRef,
    interval: IntervalSpec,
    options?: ExecuteOptions,
  ): Promise<SessionRecord> {
    return await this.environment.executor.request(this, node, interval, options);
  }

  /**
   * A node's results over `interval`: computes what is missing first (as {@link request} does),
   * then returns the window of the node's stream for `options.plateValue`, ready to read
   * (`toArray`, `toColumns`, `toArrow`, `for await`).
   *
   * @example
   * const view = await w.results('delays', '2001-01-01T00:00:00Z/P7D', { plateValue: { origin: 'ORD' } });
   * const { timestamps, values } = await view.toColumns();
   */
  async results<T = unknown>(
    node: NodeRef,
    interval: IntervalSpec,
    options: ResultsOptions = {},
  ): Promise<StreamView<T>> {
    const target = this.#resolve(node, 'results');
    const stream = target.stream<T>(options.plateValue); // a wrong plate value fails before computing
    const window = resolveInterval(interval, undefined, { clock: this.environment.clock });
    await this.request(target, window, options);
    return stream.window(window);
  }

  /** Purges a stream, a node or all outputs (optionally inside an interval, with cascade or as a dry run). */
  async purge(target: PurgeTarget, options?: WorkflowPurgeOptions): Promise<PurgeReport> {
    return await this.environment.executor.purge(this, target, options);
  }

  /** Plain JSON: nodes, the plates they use, factors with tool name, version and parameters. */
  toDefinition(): WorkflowDefinition {
    return encodeWorkflow(this);
  }

  #addNow<F extends FactorBase, S extends { readonly tool: unknown }, D>(
    kind: FactorKind<F, S, D>,
    spec: S,
  ): F {
    this.#checkTool(spec.tool, kind);
    return this.#add(kind.create(spec, this.#build));
  }

  #checkTool(tool: unknown, kind: { readonly name: string; readonly builderMethod: string }): void {
    if (!isToolInstance(tool)) {
      throw new WorkflowDefinitionError(
        `workflow "${this.id}": ${kind.builderMethod} needs a tool instance (definition.create(params)), got ${typeof tool}`,
      );
    }
    if (tool.kind !== kind.name) {
      const method = factorKindNamed(tool.kind)?.builderMethod ?? `a ${tool.kind} factor`;
      throw new WorkflowDefinitionError(
        `workflow "${this.id}": tool "${tool.name}" is a ${tool.kind} tool, so use ${method} instead of ${kind.builderMethod}`,
        { workflow: this.id, tool: tool.name },
      );
    }
  }

  #resolve(ref: NodeRef, role: string): Node {
    if (typeof ref === 'string') {
      const node = this.#nodes.get(ref);
      if (node) return node;
      throw new WorkflowDefinitionError(
        `node "${ref}" not found in workflow "${this.id}"; known nodes: ${[...this.#nodes.keys()].join(', ') || '(none)'}`,
        { workflow: this.id, node: ref },
      );
    }
    if (!(ref instanceof Node) || this.#nodes.get(ref.id) !== ref) {
      throw new WorkflowDefinitionError(
        `workflow "${this.id}": ${role} node "${String((ref as { id?: unknown }).id)}" belongs to another workflow; declare it here with workflow.node()`,
        { workflow: this.id, role },
      );
    }
    return ref;
  }

  #factorId(given: string | undefined, fallback: string): string {
    const id = given ?? fallback;
    if (this.#factors.some((f) => f.id === id)) {
      throw new WorkflowDefinitionError(
        `factor "${id}" already exists in workflow "${this.id}": give it another id`,
        { workflow: this.id, factor: id },
      );
    }
    return id;
  }

  #add<F extends FactorBase>(created: F): F {
    const factor = created as unknown as Factor;
    const kind = kindOf(factor);
    const sink = kind.sink(factor);
    if (sink) {
      const producer = this.#producers.get(sink.id);
      if (producer) {
        throw new WorkflowDefinitionError(
          `node "${sink.id}" is already computed by factor "${producer.id}": a node has one producing factor; write to another node`,
          { workflow: this.id, node: sink.id, factor: factor.id },
        );
      }
      // A sink that is already upstream of an input would close a cycle.
      const inputs = kind.inputs(factor);
      if (inputs.some((input) => input.id === sink.id || this.#isUpstream(sink.id, input.id))) {
        throw new WorkflowDefinitionError(
          `factor "${factor.id}" would make a cycle: its sink "${sink.id}" is computed from one of its inputs`,
          { workflow: this.id, factor: factor.id },
        );
      }
      this.#producers.set(sink.id, factor);
    }
    this.#factors.push(factor);
    this.#graph = undefined;
    return created;
  }

  /** True when `nodeId` is (transitively) an input of the factor producing `of`. */
  #isUpstream(nodeId: string, of: string): boolean {
    const seen = new Set<string>();
    const stack = [of];
    while (stack.length) {
      const current = stack.pop()!;
      if (seen.has(current)) continue;
      seen.add(current);
      const producer = this.#producers.get(current);
      if (!producer) continue;
      for (const input of kindOf(producer).inputs(producer)) {
        if (input.id === nodeId) return true;
        stack.push(input.id);
      }
    }
    return false;
  }
}
