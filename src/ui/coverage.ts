// Coverage of a node: for each of its streams (one per plate value), what is calculated and
// current, the gaps inside the range looked at, the ranges the next execute recomputes (invalidated
// by a late write into a source, or stale: computed by a factor with another fingerprint), and
// which stored session computed each part.
import type { Channel } from '../channels/channel.js';
import { fingerprintOf } from '../engine/fingerprint.js';
import type { Engine } from '../engine/engine.js';
import { StreamNotFoundError } from '../errors.js';
import type { Factor } from '../kinds/index.js';
import { kindOf } from '../kinds/index.js';
import type { PlateValue } from '../plates/plate.js';
import { formatPlateValue, plateValueKey } from '../plates/plate.js';
import type { CalculatedRange } from '../storage/calculated-ranges.js';
import { CalculatedRanges } from '../storage/calculated-ranges.js';
import type { SessionRecord } from '../storage/session-store.js';
import type { StreamId } from '../streams/stream-id.js';
import { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import type { Workflow } from '../workflow/workflow.js';
import type { CoveragePiece, CoverageRow, InvalidRange, NodeCoverage } from './api-types.js';

/** Options of {@link nodeCoverage}. */
export interface NodeCoverageOptions {
  /** Measure gaps in this range (default: the span of everything the node's streams record). */
  readonly range?: TimeInterval | undefined;
  /** Read at most this many recent sessions to attribute pieces (default 200). */
  readonly sessionLimit?: number;
}

const INVALIDATED_REASON =
  'a source was written inside what this range was computed from, after it was computed (late data): the next run recomputes it';

/**
 * The coverage map of one node. A stream's recorded ranges are split by their stamps: current
 * (valid, and computed by the producer as it is now, or unstamped), invalidated, and stale (valid,
 * but stamped with another fingerprint than the producer's now). Pieces are attributed from stored
 * session records (the piece's factor is the node's producer and its unit is the stream's), newest
 * first.
 */
export async function nodeCoverage(
  engine: Engine,
  workflow: Workflow,
  nodeId: string,
  options: NodeCoverageOptions = {},
): Promise<NodeCoverage> {
  const graph = workflow.graph;
  const node = graph.getNode(nodeId);
  const channel = engine.channels.get(node.channelId);
  const producer = graph.producerOf(node.id);
  const fingerprint = producer ? fingerprintOf(graph, producer) : undefined;
  const values: PlateValue[] = node.plates.length ? node.plateValues() : [[]];
  const streams = await Promise.all(
    values.map(async (value) => {
      const id = node.streamId(value);
      return { value, id, ranges: await rangesOf(channel, id) };
    }),
  );
  let range: TimeInterval | undefined = options.range;
  if (range === undefined) {
    const all = TimeIntervals.from(
      streams.flatMap((s) => s.ranges.ranges.map((r) => new TimeInterval(r.start, r.end))),
    );
    range = all.span ?? undefined;
  }
  const sessions = producer
    ? await engine.sessions.list({ workflow: workflow.id, limit: options.sessionLimit ?? 200 })
    : [];
  const recorded = await recordedFactors(
    engine,
    sessions,
    streams.flatMap((s) => s.ranges.ranges),
    fingerprint,
  );
  const rows = streams.map(({ value, id, ranges }): CoverageRow => {
    const stale = fingerprint === undefined ? [] : ranges.mismatched(fingerprint);
    const calculated = fingerprint === undefined ? ranges.intervals : ranges.matching(fingerprint);
    const everything = TimeIntervals.from(
      ranges.ranges.map((r) => new TimeInterval(r.start, r.end)),
    );
    const gaps = range ? TimeIntervals.of(range).difference(everything) : TimeIntervals.EMPTY;
    return {
      stream: id.key,
      plateValue: value,
      label: formatPlateValue(value),
      calculated: calculated.toJSON(),
      gaps: gaps.toJSON(),
      invalidated: ranges.ranges
        .filter((r) => r.invalidated)
        .map((r) => invalidRange(r, 'invalidated', INVALIDATED_REASON)),
      stale: stale.map((r) => {
        const by = recorded.get(r.fingerprint!);
        return invalidRange(
          r,
          'stale',
          `computed by ${by ?? 'a factor'} with fingerprint ${r.fingerprint!}; ${producer!.id} has fingerprint ${fingerprint!} now (its tool's major version, its parameters or its sources changed): the next run recomputes it`,
          by,
        );
      }),
      pieces: producer ? piecesOf(sessions, producer, value, calculated) : [],
    };
  });
  rows.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return {
    workflow: workflow.id,
    node: node.id,
    channel: node.channelId,
    producer: producer?.id,
    fingerprint,
    range: range ? range.toJSON() : null,
    rows,
    sessionsRead: sessions.length,
  };
}

async function rangesOf(channel: Channel, id: StreamId): Promise<CalculatedRanges> {
  try {
    return await channel.getCalculatedRanges(id);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return CalculatedRanges.EMPTY;
    throw error;
  }
}

function invalidRange(
  range: CalculatedRange,
  status: InvalidRange['status'],
  reason: string,
  computedBy?: string,
): InvalidRange {
  return {
    start: range.start,
    end: range.end,
    status,
    ...(range.session !== undefined ? { session: range.session } : {}),
    ...(range.fingerprint !== undefined ? { fingerprint: range.fingerprint } : {}),
    ...(computedBy !== undefined ? { computedBy } : {}),
    reason,
  };
}

/**
 * `factor (tool)` by fingerprint, for the fingerprints of stale ranges, from the session records
 * that computed them (the recent ones already read, else the range's own session).
 */
async function recordedFactors(
  engine: Engine,
  sessions: readonly SessionRecord[],
  ranges: readonly CalculatedRange[],
  current: string | undefined,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (current === undefined) return out;
  const learn = (session: SessionRecord | undefined): void => {
    for (const f of session?.factors ?? []) {
      if (f.fingerprint !== undefined && !out.has(f.fingerprint))
        out.set(f.fingerprint, `factor ${f.factor} (${f.tool})`);
    }
  };
  const wanted = ranges.filter(
    (r) => !r.invalidated && r.fingerprint !== undefined && r.fingerprint !== current,
  );
  if (wanted.length === 0) return out;
  sessions.forEach(learn);
  const missing = new Set(
    wanted
      .filter((r) => !out.has(r.fingerprint!) && r.session !== undefined)
      .map((r) => r.session!),
  );
  for (const id of missing) learn(await engine.sessions.get(id));
  return out;
}

function piecesOf(
  sessions: readonly SessionRecord[],
  producer: Factor,
  value: PlateValue,
  calculated: TimeIntervals,
): CoveragePiece[] {
  const unitKey = plateValueKey(kindOf(producer).unitOf(producer, value));
  const out: CoveragePiece[] = [];
  // Sessions come newest first; so do the pieces.
  for (const session of sessions) {
    for (const piece of session.pieces) {
      if (piece.factor !== producer.id || plateValueKey(piece.plateValue) !== unitKey) continue;
      const kept = calculated.intersection(
        TimeIntervals.of(new TimeInterval(piece.interval.start, piece.interval.end)),
      );
      for (const part of kept) {
        out.push({
          start: part.start,
          end: part.end,
          session: session.id,
          status: session.status,
          startedAt: session.startedAt,
          documents: piece.documents,
        });
      }
    }
  }
  return out;
}
