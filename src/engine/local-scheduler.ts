import type { ChannelManager } from '../channels/channel-manager.js';
import { ExecutionAbortedError, FingerprintMismatchError } from '../errors.js';
import { kindOf } from '../kinds/index.js';
import type { PlannedSink } from '../kinds/kind.js';
import type { PlateIndex } from '../kinds/plate-index.js';
import type { PieceInput, WorkPiece } from '../kinds/work-piece.js';
import { unitKey } from '../kinds/work-piece.js';
import type { CalculatedRanges } from '../storage/calculated-ranges.js';
import type { StreamId } from '../streams/stream-id.js';
import type { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import type { WorkflowGraph } from '../workflow/graph.js';
import type { PieceExecutor } from './piece-executor.js';
import { UpstreamFailure } from './piece-executor.js';
import type { CalculatedSnapshot, Plan, PlanTarget } from './planner.js';
import { plan, sinksOf } from './planner.js';
import type { Run } from './run.js';
import { isAbort } from './run.js';

/**
 * Runs work in this process: plans pieces with the planner, then runs them through the piece
 * executor with at most `concurrency` pieces in flight, each after the pieces it reads from.
 * Results do not depend on the concurrency. A failed piece is reported once; pieces that depend on
 * it are skipped (their intervals stay uncalculated).
 */
export class LocalScheduler {
  readonly #channels: ChannelManager;
  readonly #executor: PieceExecutor;
  readonly #index: PlateIndex;

  constructor(deps: { channels: ChannelManager; executor: PieceExecutor; index: PlateIndex }) {
    this.#channels = deps.channels;
    this.#executor = deps.executor;
    this.#index = deps.index;
  }

  /**
   * Computes what `targets` are missing: plans (loading the calculated intervals the plan needs),
   * runs the pieces, and plans again for factors that waited for new plate values. Resolves to
   * false when some piece failed or was skipped.
   */
  async compute(run: Run, graph: WorkflowGraph, targets: readonly PlanTarget[]): Promise<boolean> {
    let remaining = targets;
    let ok = true;
    while (remaining.length) {
      const next = await this.#plan(run, graph, remaining);
      if (next.pieces.length) run.onPlan?.(next.pieces);
      ok = (await this.#runPieces(run, graph, next.pieces)) && ok;
      if (!next.deferred.length || run.stopped) break;
      // Factors waiting for plates: plan them now that the plates have their new values, unless a
      // factor they depend on failed (they would run over incomplete plates).
      const failed = new Set(run.failures.map((f) => f.factor));
      const deferred = new Set(next.deferred);
      const again = remaining.filter(
        (t) =>
          deferred.has(t.factor) &&
          ![...graph.upstreamOf([t.factor])].some((f) => failed.has(f.id)),
      );
      if (again.length === remaining.length && next.pieces.length === 0) break;
      remaining = again;
    }
    return ok;
  }

  /** A plan whose snapshot holds every stream it asks about (loaded as the planner finds them). */
  async #plan(run: Run, graph: WorkflowGraph, targets: readonly PlanTarget[]): Promise<Plan> {
    const snapshot = new CalculatedCache(this.#channels);
    // The targets' own streams first: when nothing is missing (the common re-run), one pass.
    for (const { factor, units } of targets) {
      for (const unit of units ?? kindOf(factor).units(factor, this.#index))
        await snapshot.load(sinksOf(factor, unit, this.#index));
    }
    for (;;) {
      const result = plan({
        graph,
        targets,
        calculated: snapshot,
        plates: this.#index,
        ...(run.maxPieceSize !== undefined ? { maxPieceSize: run.maxPieceSize } : {}),
      });
      if (result.unknown.length) {
        await snapshot.load(result.unknown);
        continue;
      }
      const mismatch = result.mismatches[0];
      if (mismatch && run.onFingerprintMismatch === 'error') {
        const { stream, intervals, found, expected } = mismatch;
        const span = intervals.span!;
        const purge = `hyperstream purge "${stream.key}" --workflow ${graph.id} --from ${span.toISO().replace('/', ' --to ')}`;
        throw new FingerprintMismatchError(
          `stream "${stream.key}" in channel "${mismatch.channel}" was computed over ${intervals.toString()} by a ` +
            `factor with fingerprint ${found.join(', ')}, not by the workflow's (${expected}): its parameters, tool ` +
            `major version or sources changed. Run with onFingerprintMismatch 'recompute', or purge it: ${purge}`,
          {
            stream: stream.key,
            channel: mismatch.channel,
            intervals: intervals.toJSON(),
            found,
            expected,
            purge,
          },
        );
      }
      // Ranges from before fingerprints are trusted once and stamped as this factor's.
      for (const { channel, stream, intervals, fingerprint } of result.adoptions) {
        await this.#channels
          .get(channel)
          .changeCalculatedRanges(stream, (ranges) =>
            ranges.adopt(intervals, { fingerprint, session: run.session }),
          );
      }
      return result;
    }
  }

  /** Runs pieces, each after the pieces it depends on; resolves to false when any did not complete. */
  async #runPieces(run: Run, graph: WorkflowGraph, pieces: readonly WorkPiece[]): Promise<boolean> {
    const outcomes = new Map<string, Promise<boolean>>();
    for (const piece of pieces) {
      const deps = piece.dependsOn.flatMap((id) => outcomes.get(id) ?? []);
      outcomes.set(
        piece.id,
        Promise.all(deps).then(async (done) =>
          done.every(Boolean) ? await this.#runOne(run, graph, piece) : false,
        ),
      );
    }
    const results = await Promise.all(outcomes.values());
    return results.every(Boolean);
  }

  async #runOne(run: Run, graph: WorkflowGraph, piece: WorkPiece): Promise<boolean> {
    await run.slots.acquire();
    try {
      if (run.signal.aborted) {
        run.abort(
          new ExecutionAbortedError(
            `aborted before factor "${piece.factor}" over (${piece.interval.start}, ${piece.interval.end}]`,
          ),
        );
        return false;
      }
      if (run.stopped) return false;
      // Memory channels resolve every await as a microtask: without this, a long run would never
      // let the event loop deliver a signal (Ctrl-C) between pieces.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const started = performance.now();
      const outcome = await this.#executor.run(piece, graph, {
        signal: run.signal,
        session: run.session,
        pieceTimeout: run.pieceTimeout,
        pull: async (input, interval) => await this.#pull(run, graph, input, interval),
        onProgress: run.onProgress
          ? (documents) =>
              run.onProgress!({
                workflow: piece.workflow,
                factor: piece.factor,
                plateValue: piece.plateValue,
                interval: piece.interval,
                documents,
              })
          : undefined,
      });
      if (outcome.status === 'done')
        run.record(piece, outcome.documents, performance.now() - started);
      const key = unitKey(piece.workflow, piece.factor, piece.plateValue);
      run.covered.set(
        key,
        (run.covered.get(key) ?? TimeIntervals.EMPTY).union(TimeIntervals.of(piece.interval)),
      );
      return true;
    } catch (error) {
      if (error instanceof UpstreamFailure) return false;
      if (isAbort(error)) run.abort(error as Error);
      else
        run.fail({
          factor: piece.factor,
          plateValue: piece.plateValue,
          interval: piece.interval,
          error,
        });
      return false;
    } finally {
      run.slots.release();
    }
  }

  /**
   * The undeclared pull: a running tool asks for a window of an input. Its producer's missing
   * pieces are planned and run (the asking piece gives its slot back meanwhile, so they can run).
   */
  async #pull(
    run: Run,
    graph: WorkflowGraph,
    input: PieceInput,
    interval: TimeInterval,
  ): Promise<void> {
    const node = graph.getNode(input.node);
    const producer = graph.producerOf(node);
    // Nothing computes it (read as it is), or not one of its streams (reported when it is opened).
    if (!producer || !this.#index.has(node, input.plateValue)) return;
    const unit = kindOf(producer).unitOf(producer, input.plateValue);
    const key = unitKey(graph.id, producer.id, unit);
    if (run.covered.get(key)?.covers(interval)) return;
    run.slots.release();
    try {
      const target = { factor: producer, units: [unit], intervals: TimeIntervals.of(interval) };
      if (!(await this.compute(run, graph, [target]))) throw new UpstreamFailure(key);
    } finally {
      await run.slots.acquire();
    }
    run.covered.set(key, (run.covered.get(key) ?? TimeIntervals.EMPTY).union(interval));
  }
}

/** Calculated intervals read from the channels, stream by stream, as the planner asks for them. */
class CalculatedCache implements CalculatedSnapshot {
  readonly #channels: ChannelManager;
  readonly #byChannel = new Map<string, Map<string, CalculatedRanges>>();

  constructor(channels: ChannelManager) {
    this.#channels = channels;
  }

  get(channel: string, id: StreamId): CalculatedRanges | undefined {
    return this.#byChannel.get(channel)?.get(id.key);
  }

  async load(sinks: readonly PlannedSink[]): Promise<void> {
    for (const { channel, id } of sinks) {
      let known = this.#byChannel.get(channel);
      if (!known) this.#byChannel.set(channel, (known = new Map<string, CalculatedRanges>()));
      if (known.has(id.key)) continue;
      known.set(id.key, await this.#channels.get(channel).getCalculatedRanges(id));
    }
  }
}
