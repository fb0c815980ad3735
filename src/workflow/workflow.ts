import type { ChannelManager } from '../channels/channel-manager.js';
import { WorkflowDefinitionError } from '../errors.js';
import type { PlateManager } from '../plates/plate-manager.js';
import type { IntervalSpec } from '../time/parse-interval.js';
import type { DurationLike } from '../time/duration.js';
import { toDurationMs } from '../time/duration.js';
import type { SessionRecord } from '../storage/session-store.js';
import type { ToolInstance, ToolKind } from '../tools/tool.js';
import { isToolInstance } from '../tools/tool.js';
import type { WorkflowDefinition } from './definition.js';
import { buildWorkflow, workflowDefinitionOf } from './definition.js';
import type {
  ExecuteOptions,
  PurgeReport,
  PurgeTarget,
  WorkflowExecutor,
  WorkflowPurgeOptions,
} from './execution.js';
import type {
  AggregateFactor,
  Factor,
  MultiOutputFactor,
  PlainFactor,
  PlateCreationFactor,
  SelectorFactor,
} from './factor.js';
import {
  checkDroppedKey,
  checkMultiOutputPlates,
  checkPlainPlates,
  checkPlateCreationPlates,
  inputsOf,
  sinkOf,
} from './factor.js';
import { Node } from './node.js';
import type { ToolLookup } from './tool-lookup.js';

/** What a workflow runs against: the engine's channels and plates, and the runner. */
export interface WorkflowEnvironment {
  readonly channels: ChannelManager;
  readonly plates: PlateManager;
  readonly executor: WorkflowExecutor;
  /** The channel of nodes that do not name one. */
  readonly defaultChannel: string;
}

/** Descriptive fields of a workflow. */
export interface WorkflowInfo {
  readonly name?: string;
  readonly description?: string;
  readonly owner?: string;
  /** Executed by the online engine. */
  readonly online?: boolean;
}

/** A node, or its id. */
export type NodeRef = Node | string;

/** Options every factor takes. */
export interface FactorOptions {
  /** Unique id within the workflow; default `<tool>-><sink>`. */
  readonly id?: string;
  /** Longest interval one tool call computes, e.g. `'P1D'`. */
  readonly maxPieceSize?: DurationLike;
}

/** `workflow.factor(…)`: a plain tool. */
export interface PlainFactorSpec extends FactorOptions {
  readonly tool: ToolInstance<'tool'>;
  readonly sources?: readonly NodeRef[];
  readonly sink: NodeRef;
  readonly alignment?: NodeRef;
}

/** `workflow.multiOutputFactor(…)`: split one source onto a new plate. */
export interface MultiOutputFactorSpec extends FactorOptions {
  readonly tool: ToolInstance<'multi-output'>;
  readonly source?: NodeRef;
  readonly splitting?: NodeRef;
  readonly sink: NodeRef;
}

/** `workflow.aggregateFactor(…)`: aggregate the streams of one meta-data key. */
export interface AggregateFactorSpec extends FactorOptions {
  readonly tool: ToolInstance<'aggregate'>;
  readonly sources: readonly NodeRef[];
  readonly sink: NodeRef;
  readonly alignment?: NodeRef;
  /** The key aggregated away, e.g. `city`; inferred from the plates when omitted. */
  readonly aggregationMetaKey?: string;
}

/** `workflow.selectorFactor(…)`: pick some streams of one meta-data key. */
export interface SelectorFactorSpec extends FactorOptions {
  readonly tool: ToolInstance<'selector'>;
  readonly sources: readonly NodeRef[];
  readonly sink: NodeRef;
  /** The key selected on; inferred from the plates when omitted. */
  readonly selectorMetaKey?: string;
}

/** `workflow.plateCreationFactor(…)`: create plate values from data. */
export interface PlateCreationFactorSpec extends FactorOptions {
  readonly tool: ToolInstance<'plate-creation'>;
  readonly source?: NodeRef;
  /** The plate to create (or reuse): its values are added under each value of `parentPlate`. */
  readonly outputPlate: {
    readonly id: string;
    readonly metaKey: string;
    readonly parentPlate?: string;
    readonly description?: string;
  };
  /** Channel for the bookkeeping of scanned intervals; default the environment's default channel. */
  readonly markerChannel?: string;
}

