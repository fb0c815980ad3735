import type { ChannelManager } from '../channels/channel-manager.js';
import { StreamView } from '../channels/stream-view.js';
import {
  ExecutionAbortedError,
  PlateMismatchError,
  StreamNotAvailableError,
  ToolExecutionError,
  ToolTimeoutError,
  WorkflowDefinitionError,
  isHyperstreamError,
} from '../errors.js';
import { kindOf } from '../kinds/index.js';
import type { AnyToolInstance, OutputRoute, PieceIO } from '../kinds/kind.js';
import type { PlateIndex } from '../kinds/plate-index.js';
import type { PieceInput, WorkPiece } from '../kinds/work-piece.js';
import type { PlateManager } from '../plates/plate-manager.js';
import { formatPlateValue } from '../plates/plate.js';
import type { CalculatedRanges } from '../storage/calculated-ranges.js';
import { StreamId } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import type { ToolKind, ToolYield } from '../tools/tool.js';
import { isColumnOutput, isOutputBatch } from '../tools/tool.js';
import type { WorkflowGraph } from '../workflow/graph.js';
import { KeyedMutex } from './concurrency.js';
import { fingerprintOf } from './fingerprint.js';
import { SinkWriter } from './sink-writer.js';

/**
 * A piece could not run because a piece it pulled failed: that failure is already reported, so the
 * scheduler skips this one instead of reporting it twice.
 */
export class UpstreamFailure extends Error {}

/** How one piece runs. */
export interface PieceRunOptions {
  /** The run's stop signal: nothing more is written once it is aborted. */
  readonly signal: AbortSignal;
  /** The session the piece runs in: recorded with its interval. */
  readonly session?: string | undefined;
  /** Longest the tool may take (ms); then it is abandoned and its piece not recorded. */
  readonly pieceTimeout?: number | undefined;
  /** Computes what is missing of an input's stream over `interval` (the undeclared pull). */
  readonly pull: (input: PieceInput, interval: TimeInterval) => Promise<void>;
  /** Documents of the piece written so far, after each batch. */
  readonly onProgress?: ((documents: number) => void) | undefined;
  /** Remembers, outside this process, which pieces of the session wrote their data. */
  readonly journal?: PieceJournal | undefined;
}

/** What one attempt of a piece wrote, as remembered by a {@link PieceJournal}. */
export interface JournalEntry {
  readonly documents: number;
  readonly durationMs: number;
}

/**
 * Survives the process that runs a piece: an attempt killed after recording its interval but
 * before reporting it leaves the next attempt (on another worker) an interval already calculated.
 * The journal tells it what the killed attempt wrote, so the session still lists the piece.
 */
export interface PieceJournal {
  /** Called with every write of the piece resolved, before its interval is recorded. */
  written(piece: WorkPiece, entry: JournalEntry): Promise<void>;
  /** What an earlier attempt of this session wrote for the piece, if one got that far. */
  find(piece: WorkPiece): Promise<JournalEntry | undefined>;
}

/** What running a piece did. */
export type PieceOutcome =
  /** `durationMs` when an earlier attempt did the work (see {@link PieceJournal}). */
  | { readonly status: 'done'; readonly documents: number; readonly durationMs?: number }
  /** Its interval was calculated by the time it could run (a concurrent run computed it). */
  | { readonly status: 'skipped' };

/**
 * Runs work pieces: the only code that runs tools. It resolves the piece's factor in the
 * workflow graph (refusing a piece planned for another tool), reads the piece's inputs, runs the
 * factor's kind, writes through the sink writer and only then records the piece's interval on its
 * sink streams. Pieces of the same unit and interval run one at a time, and a piece whose interval
 * got calculated meanwhile is skipped, so concurrent runs never compute the same thing twice.
 */
export class PieceExecutor {
  readonly #channels: ChannelManager;
  readonly #plates: PlateManager;
  readonly #index: PlateIndex;
  readonly #ids = new Map<string, StreamId>();
  readonly #running = new KeyedMutex();

  constructor(deps: { channels: ChannelManager; plates: PlateManager; index: PlateIndex }) {
    this.#channels = deps.channels;
    this.#plates = deps.plates;
    this.#index = deps.index;
  }

