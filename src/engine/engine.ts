import type { Channel } from '../channels/channel.js';
import { ChannelManager } from '../channels/channel-manager.js';
import { MemoryChannel } from '../channels/memory-channel.js';
import { StoreChannel } from '../channels/store-channel.js';
import { PlateManager } from '../plates/plate-manager.js';
import type { MetaDataStore } from '../storage/meta-data-store.js';
import type { PlateStore } from '../storage/plate-store.js';
import type { Clock } from '../time/clock.js';
import { systemClock } from '../time/clock.js';
import { ToolLoadError } from '../errors.js';
import { createFunctionRegistry } from '../tools/function-scope.js';
import type { FunctionRegistry, ToolFunction } from '../tools/functions.js';
import type { ToolDefinition, ToolKind } from '../tools/tool.js';
import type { ToolSource } from '../tools/tool-source.js';
import { MemoryToolSource } from '../tools/tool-source.js';
import type { WorkflowExecutor } from '../workflow/execution.js';
import type { WorkflowEnvironment } from '../workflow/workflow.js';
import type { WorkflowInfo } from '../workflow/workflow-info.js';
import { Workflow } from '../workflow/workflow.js';
import { WorkflowManager } from '../workflow/workflow-manager.js';
import type { WorkflowStore } from '../storage/workflow-store.js';
import { Runner } from './runner.js';
import { invalidateDownstream } from './consumers.js';
import type { StreamProvenance } from './provenance.js';
import { streamProvenance } from './provenance.js';
import { StreamId } from '../streams/stream-id.js';
import type { TimeInterval } from '../time/time-interval.js';
import { PlateIndex } from '../kinds/plate-index.js';
import type { SchedulerFactory } from './scheduler.js';
import type { StorageBackend } from '../storage/backend.js';
import { withStores } from '../storage/with-stores.js';
import { createMemoryBackend } from '../storage/memory/memory-backend.js';
import type { SessionStore } from '../storage/session-store.js';
import type { Stream } from '../channels/stream.js';
import type { MetaDataInput, StreamIdLike } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import type { EngineWriteOptions, FindStreamOptions, WriteReport } from './stream-io.js';
import { findStream, writeStream } from './stream-io.js';

/** How to build an {@link Engine}: everything optional, in memory by default. */
export interface EngineOptions {
  /** Where "now" comes from (a `VirtualClock` in tests). Default: the system clock. */
  readonly clock?: Clock;
  /**
   * Where the engine keeps its state: the streams of its default channel, the meta-data tree,
   * plates, workflow definitions and sessions. Default `createMemoryBackend()`. `close()` closes it.
   */
  readonly storage?: StorageBackend;
  /**
   * Channels to register besides the default one. Unless one of them has the default channel's
   * id, the engine adds a channel with that id over the storage's streams.
   */
  readonly channels?: Iterable<Channel>;
  /** The channel of nodes that do not name one. Default: the storage's (`memory` in memory). */
  readonly defaultChannel?: string;
  /** Where tools come from by name (stored workflows, `engine.tool`): a tool source or definitions. */
  readonly tools?:
    ToolSource | Iterable<Pick<ToolDefinition, 'name' | 'version' | 'kind' | 'description'>>;
  /**
   * Named functions tool parameters may refer to as `{ fn: name }`, besides the built-ins: this
   * engine's own (another engine does not see them).
   */
  readonly functions?:
    Readonly<Record<string, ToolFunction>> | Iterable<readonly [string, ToolFunction]>;
  /**
   * Schedulers besides the engine's own `local` one, by name: `workflow.execute(interval, {
   * runner: name })` runs its pieces there, e.g. `{ queue: createQueueScheduler({ connection }) }`
   * from `hyperstream-ts/distributed` (BullMQ workers). Each is built on first use and closed by
   * `close()`.
   */
  readonly schedulers?: Readonly<Record<string, SchedulerFactory>>;
  /**
   * Stores to use instead of the storage's (the rest stay in memory).
   *
   * @deprecated pass `storage` (`createSqliteBackend`, `createMongoBackend`): a backend says what
   * it shares with other processes instead of the engine guessing it from which stores were given.
   */
  readonly stores?: {
    readonly metaData?: MetaDataStore;
    readonly plates?: PlateStore;
    readonly workflows?: WorkflowStore;
    readonly sessions?: SessionStore;
  };
}

