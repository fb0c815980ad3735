import type { ChannelManager } from '../channels/channel-manager.js';
import { InvalidArgumentError, StreamNotAvailableError } from '../errors.js';
import { kindOf } from '../kinds/index.js';
import type { NodeRef } from '../kinds/kind.js';
import { PlateIndex } from '../kinds/plate-index.js';
import type { PlateManager } from '../plates/plate-manager.js';
import { plateValueKey } from '../plates/plate.js';
import type { SessionRecord } from '../storage/session-store.js';
import type { Clock } from '../time/clock.js';
import type { IntervalSpec } from '../time/parse-interval.js';
import { resolveInterval } from '../time/parse-interval.js';
import type { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import type {
  ExecutableWorkflow,
  ExecuteOptions,
  PurgeReport,
  PurgeTarget,
  WorkflowExecutor,
  WorkflowPurgeOptions,
} from '../workflow/execution.js';
import { LocalScheduler } from './local-scheduler.js';
import { PieceExecutor } from './piece-executor.js';
import type { PlanTarget } from './planner.js';
import { purge } from './purge.js';
import type { RunSessions, SessionStart } from './run.js';
import { LOCAL_RUNNER, Run, runSession } from './run.js';
import type { Scheduler, SchedulerContext, SchedulerFactory } from './scheduler.js';

/** What the runner works with (the engine passes its own). */
export interface RunnerDependencies {
  readonly channels: ChannelManager;
  readonly plates: PlateManager;
  readonly sessions: RunSessions;
  readonly clock: Clock;
  /**
   * Reload meta-data and plates from their stores before each run: set when the stores are shared
   * with other processes, whose changes must be seen.
   */
  readonly refreshPlates?: boolean;
  /**
   * Schedulers besides `local`, by name (`ExecuteOptions.runner` picks one); each is built when a
   * run first asks for it.
   */
  readonly schedulers?: Readonly<Record<string, SchedulerFactory>>;
}

/**
 * The engine's compute-on-request runner: each execute or request is one session in which a
 * scheduler (the one `ExecuteOptions.runner` names, `local` by default) plans the missing pieces
 * and runs them through the piece executor.
 */
export class Runner implements WorkflowExecutor {
  readonly #deps: RunnerDependencies;
  readonly #context: SchedulerContext;
  readonly #factories: ReadonlyMap<string, SchedulerFactory>;
  readonly #schedulers = new Map<string, Scheduler>();

  constructor(deps: RunnerDependencies) {
    this.#deps = deps;
    const index = new PlateIndex(() => deps.plates.tree.version);
    const executor = new PieceExecutor({ channels: deps.channels, plates: deps.plates, index });
    this.#context = {
      channels: deps.channels,
      plates: deps.plates,
      index,
      executor,
      clock: deps.clock,
      sharedPlates: deps.refreshPlates ?? false,
    };
    const factories = new Map<string, SchedulerFactory>([
      [LOCAL_RUNNER, (context) => new LocalScheduler(context)],
    ]);
    for (const [name, factory] of Object.entries(deps.schedulers ?? {})) {
      if (factories.has(name) || typeof factory !== 'function') {
        throw new InvalidArgumentError(
          name === LOCAL_RUNNER
            ? `scheduler name "${LOCAL_RUNNER}" is taken by the engine's own scheduler: register yours under another name`
            : `scheduler "${name}" must be a factory (context) => Scheduler, got ${typeof factory}`,
          { runner: name },
        );
      }
      factories.set(name, factory);
    }
    this.#factories = factories;
  }

  /** The names `ExecuteOptions.runner` accepts. */
  get runners(): readonly string[] {
    return [...this.#factories.keys()];
  }

  /** Closes the schedulers that were built (their connections). */
  async close(): Promise<void> {
    const built = [...this.#schedulers.values()];
    this.#schedulers.clear();
    for (const scheduler of built) await scheduler.close?.();
  }

  async execute(
    workflow: ExecutableWorkflow,
    spec: IntervalSpec,
    options: ExecuteOptions = {},
  ): Promise<SessionRecord> {
    const interval = this.#interval(spec);
    const start = { kind: 'execute' as const, intervals: [interval.toJSON()] };
    return await this.#session(workflow, start, options, async (run, graph) => {
      const intervals = TimeIntervals.of(interval);
      await this.#scheduler(run).compute(
        run,
        graph,
        graph.order.map((factor) => ({ factor, intervals })),
      );
    });
  }

  async request(
    workflow: ExecutableWorkflow,
    nodeRef: NodeRef,
    spec: IntervalSpec,
    options: ExecuteOptions = {},
  ): Promise<SessionRecord> {
    const interval = this.#interval(spec);
    const graph = workflow.graph;
    const node = graph.getNode(typeof nodeRef === 'string' ? nodeRef : nodeRef.id);
    const start = { kind: 'request' as const, node: node.id, intervals: [interval.toJSON()] };
    return await this.#session(workflow, start, options, async (run) => {
      const producer = graph.producerOf(node);
      if (!producer) {
        // A node nobody computes is read as it is: only check that it can be read that far.
        this.#checkReadable(
          node.channelId,
          node.plateValues().map((v) => node.streamId(v)),
          interval,
        );
        return;
      }
      const intervals = TimeIntervals.of(interval);
      // Plate creators upstream run first (they decide which streams exist); the rest is pulled.
      const creators = [...graph.upstreamOf([producer])].filter(
        (f) => f !== producer && kindOf(f).createdPlate(f) !== undefined,
      );
      const units = new Map(
        node.plateValues().map((v) => {
          const unit = kindOf(producer).unitOf(producer, v);
          return [plateValueKey(unit), unit] as const;
        }),
      );
      const targets: PlanTarget[] = [
        ...creators.map((factor) => ({ factor, intervals })),
        { factor: producer, units: [...units.values()], intervals },
      ];
      await this.#scheduler(run).compute(run, graph, targets);
    });
  }

  async purge(
    workflow: ExecutableWorkflow,
    target: PurgeTarget,
    options: WorkflowPurgeOptions = {},
  ): Promise<PurgeReport> {
    return await purge(this.#deps.channels, workflow.graph, target, options);
  }

  /** The scheduler the run asked for, built on first use. */
  #scheduler(run: Run): Scheduler {
    let scheduler = this.#schedulers.get(run.runner);
    if (scheduler) return scheduler;
    const factory = this.#factories.get(run.runner);
    if (!factory) {
      throw new InvalidArgumentError(
        `unknown runner "${run.runner}": this engine has ${this.runners.map((n) => `"${n}"`).join(', ')}; ` +
          'register more with Engine.create({ schedulers })',
        { runner: run.runner },
      );
    }
    scheduler = factory(this.#context);
    this.#schedulers.set(run.runner, scheduler);
    return scheduler;
  }

  #interval(spec: IntervalSpec): TimeInterval {
    return resolveInterval(spec, this.#deps.clock.now(), { clock: this.#deps.clock });
  }

  async #session(
    workflow: ExecutableWorkflow,
    start: Omit<SessionStart, 'workflows'>,
    options: ExecuteOptions,
    body: (run: Run, graph: ExecutableWorkflow['graph']) => Promise<void>,
  ): Promise<SessionRecord> {
    if (this.#deps.refreshPlates) await this.#deps.plates.refresh();
    const graph = workflow.graph;
    const run = new Run(graph.id, options);
    // An unknown runner is a usage error, not a failed session.
    this.#scheduler(run);
    return await runSession(
      this.#deps,
      { ...start, workflows: [graph.id] },
      run,
      async () => await body(run, graph),
    );
  }

  #checkReadable(channelId: string, ids: readonly { key: string }[], interval: TimeInterval): void {
    const channel = this.#deps.channels.get(channelId);
    const upTo = channel.upToTimestamp;
    if (upTo === undefined || interval.end <= upTo) return;
    const first = ids[0];
    if (first) throw new StreamNotAvailableError(first.key, channel.id, interval.end, upTo);
  }
}