  async run(
    piece: WorkPiece,
    graph: WorkflowGraph,
    options: PieceRunOptions,
  ): Promise<PieceOutcome> {
    const factor = graph.getFactor(piece.factor);
    const { tool } = factor;
    if (
      factor.kind !== piece.kind ||
      tool.name !== piece.tool.name ||
      tool.version !== piece.tool.version ||
      tool.paramsJson !== piece.tool.params ||
      fingerprintOf(graph, factor) !== piece.fingerprint
    ) {
      throw new WorkflowDefinitionError(
        `piece ${piece.id} of workflow "${piece.workflow}" was planned for factor "${piece.factor}" running ` +
          `${piece.tool.name}@${piece.tool.version}${piece.tool.params} (${piece.kind}), but the factor now runs ` +
          `${tool.identity} (${factor.kind}): plan it again`,
        { workflow: piece.workflow, factor: piece.factor, piece: piece.id },
      );
    }
    const interval = new TimeInterval(piece.interval.start, piece.interval.end);
    return await this.#running.run(piece.id, async () => {
      const started = performance.now();
      const recorded = await this.#recorded(piece);
      if (recorded.every((ranges) => ranges.matching(piece.fingerprint).covers(interval))) {
        const earlier = options.journal
          ? ((await options.journal.find(piece)) ??
            (await this.#stampedBy(piece, recorded, interval, options.session)))
          : undefined;
        return earlier ? { status: 'done', ...earlier } : { status: 'skipped' };
      }
      // Where a sink records stale ranges inside the piece (another factor's results, or
      // invalidated ones), the piece's output replaces them: the interval is forgotten first, then the data
      // deleted, so no reader ever takes a mix of old and new documents for complete.
      for (const [i, sink] of piece.sinks.entries()) {
        const channel = this.#channels.get(sink.channel);
        const id = this.#stream(sink.stream);
        await channel.getOrCreateStream(id);
        // Ranges this factor computed hold what it writes again (upserts by timestamp): kept, so
        // concurrent runs of one workflow never delete each other's documents.
        const stale = recorded[i]!.within(interval).ranges.some(
          (r) => r.invalidated || (r.fingerprint ?? piece.fingerprint) !== piece.fingerprint,
        );
        if (stale) await channel.purgeStream(id, { interval });
      }
      const io = this.#io(piece, interval, graph, options);
      const documents = await kindOf(factor).run(piece, factor, io);
      // A tool may return normally after the stop signal (having cut its output short): a piece
      // finished under an abort is never recorded.
      if (options.signal.aborted) {
        throw new ExecutionAbortedError(
          `aborted while factor "${factor.id}" computed ${interval.toString()}: the piece is not recorded`,
        );
      }
      // Only now, with every write of the piece resolved, is the piece calculated.
      await options.journal?.written(piece, {
        documents,
        durationMs: performance.now() - started,
      });
      const stamp = {
        fingerprint: piece.fingerprint,
        ...(options.session !== undefined ? { session: options.session } : {}),
      };
      const intervals = TimeIntervals.of(interval);
      for (const sink of piece.sinks) {
        await this.#channels
          .get(sink.channel)
          .changeCalculatedRanges(this.#stream(sink.stream), (ranges) =>
            ranges.add(intervals, stamp),
          );
      }
      return { status: 'done', documents };
    });
  }