/**
 * One engine instance (no global singleton): channels, plates and meta-data, workflows, sessions,
 * a tool resolver, a clock and the runner, over one storage backend. Create as many as you like;
 * `close()` closes the channels and the storage.
 *
 * @example
 * const engine = await Engine.create({ tools: [clock] });
 * const w = engine.workflow('ticker');
 * const ticks = w.node('ticks');
 * w.factor({ tool: clock.create({ stride: 3_600_000 }), sink: ticks });
 * await w.execute('2017-07-20T16:00:00Z/PT10H');
 * await engine.close();
 */
export class Engine {
  readonly clock: Clock;
  readonly storage: StorageBackend;
  readonly channels: ChannelManager;
  readonly plates: PlateManager;
  readonly workflows: WorkflowManager;
  readonly sessions: SessionStore;
  readonly tools: ToolSource;
  /** The named functions of this engine's tool parameters (the built-ins and its own). */
  readonly functions: FunctionRegistry;
  /** Runs this engine's workflows (what `workflow.execute` calls). */
  readonly runner: WorkflowExecutor;
  readonly #runner: Runner;
  /** What workflows of this engine run against. */
  readonly environment: WorkflowEnvironment;
  #closed = false;
  readonly #ownedStores: readonly { close?(): Promise<void> }[];

