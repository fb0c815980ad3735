import type { ChannelManager } from '../channels/channel-manager.js';
import { ExecutionAbortedError } from '../errors.js';
import { kindOf } from '../kinds/index.js';
import type { PlateIndex } from '../kinds/plate-index.js';
import type { PieceInput, WorkPiece } from '../kinds/work-piece.js';
import { unitKey } from '../kinds/work-piece.js';
import type { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import type { WorkflowGraph } from '../workflow/graph.js';
import type { PieceExecutor } from './piece-executor.js';
import { UpstreamFailure } from './piece-executor.js';
import { computeInRounds } from './plan-rounds.js';
import type { PlanTarget } from './planner.js';
import type { Run } from './run.js';
import { isAbort } from './run.js';
import type { Scheduler } from './scheduler.js';

/**
 * Runs work in this process: plans pieces with the planner, then runs them through the piece
 * executor with at most `concurrency` pieces in flight, each after the pieces it reads from.
 * Results do not depend on the concurrency. A failed piece is reported once; pieces that depend on
 * it are skipped (their intervals stay uncalculated). The engine's `local` {@link Scheduler}.
 */
export class LocalScheduler implements Scheduler {
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
    return await computeInRounds(run, graph, targets, {
      channels: this.#channels,
      index: this.#index,
      runPieces: async (pieces) => await this.#runPieces(run, graph, pieces),
    });
  }

  /** Runs pieces, each after the pieces it depends on; resolves to false when any did not complete. */
  async #runPieces(run: Run, graph: WorkflowGraph, pieces: readonly WorkPiece[]): Promise<boolean> {
    const outcomes = new Map<string, Promise<boolean>>();
    for (const piece of pieces) {
      const deps = piece.dependsOn.flatMap((id) => outcomes.get(id) ?? []);
      outcomes.set(
        piece.id,
        Promise.all(deps).then(async (done) =>
          done.every(Boolean) ? await this.runPiece(run, graph, piece) : false,
        ),
      );
    }
    const results = await Promise.all(outcomes.values());
    return results.every(Boolean);
  }

  /**
   * Runs one piece through the executor, in one of the run's slots: records it in `run` when it
   * completes (with what it pulled), reports its failure with `run.fail` (or `run.abort`), and
   * resolves to whether it completed. A worker of another scheduler runs the pieces it is given
   * with this, so a piece means the same wherever it runs.
   */
  async runPiece(run: Run, graph: WorkflowGraph, piece: WorkPiece): Promise<boolean> {
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
        session: run.id,
        pieceTimeout: run.pieceTimeout,
        pull: async (input, interval) => await this.#pull(run, graph, input, interval),
        journal: run.journal,
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
        run.record(piece, outcome.documents, outcome.durationMs ?? performance.now() - started);
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