/** Options of {@link Workflow.fromDefinition}. */
export interface FromDefinitionOptions {
  readonly environment: WorkflowEnvironment;
  readonly toolResolver: ToolLookup;
}

/**
 * A graph of nodes (stream sets on plates) and factors (tools), built with a small typed builder.
 * Passing a tool of the wrong kind to a builder method is a compile error; plate mistakes are a
 * `PlateMismatchError` saying which plates would fit.
 *
 * @example
 * const w = engine.workflow('tutorial5', { owner: 'tutorials' });
 * const raw = w.node('raw_temp_data', { plates: ['C'] });
 * const temp = w.node('temp_data', { plates: ['C'] });
 * w.multiOutputFactor({ tool: csvMultiReader.create({ ... }), sink: raw });
 * w.factor({ tool: apply.create({ func: { fn: 'split_temperatures' } }), sources: [raw], sink: temp });
 * await w.execute('2000-01-01T00:00:00Z/2013-01-01T00:00:00Z');
 */
export class Workflow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly owner: string | undefined;
  readonly online: boolean;
  readonly environment: WorkflowEnvironment;
  readonly #nodes = new Map<string, Node>();
  readonly #factors: Factor[] = [];
  readonly #producers = new Map<string, Factor>();

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
  }

  /** Rebuilds a workflow from {@link Workflow.toDefinition} output, validating it with zod. */
  static async fromDefinition(json: unknown, options: FromDefinitionOptions): Promise<Workflow> {
    return await buildWorkflow(
      json,
      options,
      (id, info) => new Workflow(id, info, options.environment),
    );
  }

  /** Declares a node (or returns the existing one with the same channel and plates). */
  node(
    id: string,
    options: { readonly channel?: string; readonly plates?: readonly string[] } = {},
  ): Node {
    const channel = options.channel ?? this.environment.defaultChannel;
    this.environment.channels.get(channel);
    const plates = (options.plates ?? []).map((plateId) =>
      this.environment.plates.getPlate(plateId),
    );
    const existing = this.#nodes.get(id);
    const node = new Node(this.id, id, channel, plates);
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
    return node;
  }

  /** A plain tool: `sources` (+ `alignment`) → `sink`, for every plate value of the sink. */
  factor(spec: PlainFactorSpec): PlainFactor {
    this.#checkTool(spec.tool, 'tool', 'factor');
    const sink = this.#resolve(spec.sink, 'sink');
    const sources = (spec.sources ?? []).map((s, i) => this.#resolve(s, `sources[${i}]`));
    const alignment =
      spec.alignment === undefined ? undefined : this.#resolve(spec.alignment, 'alignment');
    const id = this.#factorId(spec.id, `${spec.tool.name}->${sink.id}`);
    checkPlainPlates(id, sources, sink);
    if (alignment) checkPlainPlates(id, [alignment], sink, 'alignment');
    return this.#add({
      kind: 'tool',
      id,
      tool: spec.tool,
      sources,
      sink,
      alignment,
      maxPieceSize: this.#piece(spec),
    });
  }

  /** A multi-output tool: `source` → one sink per value of the sink's new plate. */
  multiOutputFactor(spec: MultiOutputFactorSpec): MultiOutputFactor {
    this.#checkTool(spec.tool, 'multi-output', 'multiOutputFactor');
    const sink = this.#resolve(spec.sink, 'sink');
    const source = spec.source === undefined ? undefined : this.#resolve(spec.source, 'source');
    const splitting =
      spec.splitting === undefined ? undefined : this.#resolve(spec.splitting, 'splitting');
    const id = this.#factorId(spec.id, `${spec.tool.name}->${sink.id}`);
    const outputPlate = checkMultiOutputPlates(id, source, splitting, sink);
    return this.#add({
      kind: 'multi-output',
      id,
      tool: spec.tool,
      source,
      splitting,
      sink,
      outputPlate,
      maxPieceSize: this.#piece(spec),
    });
  }

  /** An aggregate tool: the streams of one meta-data key → `sink` on the parent plates. */
  aggregateFactor(spec: AggregateFactorSpec): AggregateFactor {
    this.#checkTool(spec.tool, 'aggregate', 'aggregateFactor');
    const sink = this.#resolve(spec.sink, 'sink');
    const sources = spec.sources.map((s, i) => this.#resolve(s, `sources[${i}]`));
    const alignment =
      spec.alignment === undefined ? undefined : this.#resolve(spec.alignment, 'alignment');
    const id = this.#factorId(spec.id, `${spec.tool.name}->${sink.id}`);
    const aggregationMetaKey = checkDroppedKey(
      id,
      'aggregate',
      sources,
      sink,
      spec.aggregationMetaKey,
    );
    if (alignment) checkPlainPlates(id, [alignment], sink, 'alignment');
    return this.#add({
      kind: 'aggregate',
      id,
      tool: spec.tool,
      sources,
      sink,
      alignment,
      aggregationMetaKey,
      maxPieceSize: this.#piece(spec),
    });
  }

  /** A selector tool: some streams of one meta-data key → `sink` without that key. */
  selectorFactor(spec: SelectorFactorSpec): SelectorFactor {
    this.#checkTool(spec.tool, 'selector', 'selectorFactor');
    const sink = this.#resolve(spec.sink, 'sink');
    const sources = spec.sources.map((s, i) => this.#resolve(s, `sources[${i}]`));
    const id = this.#factorId(spec.id, `${spec.tool.name}->${sink.id}`);
    const selectorMetaKey = checkDroppedKey(id, 'selector', sources, sink, spec.selectorMetaKey);
    return this.#add({
      kind: 'selector',
      id,
      tool: spec.tool,
      sources,
      sink,
      selectorMetaKey,
      maxPieceSize: this.#piece(spec),
    });
  }

  /**
   * A plate-creation tool: adds values of `outputPlate.metaKey` to the meta-data tree under each
   * value of `outputPlate.parentPlate`. The plate is created now (empty) so nodes can be declared
   * on it; its values appear when the factor runs.
   */
  async plateCreationFactor(spec: PlateCreationFactorSpec): Promise<PlateCreationFactor> {
    this.#checkTool(spec.tool, 'plate-creation', 'plateCreationFactor');
    const source = spec.source === undefined ? undefined : this.#resolve(spec.source, 'source');
    const id = this.#factorId(spec.id, `${spec.tool.name}->plate:${spec.outputPlate.id}`);
    const clash = this.#factors.find(
      (f) => f.kind === 'plate-creation' && f.outputPlate.id === spec.outputPlate.id,
    );
    if (clash) {
      throw new WorkflowDefinitionError(
        `plate "${spec.outputPlate.id}" is already created by factor "${clash.id}": one factor per output plate`,
        { workflow: this.id, factor: id },
      );
    }
    const markerChannel = spec.markerChannel ?? this.environment.defaultChannel;
    this.environment.channels.get(markerChannel);
    const outputPlate = await this.environment.plates.createPlate({
      id: spec.outputPlate.id,
      metaKey: spec.outputPlate.metaKey,
      ...(spec.outputPlate.parentPlate !== undefined
        ? { parent: spec.outputPlate.parentPlate }
        : {}),
      ...(spec.outputPlate.description !== undefined
        ? { description: spec.outputPlate.description }
        : {}),
    });
    checkPlateCreationPlates(id, source, outputPlate);
    return this.#add({
      kind: 'plate-creation',
      id,
      tool: spec.tool,
      source,
      outputPlate,
      markerChannel,
      maxPieceSize: this.#piece(spec),
    });
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

  get nodes(): readonly Node[] {
    return [...this.#nodes.values()];
  }

  /** Factors in definition order. */
  get factors(): readonly Factor[] {
    return [...this.#factors];
  }

  getFactor(id: string): Factor {
    const factor = this.#factors.find((f) => f.id === id);
    if (!factor) {
      throw new WorkflowDefinitionError(
        `factor "${id}" not found in workflow "${this.id}"; known factors: ${this.#factors.map((f) => f.id).join(', ') || '(none)'}`,
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
  dependenciesOf(factor: Factor): Factor[] {
    const deps = new Set<Factor>();
    for (const input of inputsOf(factor)) {
      const producer = this.#producers.get(input.id);
      if (producer) deps.add(producer);
    }
    const plates = [
      ...inputsOf(factor).flatMap((n) => n.plates),
      ...(sinkOf(factor)?.plates ?? []),
      ...(factor.kind === 'plate-creation' && factor.outputPlate.parent
        ? [factor.outputPlate.parent]
        : []),
    ];
    for (const creator of this.#factors) {
      if (creator.kind !== 'plate-creation' || creator === factor) continue;
      if (plates.some((plate) => plate.isDescendantOf(creator.outputPlate))) deps.add(creator);
    }
    return [...deps];
  }

  /**
   * Factors in dependency order (upstream first; ties in definition order), not HyperStream's
   * reverse definition order.
   */
  topologicalOrder(): Factor[] {
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
    for (const factor of this.#factors) visit(factor, []);
    return order;
  }

  /** Nodes computed (directly or not) from `node`. */
  downstreamOf(node: NodeRef): Node[] {
    const start = typeof node === 'string' ? this.getNode(node) : node;
    const found = new Map<string, Node>();
    const queue = [start];
    while (queue.length) {
      const current = queue.shift()!;
      for (const factor of this.#factors) {
        const sink = sinkOf(factor);
        if (!sink || found.has(sink.id)) continue;
        if (inputsOf(factor).some((input) => input.id === current.id)) {
          found.set(sink.id, sink);
          queue.push(sink);
        }
      }
    }
    return [...found.values()];
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

  /** Purges a stream, a node or all outputs (optionally inside an interval, with cascade or as a dry run). */
  async purge(target: PurgeTarget, options?: WorkflowPurgeOptions): Promise<PurgeReport> {
    return await this.environment.executor.purge(this, target, options);
  }

  /** Plain JSON: nodes, the plates they use, factors with tool name, version and parameters. */
  toDefinition(): WorkflowDefinition {
    return workflowDefinitionOf(this);
  }

  #checkTool(tool: unknown, kind: ToolKind, method: string): void {
    if (!isToolInstance(tool)) {
      throw new WorkflowDefinitionError(
        `workflow "${this.id}": ${method} needs a tool instance (definition.create(params)), got ${typeof tool}`,
      );
    }
    if (tool.kind !== kind) {
      const methods: Record<ToolKind, string> = {
        tool: 'factor',
        'multi-output': 'multiOutputFactor',
        aggregate: 'aggregateFactor',
        selector: 'selectorFactor',
        'plate-creation': 'plateCreationFactor',
      };
      throw new WorkflowDefinitionError(
        `workflow "${this.id}": tool "${tool.name}" is a ${tool.kind} tool, so use ${methods[tool.kind]} instead of ${method}`,
        { workflow: this.id, tool: tool.name },
      );
    }
  }

  #resolve(ref: NodeRef, role: string): Node {
    if (typeof ref === 'string') return this.getNode(ref);
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
        {
          workflow: this.id,
          factor: id,
        },
      );
    }
    return id;
  }

  #piece(spec: FactorOptions): number | undefined {
    return spec.maxPieceSize === undefined ? undefined : toDurationMs(spec.maxPieceSize);
  }

  #add<F extends Factor>(factor: F): F {
    const sink = sinkOf(factor);
    if (sink) {
      const producer = this.#producers.get(sink.id);
      if (producer) {
        throw new WorkflowDefinitionError(
          `node "${sink.id}" is already computed by factor "${producer.id}": a node has one producing factor; write to another node`,
          { workflow: this.id, node: sink.id, factor: factor.id },
        );
      }
      // A sink that is already upstream of an input would close a cycle.
      const inputs = inputsOf(factor);
      if (inputs.some((input) => input.id === sink.id || this.#isUpstream(sink.id, input.id))) {
        throw new WorkflowDefinitionError(
          `factor "${factor.id}" would make a cycle: its sink "${sink.id}" is computed from one of its inputs`,
          { workflow: this.id, factor: factor.id },
        );
      }
      this.#producers.set(sink.id, factor);
    }
    this.#factors.push(factor);
    return factor;
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
      for (const input of inputsOf(producer)) {
        if (input.id === nodeId) return true;
        stack.push(input.id);
      }
    }
    return false;
  }
}