  private constructor(options: EngineOptions, storage: StorageBackend, plates: PlateManager) {
    this.clock = options.clock ?? systemClock;
    this.storage = storage;
    this.#ownedStores = Object.values(options.stores ?? {});
    this.channels = new ChannelManager(options.channels ?? []);
    const defaultChannel = options.defaultChannel ?? storage.defaultChannel;
    if (!this.channels.has(defaultChannel)) {
      this.channels.add(
        new StoreChannel(defaultChannel, storage.kind, storage.streams(defaultChannel)),
      );
    }
    // Scratch space beside a persistent default, as every engine had a `memory` channel.
    if (!this.channels.has('memory')) this.channels.add(new MemoryChannel('memory'));
    this.plates = plates;
    this.sessions = storage.sessions;
    this.tools = isToolSource(options.tools)
      ? options.tools
      : new MemoryToolSource(options.tools ?? []);
    const functions = options.functions ?? [];
    this.functions = createFunctionRegistry(
      Symbol.iterator in functions ? functions : Object.entries(functions),
    );
    // Another process sharing the storage may have added meta-data and plates since.
    const refreshPlates = storage.capabilities.sharedAcrossProcesses;
    this.#runner = new Runner({
      channels: this.channels,
      plates,
      sessions: storage.sessions,
      clock: this.clock,
      refreshPlates,
      ...(options.schedulers ? { schedulers: options.schedulers } : {}),
    });
    this.runner = this.#runner;
    this.environment = {
      channels: this.channels,
      plates,
      executor: this.runner,
      defaultChannel,
      functions: this.functions,
      clock: this.clock,
    };
    // A write from outside a piece invalidates what the loaded workflows computed from it.
    const index = new PlateIndex(() => plates.tree.version);
    this.channels.onWrite(async (write) => {
      const graphs = this.workflows.list().map((workflow) => workflow.graph);
      await invalidateDownstream(this.channels, graphs, index, write);
    });
    this.workflows = new WorkflowManager(async (definition) => {
      // A stored workflow may use plates another process created since this engine started.
      if (refreshPlates) await plates.refresh();
      return await Workflow.fromDefinition(definition, {
        environment: this.environment,
        toolResolver: this.tools,
      });
    }, storage.workflows);
  }

  /** Builds an engine, loading the stored meta-data tree and plates. */
  static async create(options: EngineOptions = {}): Promise<Engine> {
    const storage = options.stores
      ? withStores(options.storage ?? createMemoryBackend(), options.stores)
      : (options.storage ?? createMemoryBackend());
    const plates = await PlateManager.create({
      metaDataStore: storage.metaData,
      plateStore: storage.plates,
    });
    return new Engine(options, storage, plates);
  }

  /** Starts a workflow and registers it with the workflow manager (commit it to store it). */
  workflow(id: string, info: WorkflowInfo = {}): Workflow {
    return this.workflows.register(new Workflow(id, info, this.environment));
  }

  /**
   * A tool definition by name through the engine's resolver, checked to be of `kind` so the
   * builder accepts it, e.g. `const clock = await engine.tool('clock', 'tool')`.
   */
  async tool<K extends ToolKind>(
    name: string,
    kind: K,
    options: { version?: string } = {},
  ): Promise<ToolDefinition<K>> {
    const tool = await this.tools.get(name, options);
    if (tool.kind !== kind) {
      throw new ToolLoadError(
        `tool "${name}" ${tool.version} has kind "${tool.kind}", not "${kind}": use a factor of that kind`,
        {
          tool: name,
          version: tool.version,
        },
      );
    }
    // Named functions in its parameters resolve through this engine's functions.
    const bound: ToolDefinition = Object.freeze({
      ...tool,
      create: (params?: unknown, createOptions?: Parameters<ToolDefinition['create']>[1]) =>
        tool.create(params as never, { functions: this.functions, ...createOptions }),
    });
    return bound as unknown as ToolDefinition<K>;
  }

  /**
   * A stream wherever it lives: the channel named in `options.channel`, or the one channel that
   * holds it (`StreamNotFoundError` when none does; name a channel when several do).
   *
   * @example
   * const stream = await engine.stream('temp_data', { country: 'NZ', city: 'Auckland' });
   * await stream.window('2007-01-01T00:00:00Z/P1Y').toArray();
   */
  async stream<T = unknown>(
    name: StreamIdLike,
    meta?: MetaDataInput,
    options?: FindStreamOptions,
  ): Promise<Stream<T>> {
    return (await findStream(this.channels, name, meta, options)) as Stream<T>;
  }

  /**
   * Feeds a stream from code: writes `instances` in batches (an array, an iterable or an async
   * iterable), then records `options.calculated` as calculated, never before its data. A stream
   * given by id is in `options.channel` (default: the default channel) and is created if needed.
   *
   * @example
   * await engine.write('readings', instances, { calculated: '2024-01-01T00:00:00Z/P1D' });
   */
  async write(
    stream: Stream | StreamIdLike,
    instances: Iterable<StreamInstance> | AsyncIterable<StreamInstance>,
    options?: EngineWriteOptions,
  ): Promise<WriteReport> {
    return await writeStream(
      this.channels,
      this.environment.defaultChannel,
      this.clock,
      stream,
      instances,
      options,
    );
  }

  /** Rebuilds a workflow from its JSON definition and registers it. */
  async loadDefinition(definition: unknown): Promise<Workflow> {
    const workflow = await Workflow.fromDefinition(definition, {
      environment: this.environment,
      toolResolver: this.tools,
    });
    return this.workflows.register(workflow);
  }

  /**
   * What computed each calculated range of a stream (in `channel`, default the engine's default
   * channel; inside `interval` when given): fingerprint, session, and the factor — tool, version,
   * parameters, sources — of a loaded workflow with that fingerprint.
   */
  async provenance(
    stream: StreamIdLike,
    options: { readonly channel?: string; readonly interval?: TimeInterval } = {},
  ): Promise<StreamProvenance> {
    return await streamProvenance(
      this.channels.get(options.channel ?? this.environment.defaultChannel),
      StreamId.from(stream),
      this.workflows.list().map((workflow) => workflow.graph),
      this.sessions,
      options.interval,
    );
  }

  /** The names `ExecuteOptions.runner` accepts: `local` and the registered schedulers. */
  get runners(): readonly string[] {
    return this.#runner.runners;
  }

  /** Closes the schedulers, every channel, the storage and the stores given in the options (again: nothing). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#runner.close();
    await this.channels.close();
    for (const store of new Set(this.#ownedStores)) await store.close?.();
    await this.storage.close();
  }
}

function isToolSource(value: unknown): value is ToolSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ToolSource).get === 'function' &&
    !(Symbol.iterator in value)
  );
}
