import type { ChannelManager } from '../channels/channel-manager.js';
import {
  ExecutionAbortedError,
  ToolTimeoutError,
  PlateMismatchError,
  StreamNotAvailableError,
  ToolExecutionError,
  WorkflowExecutionError,
  isHyperstreamError,
} from '../errors.js';
import type { PlateManager } from '../plates/plate-manager.js';
import type { PlateValue } from '../plates/plate.js';
import { formatPlateValue, plateValueKey, projectPlateValue } from '../plates/plate.js';
import { StreamId } from '../streams/stream-id.js';
import { StreamView } from '../channels/stream-view.js';
import type { Clock } from '../time/clock.js';
import { toDurationMs } from '../time/duration.js';
import type { IntervalSpec } from '../time/parse-interval.js';
import { resolveInterval } from '../time/parse-interval.js';
import { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import { MIN_DATE } from '../time/timestamp.js';
import type {
  AggregateSource,
  SelectedInstance,
  SourceWindow,
  TaggedInstance,
  ToolInstance,
  ToolYield,
} from '../tools/tool.js';
import { flattenOutputs, isOutputBatch } from '../tools/tool.js';
import type {
  FactorSummary,
  PieceRecord,
  SessionRecord,
  SessionStore,
} from '../storage/session-store.js';
import type {
  ExecuteOptions,
  PurgeReport,
  PurgeTarget,
  WorkflowExecutor,
  WorkflowPurgeOptions,
} from '../workflow/execution.js';
import type {
  AggregateFactor,
  Factor,
  MultiOutputFactor,
  PlainFactor,
  PlateCreationFactor,
  SelectorFactor,
} from '../workflow/factor.js';
import { markerStreamName } from '../workflow/factor.js';
import type { Node } from '../workflow/node.js';
import type { Workflow } from '../workflow/workflow.js';
import { KeyedMutex, Semaphore } from './concurrency.js';
import { purge } from './purge.js';
import { newSessionId } from './session.js';
import { SinkWriter } from './sink-writer.js';
import { unitKey, workPiece } from './work-piece.js';

/** What the runner works with (the engine passes its own). */
export interface RunnerDependencies {
  readonly channels: ChannelManager;
  readonly plates: PlateManager;
  readonly sessions: SessionStore;
  readonly clock: Clock;
  /**
   * Reload meta-data and plates from their stores before each run: set when the stores are shared
   * with other processes, whose changes must be seen.
   */
  readonly refreshPlates?: boolean;
}

/** A unit failed in this run: dependants skip it instead of recomputing or reporting it twice. */
class UpstreamFailure extends Error {}
/** The run stops after a failure (`continueOnError: false`). */
class StopRun extends Error {}

interface Failure {
  readonly factor: string;
  readonly plateValue: PlateValue;
  readonly interval: TimeInterval;
  readonly error: unknown;
}

/** A stream whose calculated intervals say what a unit still has to compute. */
interface UnitStream {
  readonly channel: string;
  readonly id: StreamId;
}

/** Plate values sharing their value without one meta-data key (a multi-output input, an aggregate's sink). */
interface PlateGroup {
  /** The shared value without the key. */
  readonly parent: PlateValue;
  /** The grouped values, with their value of the key. */
  readonly members: { readonly value: PlateValue; readonly keyValue: string }[];
}

/** The state of one execute/request. */
class Run {
  readonly workflow: Workflow;
  readonly signal: AbortSignal;
  readonly slots: Semaphore;
  readonly concurrency: number;
  readonly maxPieceSize: number | undefined;
  readonly continueOnError: boolean;
  /** Longest a tool may take over one piece (ms), or undefined. */
  readonly pieceTimeout: number | undefined;
  readonly onPiece: ((piece: PieceRecord) => void) | undefined;
  readonly pieces: PieceRecord[] = [];
  readonly totals = new Map<
    string,
    { tool: string; pieces: number; documents: number; durationMs: number }
  >();
  readonly failures: Failure[] = [];
  readonly failedUnits = new Set<string>();
  /**
   * What each unit is known to have calculated in this run, so the many pulls of one unit (an
   * aggregate reading 200 streams split by one multi-output factor) check the store once.
   */
  readonly covered = new Map<string, TimeIntervals>();
  /** Node id → keys of its current plate values, refreshed when the meta-data tree changes. */
  readonly #valueCache = new Map<string, { version: number; keys: Set<string> }>();
  stopped = false;

  constructor(workflow: Workflow, options: ExecuteOptions) {
    this.workflow = workflow;
    this.signal = options.signal ?? new AbortController().signal;
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.slots = new Semaphore(this.concurrency);
    this.maxPieceSize =
      options.maxPieceSize === undefined ? undefined : toDurationMs(options.maxPieceSize);
    this.continueOnError = options.continueOnError ?? true;
    this.pieceTimeout =
      options.pieceTimeout === undefined ? undefined : toDurationMs(options.pieceTimeout);
    this.onPiece = options.onPiece;
  }

  hasValue(node: Node, value: PlateValue, version: number): boolean {
    let cached = this.#valueCache.get(node.id);
    if (cached?.version !== version) {
      cached = { version, keys: new Set(node.plateValues().map(plateValueKey)) };
      this.#valueCache.set(node.id, cached);
    }
    return cached.keys.has(plateValueKey(value));
  }

  record(
    factor: Factor,
    plateValue: PlateValue,
    interval: TimeInterval,
    documents: number,
    durationMs: number,
  ): void {
    const record: PieceRecord = {
      ...workPiece(this.workflow.id, factor.id, plateValue, interval),
      documents,
      durationMs,
    };
    this.pieces.push(record);
    this.onPiece?.(record);
    const total = this.totals.get(factor.id) ?? {
      tool: factor.tool.identity,
      pieces: 0,
      documents: 0,
      durationMs: 0,
    };
    total.pieces++;
    total.documents += documents;
    total.durationMs += durationMs;
    this.totals.set(factor.id, total);
  }

  fail(failure: Failure): void {
    this.failures.push(failure);
    // Storage that is down fails every other unit too, each after its own server timeout: stop.
    if (!this.continueOnError || isRetryableStorageFailure(failure.error)) this.stopped = true;
  }
}

/**
 * The compute-on-request runner. For every unit (a factor and one plate value) it computes only
 * `interval − calculated` of the unit's sink streams, pulling upstream units first over the
 * tool's source interval, writing in batches and recording each piece's interval only after its
 * writes resolved. Units are serialised by key (also across concurrent runs on this runner), so
 * concurrent pieces never compute the same thing twice; tool runs are bounded by `concurrency`.
 */
export class Runner implements WorkflowExecutor {
  readonly #deps: RunnerDependencies;
  readonly #units = new KeyedMutex();
  /**
   * Stream ids by node and plate value. Plate values are the meta-data tree's own (immutable)
   * arrays, reused across runs, so ids are built and validated once, not once per piece.
   */
  readonly #ids = new WeakMap<Node, WeakMap<PlateValue, StreamId>>();
  /** The streams of each unit, by factor and plate value (same reuse as {@link Runner.#ids}). */
  readonly #unitStreamCache = new WeakMap<Factor, WeakMap<PlateValue, UnitStream[]>>();
  /** Node → meta-data key → its plate values grouped by the value without that key. */
  readonly #groupCache = new WeakMap<
    Node,
    { version: number; byKey: Map<string, Map<string, PlateGroup>> }
  >();

  constructor(deps: RunnerDependencies) {
    this.#deps = deps;
  }

  async execute(
    workflow: Workflow,
    spec: IntervalSpec,
    options: ExecuteOptions = {},
  ): Promise<SessionRecord> {
    const interval = this.#interval(spec);
    const order = workflow.topologicalOrder();
    return await this.#session('execute', workflow, interval, undefined, options, async (run) => {
      if (run.concurrency === 1) {
        for (const factor of order) await this.#runFactor(run, factor, interval);
        return;
      }
      // Independent factors start together; a factor waits only for the factors it depends on.
      const done = new Map<Factor, Promise<void>>();
      for (const factor of order) {
        const deps = workflow.dependenciesOf(factor).map((dep) => done.get(dep)!);
        done.set(
          factor,
          Promise.allSettled(deps).then(() => this.#runFactor(run, factor, interval)),
        );
      }
      await settle([...done.values()]);
    });
  }

  async request(
    workflow: Workflow,
    nodeRef: Node | string,
    spec: IntervalSpec,
    options: ExecuteOptions = {},
  ): Promise<SessionRecord> {
    const interval = this.#interval(spec);
    const node =
      typeof nodeRef === 'string' ? workflow.getNode(nodeRef) : workflow.getNode(nodeRef.id);
    const producer = workflow.producerOf(node);
    // Plate creators upstream run first (they decide which streams exist); the rest is pulled.
    const needed = new Set<Factor>();
    const visit = (factor: Factor): void => {
      if (needed.has(factor)) return;
      needed.add(factor);
      workflow.dependenciesOf(factor).forEach(visit);
    };
    if (producer) visit(producer);
    const creators = workflow
      .topologicalOrder()
      .filter((f) => f.kind === 'plate-creation' && needed.has(f));
    return await this.#session('request', workflow, interval, node.id, options, async (run) => {
      for (const creator of creators) await this.#runFactor(run, creator, interval);
      if (producer) await this.#runFactor(run, producer, interval);
      // A node nobody computes is read as it is: only check that it can be read that far.
      else
        await settle(node.plateValues().map((value) => this.#ensure(run, node, value, interval)));
    });
  }

  async purge(
    workflow: Workflow,
    target: PurgeTarget,
    options: WorkflowPurgeOptions = {},
  ): Promise<PurgeReport> {
    return await purge(this.#deps.channels, workflow, target, options);
  }

  #interval(spec: IntervalSpec): TimeInterval {
    return resolveInterval(spec, this.#deps.clock.now(), { clock: this.#deps.clock });
  }

  async #session(
    kind: 'execute' | 'request',
    workflow: Workflow,
    interval: TimeInterval,
    node: string | undefined,
    options: ExecuteOptions,
    body: (run: Run) => Promise<void>,
  ): Promise<SessionRecord> {
    if (this.#deps.refreshPlates) await this.#deps.plates.refresh();
    const run = new Run(workflow, options);
    const base = {
      id: newSessionId(),
      kind,
      workflows: [workflow.id],
      ...(node !== undefined ? { node } : {}),
      intervals: [interval.toJSON()],
      startedAt: this.#deps.clock.now(),
    };
    await this.#deps.sessions.save({ ...base, status: 'running', factors: [], pieces: [] });
    let aborted: unknown;
    try {
      await body(run);
    } catch (error) {
      if (isAbort(error)) aborted = error;
      else if (!(error instanceof UpstreamFailure || error instanceof StopRun)) {
        run.fail({ factor: '(run)', plateValue: [], interval, error });
      }
    }
    const factors: FactorSummary[] = [...run.totals].map(([factor, t]) => ({ factor, ...t }));
    const first = run.failures[0];
    const status = aborted !== undefined ? 'aborted' : first ? 'failed' : 'completed';
    const session: SessionRecord = {
      ...base,
      endedAt: this.#deps.clock.now(),
      status,
      factors,
      pieces: run.pieces,
      ...(status === 'aborted'
        ? { error: { code: 'EXECUTION_ABORTED', message: 'execution aborted on request' } }
        : first
          ? {
              error: {
                code: isHyperstreamError(first.error) ? first.error.code : 'UNKNOWN',
                message: messageOf(first.error),
                factor: first.factor,
                plateValue: first.plateValue.map(([k, v]) => [k, v] as [string, string]),
                interval: first.interval.toJSON(),
              },
            }
          : {}),
    };
    // Saving the record must not hide why the run failed (storage may be what failed).
    let saveError: unknown;
    try {
      await this.#deps.sessions.save(session);
    } catch (error) {
      if (status === 'completed') throw error;
      saveError = error;
    }
    const unsaved = saveError === undefined ? {} : { sessionSaveError: messageOf(saveError) };
    if (status === 'aborted') {
      throw new ExecutionAbortedError(
        `workflow "${workflow.id}" was aborted over ${interval.toString()}: ${run.pieces.length} completed pieces are recorded, nothing partial`,
        { workflow: workflow.id, session, ...unsaved },
      );
    }
    if (first) {
      const more = run.failures.length > 1 ? ` (and ${run.failures.length - 1} more failures)` : '';
      throw new WorkflowExecutionError(
        `workflow "${workflow.id}" failed: factor "${first.factor}" for ${formatPlateValue(first.plateValue)} over ` +
          `${first.interval.toString()}: ${messageOf(first.error)}${more}; that interval stays uncalculated, run again to fill it`,
        {
          workflow: workflow.id,
          factor: first.factor,
          plateValue: first.plateValue,
          interval: first.interval.toJSON(),
          session,
          failures: run.failures.map((f) => ({
            factor: f.factor,
            plateValue: f.plateValue,
            interval: f.interval.toJSON(),
            message: messageOf(f.error),
          })),
          ...unsaved,
        },
        first.error,
      );
    }
    return session;
  }

  /** Runs every unit of a factor over `interval`; failures are recorded on the run, aborts propagate. */
  async #runFactor(run: Run, factor: Factor, interval: TimeInterval): Promise<void> {
    const units = this.#unitsOf(factor);
    const one = async (value: PlateValue): Promise<void> => {
      try {
        await this.#runUnit(run, factor, value, interval);
      } catch (error) {
        // Failures are already recorded on the run; aborts (and bugs) propagate.
        if (!(error instanceof UpstreamFailure || error instanceof StopRun)) throw error;
      }
    };
    if (run.concurrency === 1) {
      for (const value of units) await one(value);
    } else {
      await settle(units.map(one));
    }
  }

  /** The plate values a factor runs for: sink values; input values for multi-output; parent values for plate creation. */
  #unitsOf(factor: Factor): PlateValue[] {
    switch (factor.kind) {
      case 'plate-creation':
        return factor.outputPlate.parent ? factor.outputPlate.parent.values() : [[]];
      case 'multi-output':
        return [...this.#groups(factor.sink, factor.outputPlate.metaKey).values()].map(
          (group) => group.parent,
        );
      default:
        return factor.sink.plateValues();
    }
  }

  /** Makes sure a node's stream is calculated over `interval` (computing its factor's missing pieces). */
  async #ensure(run: Run, node: Node, value: PlateValue, interval: TimeInterval): Promise<void> {
    const producer = run.workflow.producerOf(node);
    if (!producer) {
      const channel = this.#deps.channels.get(node.channelId);
      const upTo = channel.upToTimestamp;
      if (upTo !== undefined && interval.end > upTo) {
        throw new StreamNotAvailableError(
          this.#streamId(node, value).key,
          channel.id,
          interval.end,
          upTo,
        );
      }
      return;
    }
    if (!run.hasValue(node, value, this.#deps.plates.tree.version)) {
      throw new PlateMismatchError(
        `node ${node.describe()} has no stream for ${formatPlateValue(value)}: its plates do not include that value; ` +
          `check the plates' filters or the meta-data tree`,
        { node: node.id, plateValue: value },
      );
    }
    const unit =
      producer.kind === 'multi-output'
        ? value.filter(([k]) => k !== producer.outputPlate.metaKey)
        : value;
    await this.#runUnit(run, producer, unit, interval);
  }

  async #input(
    run: Run,
    node: Node,
    value: PlateValue,
    interval: TimeInterval,
  ): Promise<SourceWindow> {
    const projected = projectPlateValue(value, node.keys);
    await this.#ensure(run, node, projected, interval);
    const id = this.#streamId(node, projected);
    return { id, view: new StreamView(this.#deps.channels.get(node.channelId), id, interval) };
  }

  /** Computes the missing pieces of one unit, one unit key at a time. */
  async #runUnit(
    run: Run,
    factor: Factor,
    value: PlateValue,
    interval: TimeInterval,
  ): Promise<void> {
    const key = unitKey(run.workflow.id, factor.id, value);
    if (run.failedUnits.has(key)) throw new UpstreamFailure(key);
    if (run.covered.get(key)?.covers(interval)) return;
    // Already calculated (the common re-run): no lock needed, as intervals are recorded only
    // after their data. A failing read falls through to the locked path, which reports it.
    try {
      if ((await this.#required(this.#unitStreams(factor, value), interval)).isEmpty) {
        run.covered.set(key, (run.covered.get(key) ?? TimeIntervals.EMPTY).union(interval));
        return;
      }
    } catch {
      // Reported by the locked path below, which meets the same failure.
    }
    await this.#units.run(key, async () => {
      if (run.failedUnits.has(key)) throw new UpstreamFailure(key);
      if (run.covered.get(key)?.covers(interval)) return;
      let piece: TimeInterval = interval;
      try {
        const streams = this.#unitStreams(factor, value);
        const required = await this.#required(streams, interval);
        const size = factor.maxPieceSize ?? run.maxPieceSize;
        for (piece of size === undefined ? required.toArray() : required.split(size)) {
          // With memory channels every await resolves as a microtask: without a macrotask turn
          // here, signal handlers (Ctrl-C) and timers would never run until the whole run ends.
          await new Promise((resolve) => setImmediate(resolve));
          if (run.signal.aborted) {
            throw new ExecutionAbortedError(
              `aborted before factor "${factor.id}" over ${piece.toString()}`,
            );
          }
          if (run.stopped) throw new StopRun();
          const started = performance.now();
          const documents = await this.#runPiece(run, factor, value, piece, streams);
          run.record(factor, value, piece, documents, performance.now() - started);
        }
        run.covered.set(key, (run.covered.get(key) ?? TimeIntervals.EMPTY).union(interval));
      } catch (error) {
        if (isAbort(error) || error instanceof UpstreamFailure || error instanceof StopRun)
          throw error;
        run.failedUnits.add(key);
        run.fail({ factor: factor.id, plateValue: value, interval: piece, error });
        throw new UpstreamFailure(key);
      }
    });
  }

  /** What of `interval` is not calculated in every one of `streams`. */
  async #required(streams: readonly UnitStream[], interval: TimeInterval): Promise<TimeIntervals> {
    let required = TimeIntervals.EMPTY;
    for (const { channel, id } of streams) {
      const calculated = await this.#deps.channels.get(channel).getCalculatedIntervals(id);
      if (!calculated.covers(interval)) {
        required = required.union(TimeIntervals.of(interval).difference(calculated));
      }
    }
    return required;
  }

  /** The streams whose calculated intervals say what a unit still has to compute. */
  #unitStreams(factor: Factor, value: PlateValue): UnitStream[] {
    let byValue = this.#unitStreamCache.get(factor);
    if (!byValue) this.#unitStreamCache.set(factor, (byValue = new WeakMap()));
    let streams = byValue.get(value);
    if (streams) return streams;
    switch (factor.kind) {
      case 'plate-creation':
        streams = [
          { channel: factor.markerChannel, id: StreamId.of(markerStreamName(factor), value) },
        ];
        break;
      case 'multi-output': {
        // Not cached: the output plate's values under `value` change with the meta-data tree.
        const group = this.#groups(factor.sink, factor.outputPlate.metaKey).get(
          plateValueKey(value),
        );
        return (group?.members ?? []).map((member) => ({
          channel: factor.sink.channelId,
          id: this.#streamId(factor.sink, member.value),
        }));
      }
      default:
        streams = [{ channel: factor.sink.channelId, id: this.#streamId(factor.sink, value) }];
    }
    byValue.set(value, streams);
    return streams;
  }

  /** The stream of a node for a plate value, built once per (node, value). */
  #streamId(node: Node, value: PlateValue): StreamId {
    let byValue = this.#ids.get(node);
    if (!byValue) this.#ids.set(node, (byValue = new WeakMap()));
    let id = byValue.get(value);
    if (!id) byValue.set(value, (id = node.streamId(value)));
    return id;
  }

  /** A node's plate values grouped by their value without `key`, rebuilt when the tree changes. */
  #groups(node: Node, key: string): Map<string, PlateGroup> {
    const version = this.#deps.plates.tree.version;
    let cached = this.#groupCache.get(node);
    if (cached?.version !== version) {
      cached = { version, byKey: new Map() };
      this.#groupCache.set(node, cached);
    }
    let groups = cached.byKey.get(key);
    if (!groups) {
      groups = new Map();
      for (const value of node.plateValues()) {
        const parent = value.filter(([k]) => k !== key);
        const parentKey = plateValueKey(parent);
        let group = groups.get(parentKey);
        if (!group) groups.set(parentKey, (group = { parent, members: [] }));
        const pair = value.find(([k]) => k === key);
        if (pair) group.members.push({ value, keyValue: pair[1] });
      }
      cached.byKey.set(key, groups);
    }
    return groups;
  }

  async #runPiece(
    run: Run,
    factor: Factor,
    value: PlateValue,
    piece: TimeInterval,
    streams: readonly UnitStream[],
  ): Promise<number> {
    for (const { channel, id } of streams)
      await this.#deps.channels.get(channel).getOrCreateStream(id);
    let documents: number;
    switch (factor.kind) {
      case 'tool':
        documents = await this.#plain(run, factor, value, piece);
        break;
      case 'multi-output':
        documents = await this.#multiOutput(run, factor, value, piece, streams);
        break;
      case 'aggregate':
        documents = await this.#aggregate(run, factor, value, piece);
        break;
      case 'selector':
        documents = await this.#selector(run, factor, value, piece);
        break;
      case 'plate-creation':
        documents = await this.#plateCreation(run, factor, value, piece);
        break;
    }
    // A tool may return normally after the stop signal (having cut its output short): a piece
    // finished under an abort is never recorded.
    if (run.signal.aborted) {
      throw new ExecutionAbortedError(
        `aborted while factor "${factor.id}" computed ${piece.toString()}: the piece is not recorded`,
      );
    }
    // Only now, with every write of the piece resolved, is the piece calculated.
    for (const { channel, id } of streams)
      await this.#deps.channels.get(channel).addCalculatedIntervals(id, piece);
    return documents;
  }

  /** Runs a tool inside a concurrency slot, turning its failures into `ToolExecutionError`s. */
  async #withSlot<T>(
    run: Run,
    tool: ToolInstance,
    sink: string,
    piece: TimeInterval,
    body: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    await run.slots.acquire();
    const pieceController = new AbortController();
    const stop = (): void => pieceController.abort(run.signal.reason);
    run.signal.addEventListener('abort', stop, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      if (run.pieceTimeout === undefined) return await body(pieceController.signal);
      const limit = run.pieceTimeout;
      // A hung tool may never look at its signal: stop waiting for it. Whatever it writes later
      // is harmless, because its piece is never recorded.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new ToolTimeoutError(
            `tool ${tool.name}@${tool.version} took longer than ${limit} ms computing "${sink}" over ${piece.toString()}: ` +
              'the piece is not recorded; raise pieceTimeout or make the tool faster',
            { tool: tool.identity, sink, interval: piece.toJSON(), timeoutMs: limit },
          );
          pieceController.abort(error);
          reject(error);
        }, limit);
      });
      return await Promise.race([body(pieceController.signal), timeout]);
    } catch (error) {
      if (error instanceof ToolTimeoutError) throw error;
      if (error instanceof UpstreamFailure || error instanceof StopRun || isAbort(error))
        throw error;
      if (run.signal.aborted) {
        throw new ExecutionAbortedError(
          `aborted while tool "${tool.name}" computed "${sink}" over ${piece.toString()}`,
        );
      }
      // Already precise: output the writer rejected, or storage failing (not the tool's fault).
      if (
        isHyperstreamError(error) &&
        (error.code === 'TOOL_EXECUTION_FAILED' || error.code === 'STORAGE_FAILED')
      ) {
        throw error;
      }
      throw new ToolExecutionError(
        `tool ${tool.name}@${tool.version} failed computing "${sink}" over ${piece.toString()}: ${messageOf(error)}`,
        { tool: tool.identity, sink, interval: piece.toJSON() },
        error,
      );
    } finally {
      clearTimeout(timer);
      run.signal.removeEventListener('abort', stop);
      run.slots.release();
    }
  }

  async #plain(
    run: Run,
    factor: PlainFactor,
    value: PlateValue,
    piece: TimeInterval,
  ): Promise<number> {
    const { tool, sink } = factor;
    const sourceInterval = tool.sourceInterval(piece);
    const sources = await Promise.all(
      factor.sources.map((node) => this.#input(run, node, value, sourceInterval)),
    );
    const alignment = factor.alignment
      ? await this.#input(run, factor.alignment, value, piece)
      : undefined;
    const sinkId = this.#streamId(sink, value);
    return await this.#intoSink(
      run,
      tool as ToolInstance,
      sink.channelId,
      sinkId,
      piece,
      (signal) =>
        tool.execute({
          params: tool.params,
          interval: piece,
          signal,
          sources,
          alignment,
          sink: sinkId,
          sourceWindow: async (index: number, window: TimeInterval): Promise<StreamView> => {
            const node = factor.sources[index];
            if (!node)
              throw new RangeError(
                `sourceWindow(${index}): the factor has ${factor.sources.length} sources`,
              );
            // Give the slot back while pulling upstream, so upstream pieces can run.
            run.slots.release();
            try {
              return (await this.#input(run, node, value, window)).view;
            } finally {
              await run.slots.acquire();
            }
          },
        }),
    );
  }

  /**
   * Runs a single-sink tool (plain or aggregate) in a slot and writes what it yields to `sinkId`,
   * returning the number of documents once every write has resolved.
   */
  async #intoSink(
    run: Run,
    tool: ToolInstance,
    channelId: string,
    sinkId: StreamId,
    piece: TimeInterval,
    execute: (signal: AbortSignal) => AsyncIterable<ToolYield<'tool'>>,
  ): Promise<number> {
    return await this.#withSlot(run, tool, sinkId.toString(), piece, async (signal) => {
      const writer = new SinkWriter(
        this.#deps.channels.get(channelId),
        [sinkId],
        piece,
        tool.identity,
        signal,
      );
      for await (const item of execute(signal)) {
        const write = isOutputBatch(item) ? writer.addAll(sinkId, item) : writer.add(sinkId, item);
        if (write) await write;
      }
      return await writer.finish();
    });
  }

  async #multiOutput(
    run: Run,
    factor: MultiOutputFactor,
    value: PlateValue,
    piece: TimeInterval,
    streams: readonly UnitStream[],
  ): Promise<number> {
    const { tool, sink, outputPlate } = factor;
    const source = factor.source
      ? await this.#input(run, factor.source, value, tool.sourceInterval(piece))
      : undefined;
    let splitting: SourceWindow | undefined;
    if (factor.splitting) {
      // Computed over the piece only (from MIN_DATE could mean a clock since year 1); the view
      // still reaches back to MIN_DATE so a mapping written earlier is found.
      const window = await this.#input(run, factor.splitting, value, piece);
      splitting = {
        id: window.id,
        view: new StreamView(window.view.channel, window.id, new TimeInterval(MIN_DATE, piece.end)),
      };
    }
    const byValue = new Map<string, StreamId>();
    for (const { id } of streams) byValue.set(id.get(outputPlate.metaKey)!, id);
    const label = `${sink.id}[${formatPlateValue(value)}, ${outputPlate.metaKey}=*]`;
    return await this.#withSlot(run, tool as ToolInstance, label, piece, async (signal) => {
      const writer = new SinkWriter(
        this.#deps.channels.get(sink.channelId),
        [...byValue.values()],
        piece,
        tool.identity,
        signal,
      );
      const context = {
        params: tool.params,
        interval: piece,
        signal,
        source,
        splitting,
        outputMetaKey: outputPlate.metaKey,
        outputPlateValues: [...byValue.keys()],
      };
      const add = (item: TaggedInstance): Promise<void> | undefined => {
        const id = byValue.get(item?.plateValue);
        if (!id) {
          throw new ToolExecutionError(
            `tool ${tool.identity} produced plate value "${String(item?.plateValue)}", which is not a value of plate ` +
              `"${outputPlate.id}" under ${formatPlateValue(value)} (expected one of ${[...byValue.keys()].join(', ') || '(none)'}), ` +
              `computing "${sink.id}" over ${piece.toString()}: add it to the meta-data tree or filter it out`,
            {
              tool: tool.identity,
              sink: sink.id,
              plateValue: item?.plateValue,
              interval: piece.toJSON(),
            },
          );
        }
        return writer.add(id, item);
      };
      for await (const item of tool.execute(context)) {
        if (isOutputBatch(item)) {
          for (const one of item) {
            const write = add(one);
            if (write) await write;
          }
        } else {
          const write = add(item);
          if (write) await write;
        }
      }
      return await writer.finish();
    });
  }

  /** The streams of `nodes` whose plate value without `key` is `value`, with their value of `key`. */
  #streamsUnder(
    nodes: readonly Node[],
    key: string,
    value: PlateValue,
  ): { node: Node; value: PlateValue; keyValue: string }[] {
    const target = plateValueKey(value);
    const out: { node: Node; value: PlateValue; keyValue: string }[] = [];
    for (const node of nodes) {
      for (const member of this.#groups(node, key).get(target)?.members ?? []) {
        out.push({ node, value: member.value, keyValue: member.keyValue });
      }
    }
    return out;
  }

  async #aggregate(
    run: Run,
    factor: AggregateFactor,
    value: PlateValue,
    piece: TimeInterval,
  ): Promise<number> {
    const { tool, sink, aggregationMetaKey } = factor;
    const sourceInterval = tool.sourceInterval(piece);
    const sources: AggregateSource[] = await Promise.all(
      this.#streamsUnder(factor.sources, aggregationMetaKey, value).map(async (s) => ({
        ...(await this.#input(run, s.node, s.value, sourceInterval)),
        plateValue: s.keyValue,
      })),
    );
    const alignment = factor.alignment
      ? await this.#input(run, factor.alignment, value, piece)
      : undefined;
    const sinkId = this.#streamId(sink, value);
    return await this.#intoSink(
      run,
      tool as ToolInstance,
      sink.channelId,
      sinkId,
      piece,
      (signal) =>
        tool.execute({
          params: tool.params,
          interval: piece,
          signal,
          sources,
          alignment,
          aggregationMetaKey,
          sink: sinkId,
        }),
    );
  }

  async #selector(
    run: Run,
    factor: SelectorFactor,
    value: PlateValue,
    piece: TimeInterval,
  ): Promise<number> {
    const { tool, sink, selectorMetaKey } = factor;
    const sourceInterval = tool.sourceInterval(piece);
    const sources = await Promise.all(
      this.#streamsUnder(factor.sources, selectorMetaKey, value).map((s) =>
        this.#input(run, s.node, s.value, sourceInterval),
      ),
    );
    const sinkId = this.#streamId(sink, value);
    return await this.#withSlot(
      run,
      tool as ToolInstance,
      sinkId.toString(),
      piece,
      async (signal) => {
        const writer = new SinkWriter(
          this.#deps.channels.get(sink.channelId),
          [sinkId],
          piece,
          tool.identity,
          signal,
        );
        const context = {
          params: tool.params,
          interval: piece,
          signal,
          sources,
          selectorMetaKey,
        };
        const add = (item: SelectedInstance): Promise<void> | undefined => {
          if (!Number.isInteger(item?.sourceIndex) || !sources[item.sourceIndex]) {
            throw new ToolExecutionError(
              `tool ${tool.identity} selected source ${String(item?.sourceIndex)}, but there are ${sources.length} sources, computing "${sinkId.toString()}" over ${piece.toString()}`,
              { tool: tool.identity, sink: sinkId.key, interval: piece.toJSON() },
            );
          }
          return writer.add(sinkId, item);
        };
        for await (const item of tool.execute(context)) {
          for (const one of isOutputBatch(item) ? item : [item]) {
            const write = add(one);
            if (write) await write;
          }
        }
        return await writer.finish();
      },
    );
  }

  async #plateCreation(
    run: Run,
    factor: PlateCreationFactor,
    value: PlateValue,
    piece: TimeInterval,
  ): Promise<number> {
    const { tool, outputPlate } = factor;
    const source = factor.source
      ? await this.#input(run, factor.source, value, tool.sourceInterval(piece))
      : undefined;
    const label = `plate "${outputPlate.id}" under ${formatPlateValue(value)}`;
    const created = await this.#withSlot(
      run,
      tool as ToolInstance,
      label,
      piece,
      async (signal) => {
        const found: { value: string; label?: string }[] = [];
        const context = {
          params: tool.params,
          interval: piece,
          signal,
          source,
          outputMetaKey: outputPlate.metaKey,
          parent: value,
        };
        for await (const item of flattenOutputs(tool.execute(context))) {
          if (typeof item?.value !== 'string' || item.value === '') {
            throw new ToolExecutionError(
              `tool ${tool.identity} produced plate value ${JSON.stringify(item?.value)} for ${label}: plate values are non-empty strings`,
              { tool: tool.identity, plate: outputPlate.id, interval: piece.toJSON() },
            );
          }
          found.push(item);
        }
        return found;
      },
    );
    let added = 0;
    for (const item of created) {
      if (
        await this.#deps.plates.ensureMetaData(value, outputPlate.metaKey, item.value, item.label)
      )
        added++;
    }
    return added;
  }
}

function isAbort(error: unknown): boolean {
  return isHyperstreamError(error) && error.code === 'EXECUTION_ABORTED';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Waits for every promise; rethrows the first abort, or else the first other failure. */
async function settle(promises: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const rejected = results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => r.reason as unknown);
  const abort = rejected.find(isAbort);
  // Rejections here are the errors of pieces and runs, all Error instances.
  if (abort !== undefined) throw abort as Error;
  if (rejected.length) throw rejected[0] as Error;
}

function isRetryableStorageFailure(error: unknown): boolean {
  for (
    let e: unknown = error;
    e !== undefined && e !== null;
    e = (e as { cause?: unknown }).cause
  ) {
    if (
      isHyperstreamError(e) &&
      e.code === 'STORAGE_FAILED' &&
      (e as { retryable?: boolean }).retryable
    ) {
      return true;
    }
    if (typeof e !== 'object') break;
  }
  return false;
}