  /**
   * When the journal lost an earlier attempt (Redis restarted without its data) but the piece's
   * ranges are stamped with this session, that attempt recorded it: what it wrote is what the
   * sinks hold over the interval (its duration is not known). Ranges merged with a neighbour of
   * another session carry the later one's stamp, so this can miss an attempt, never invent one
   * of another session's pieces unless that session's range follows it.
   */
  async #stampedBy(
    piece: WorkPiece,
    recorded: readonly CalculatedRanges[],
    interval: TimeInterval,
    session: string | undefined,
  ): Promise<JournalEntry | undefined> {
    if (session === undefined) return undefined;
    const ours = recorded.every((ranges) =>
      ranges.within(interval).ranges.every((range) => range.session === session),
    );
    if (!ours) return undefined;
    let documents = 0;
    for (const sink of piece.sinks) {
      documents += await this.#channels
        .get(sink.channel)
        .count(this.#stream(sink.stream), interval);
    }
    return { documents, durationMs: 0 };
  }

  /** What each sink of the piece records. */
  async #recorded(piece: WorkPiece): Promise<CalculatedRanges[]> {
    const out: CalculatedRanges[] = [];
    for (const sink of piece.sinks) {
      out.push(
        await this.#channels.get(sink.channel).getCalculatedRanges(this.#stream(sink.stream)),
      );
    }
    return out;
  }

  #stream(key: string): StreamId {
    let id = this.#ids.get(key);
    if (!id) {
      // Bounded: a long-lived engine meets many streams over its life.
      if (this.#ids.size >= 100_000) this.#ids.clear();
      this.#ids.set(key, (id = StreamId.parse(key)));
    }
    return id;
  }

  #io(
    piece: WorkPiece,
    interval: TimeInterval,
    graph: WorkflowGraph,
    options: PieceRunOptions,
  ): PieceIO {
    const open = (input: PieceInput, window: TimeInterval): StreamView => {
      const channel = this.#channels.get(input.channel);
      const id = this.#stream(input.stream);
      const needed = input.needs ? input.needs.end : window.end;
      const upTo = channel.upToTimestamp;
      if (upTo !== undefined && needed > upTo)
        throw new StreamNotAvailableError(id.key, channel.id, needed, upTo);
      const node = graph.getNode(input.node);
      if (graph.producerOf(node) && !this.#index.has(node, input.plateValue)) {
        throw new PlateMismatchError(
          `node ${node.describe()} has no stream for ${formatPlateValue(input.plateValue)}: its plates do not include that value; ` +
            `check the plates' filters or the meta-data tree`,
          { node: node.id, plateValue: input.plateValue },
        );
      }
      return new StreamView(channel, id, window);
    };
    return {
      interval,
      stream: (key) => this.#stream(key),
      input: (input) => ({
        id: this.#stream(input.stream),
        view: open(input, new TimeInterval(input.window.start, input.window.end)),
      }),
      pull: async (input, window) => {
        await options.pull(input, window);
        return open({ ...input, needs: undefined }, window);
      },
      write: async (write) =>
        await this.#guard(write.tool, write.label, interval, options, async (signal) => {
          const writer = new SinkWriter(
            this.#channels.get(write.channel),
            write.sinks,
            interval,
            write.tool.identity,
            signal,
            options.onProgress,
          );
          await drain(write.execute(signal), write.route, writer);
          return await writer.finish();
        }),
      run: async (tool, label, body) => await this.#guard(tool, label, interval, options, body),
      addPlateValue: async (parent, key, value, label) =>
        await this.#plates.ensureMetaData(parent, key, value, label),
    };
  }

  /**
   * Runs a tool under the piece's timeout and stop signal, turning its failures into
   * `ToolExecutionError`s that name the tool, the sink and the interval.
   */
  async #guard<T>(
    tool: AnyToolInstance,
    sink: string,
    piece: TimeInterval,
    options: PieceRunOptions,
    body: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    const stop = (): void => controller.abort(options.signal.reason);
    options.signal.addEventListener('abort', stop, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      if (options.pieceTimeout === undefined) return await body(controller.signal);
      const limit = options.pieceTimeout;
      // A hung tool may never look at its signal: stop waiting for it. Whatever it writes later
      // is harmless, because its piece is never recorded.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new ToolTimeoutError(
            `tool ${tool.name}@${tool.version} took longer than ${limit} ms computing "${sink}" over ${piece.toString()}: ` +
              'the piece is not recorded; raise pieceTimeout or make the tool faster',
            { tool: tool.identity, sink, interval: piece.toJSON(), timeoutMs: limit },
          );
          controller.abort(error);
          reject(error);
        }, limit);
      });
      return await Promise.race([body(controller.signal), timeout]);
    } catch (error) {
      if (error instanceof ToolTimeoutError || error instanceof UpstreamFailure) throw error;
      if (isHyperstreamError(error) && error.code === 'EXECUTION_ABORTED') throw error;
      if (options.signal.aborted) {
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
      options.signal.removeEventListener('abort', stop);
    }
  }
}

/**
 * Writes every output of a tool through the writer: arrays flattened, column batches passed whole
 * (one check and at most one await per batch), each output routed to its sink.
 */
async function drain<K extends ToolKind>(
  outputs: AsyncIterable<ToolYield<K>>,
  route: OutputRoute<K>,
  writer: SinkWriter,
): Promise<void> {
  // Kinds that write yield instances (plate creation, which yields plate values, does not write).
  if (typeof route !== 'function') {
    for await (const item of outputs) {
      const write = isOutputBatch(item)
        ? writer.addAll(route, item as readonly StreamInstance[])
        : isColumnOutput(item)
          ? writer.addBatch(route, item)
          : writer.add(route, item as StreamInstance);
      if (write) await write;
    }
    return;
  }
  // A column batch is routed as a whole: its tag (plate value, source index) names the sink.
  const routeOf = route as (output: unknown) => StreamId;
  for await (const item of outputs) {
    if (isOutputBatch(item)) {
      for (const one of item) {
        const write = writer.add(routeOf(one), one as StreamInstance);
        if (write) await write;
      }
    } else if (isColumnOutput(item)) {
      const write = writer.addBatch(routeOf(item), item);
      if (write) await write;
    } else {
      const write = writer.add(routeOf(item), item as StreamInstance);
      if (write) await write;
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
