import type { ChannelManager } from '../channels/channel-manager.js';
import { kindOf } from '../kinds/index.js';
import type { PlannedSink } from '../kinds/kind.js';
import type { PlateIndex } from '../kinds/plate-index.js';
import type { WorkPiece } from '../kinds/work-piece.js';
import type { StreamId } from '../streams/stream-id.js';
import { FingerprintMismatchError } from '../errors.js';
import type { CalculatedRanges } from '../storage/calculated-ranges.js';
import type { WorkflowGraph } from '../workflow/graph.js';
import type { CalculatedSnapshot, FingerprintMismatch, Plan, PlanTarget } from './planner.js';
import { plan, sinksOf } from './planner.js';
import type { Run } from './run.js';

/** How a scheduler runs the pieces of one plan, and what it does before planning again. */
export interface PlanRoundsOptions {
  readonly channels: ChannelManager;
  readonly index: PlateIndex;
  /** Runs the pieces, each after those it depends on; resolves false when any did not complete. */
  readonly runPieces: (pieces: readonly WorkPiece[]) => Promise<boolean>;
  /** Called before planning the factors that waited for new plate values (e.g. reload plates). */
  readonly beforeReplan?: () => Promise<void>;
}

/**
 * The planning loop every scheduler shares: plans what `targets` are missing (loading the
 * calculated intervals the plan asks about), runs the pieces, and plans again for factors that
 * waited for plate-creation pieces of the plan, unless a factor they depend on failed. Resolves
 * to false when some piece failed or was skipped.
 */
export async function computeInRounds(
  run: Run,
  graph: WorkflowGraph,
  targets: readonly PlanTarget[],
  options: PlanRoundsOptions,
): Promise<boolean> {
  let remaining = targets;
  let ok = true;
  while (remaining.length) {
    const next = await planMissing(run, graph, remaining, options.channels, options.index);
    if (next.pieces.length) run.onPlan?.(next.pieces);
    ok = (await options.runPieces(next.pieces)) && ok;
    if (!next.deferred.length || run.stopped) break;
    // Factors waiting for plates: plan them now that the plates have their new values, unless a
    // factor they depend on failed (they would run over incomplete plates).
    const failed = new Set(run.failures.map((f) => f.factor));
    const deferred = new Set(next.deferred);
    const again = remaining.filter(
      (t) =>
        deferred.has(t.factor) && ![...graph.upstreamOf([t.factor])].some((f) => failed.has(f.id)),
    );
    if (again.length === remaining.length && next.pieces.length === 0) break;
    if (again.length) await options.beforeReplan?.();
    remaining = again;
  }
  return ok;
}

/** A plan whose snapshot holds every stream it asks about (loaded as the planner finds them). */
export async function planMissing(
  run: Run,
  graph: WorkflowGraph,
  targets: readonly PlanTarget[],
  channels: ChannelManager,
  index: PlateIndex,
): Promise<Plan> {
  const snapshot = new CalculatedCache(channels);
  // The targets' own streams first: when nothing is missing (the common re-run), one pass.
  for (const { factor, units } of targets) {
    for (const unit of units ?? kindOf(factor).units(factor, index))
      await snapshot.load(sinksOf(factor, unit, index));
  }
  for (;;) {
    const result = plan({
      graph,
      targets,
      calculated: snapshot,
      plates: index,
      ...(run.maxPieceSize !== undefined ? { maxPieceSize: run.maxPieceSize } : {}),
    });
    if (result.unknown.length) {
      await snapshot.load(result.unknown);
      continue;
    }
    const mismatch = result.mismatches[0];
    if (mismatch && run.onFingerprintMismatch === 'error') throw mismatchError(graph, mismatch);
    // Ranges from before fingerprints are trusted once and stamped as this factor's.
    for (const { channel, stream, intervals, fingerprint } of result.adoptions) {
      await channels
        .get(channel)
        .changeCalculatedRanges(stream, (ranges) =>
          ranges.adopt(intervals, { fingerprint, session: run.id }),
        );
    }
    return result;
  }
}

function mismatchError(
  graph: WorkflowGraph,
  mismatch: FingerprintMismatch,
): FingerprintMismatchError {
  const { stream, intervals, found, expected } = mismatch;
  const span = intervals.span!;
  const purge = `hyperstream purge "${stream.key}" --workflow ${graph.id} --from ${span.toISO().replace('/', ' --to ')}`;
  return new FingerprintMismatchError(
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
