import type { ChannelManager } from '../channels/channel-manager.js';
import type { PlateIndex } from '../kinds/plate-index.js';
import type { PlateManager } from '../plates/plate-manager.js';
import type { Clock } from '../time/clock.js';
import type { WorkflowGraph } from '../workflow/graph.js';
import type { PieceExecutor } from './piece-executor.js';
import type { PlanTarget } from './planner.js';
import type { Run } from './run.js';

/**
 * Where the pieces of a run are executed. Every scheduler plans with the same planner and runs
 * each piece through the same piece executor (in this process or another); they differ in where a
 * piece runs, never in what running it means. The engine holds its schedulers by name
 * (`Engine.create({ schedulers })`) and `ExecuteOptions.runner` picks one (`'local'` by default).
 *
 * @remarks The contract a scheduler keeps:
 * - it computes exactly what the planner plans for `targets` (planning again for factors that
 *   waited for new plate values), each piece after the pieces it depends on;
 * - each completed piece is reported once with `run.record` / `run.addRecord`, after the executor
 *   wrote its data and recorded its interval; each failure once with `run.fail`, and the pieces
 *   depending on a failed one are skipped;
 * - when `run.signal` aborts, no new piece starts, and `run.abort` is called;
 * - it calls `run.onPlan` with the pieces of each plan before they run.
 */
export interface Scheduler {
  /** Computes what `targets` are missing; resolves false when some piece failed or was skipped. */
  compute(run: Run, graph: WorkflowGraph, targets: readonly PlanTarget[]): Promise<boolean>;
  /** Releases connections; the engine calls it from `close()`. */
  close?(): Promise<void>;
}

/** What a scheduler is built with: the engine's channels, plates, plate index and piece executor. */
export interface SchedulerContext {
  readonly channels: ChannelManager;
  readonly plates: PlateManager;
  readonly index: PlateIndex;
  readonly executor: PieceExecutor;
  readonly clock: Clock;
  /**
   * True when the engine's plates live in stores that other processes share: a scheduler whose
   * pieces may add plate values elsewhere reloads them before planning again.
   */
  readonly sharedPlates: boolean;
}

/** Builds a scheduler for an engine (called once, when a run first asks for it). */
export type SchedulerFactory = (context: SchedulerContext) => Scheduler;
