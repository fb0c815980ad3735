// Coverage of a node: for each of its streams (one per plate value), the calculated intervals, the
// gaps inside the range looked at, and which stored session computed each part.
import type { Channel } from '../channels/channel.js';
import type { Engine } from '../engine/engine.js';
import { StreamNotFoundError } from '../errors.js';
import type { Factor } from '../kinds/index.js';
import { kindOf } from '../kinds/index.js';
import type { PlateValue } from '../plates/plate.js';
import { formatPlateValue, plateValueKey } from '../plates/plate.js';
import type { SessionRecord, SessionStatus } from '../storage/session-store.js';
import type { StreamId } from '../streams/stream-id.js';
import type { TimeIntervalJSON } from '../time/time-interval.js';
import { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import type { Workflow } from '../workflow/workflow.js';

/** A stored piece that computed part of a stream, clipped to what is still calculated. */
export interface CoveragePiece extends TimeIntervalJSON {
  readonly session: string;
  readonly status: SessionStatus;
  /** When the session started (engine clock, epoch ms). */
  readonly startedAt: number;
  readonly documents: number;
}

/** One stream of a node on the coverage map. */
export interface CoverageRow {
  /** The stream's key (`name[k=v,…]`). */
  readonly stream: string;
  readonly plateValue: PlateValue;
  /** `k=v, …` or `(no plate)`. */
  readonly label: string;
  readonly calculated: readonly TimeIntervalJSON[];
  /** What is not calculated inside the coverage range. */
  readonly gaps: readonly TimeIntervalJSON[];
  /**
   * Ranges whose data an upstream change made stale (recomputed by the next execute). Empty until
   * the channel reports them: see {@link invalidatedIntervals}.
   */
  readonly invalidated: readonly TimeIntervalJSON[];
  /** Which session computed what, newest session first where pieces overlap. */
  readonly pieces: readonly CoveragePiece[];
}

/** What `GET /api/workflows/:id/nodes/:node/coverage` returns. */
export interface NodeCoverage {
  readonly workflow: string;
  readonly node: string;
  readonly channel: string;
  /** The factor computing the node, if any. */
  readonly producer: string | undefined;
  /** The range gaps are measured in: the one asked for, or the span of everything calculated. */
  readonly range: TimeIntervalJSON | null;
  readonly rows: readonly CoverageRow[];
  /** How many recent sessions of the workflow were read to attribute pieces. */
  readonly sessionsRead: number;
}

/** Options of {@link nodeCoverage}. */
export interface NodeCoverageOptions {
  /** Measure gaps in this range (default: the span of the node's calculated intervals). */
  readonly range?: TimeInterval | undefined;
  /** Read at most this many recent sessions to attribute pieces (default 200). */
  readonly sessionLimit?: number;
}

/**
 * The coverage map of one node. Pieces are attributed from stored session records (the piece's
 * factor is the node's producer and its unit is the stream's), newest first.
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
  const values: PlateValue[] = node.plates.length ? node.plateValues() : [[]];
  const streams = await Promise.all(
    values.map(async (value) => {
      const id = node.streamId(value);
      return {
        value,
        id,
        calculated: await calculatedOf(channel, id),
        invalidated: await invalidatedIntervals(channel, id),
      };
    }),
  );
  let range: TimeInterval | undefined = options.range;
  if (range === undefined) {
    const all = TimeIntervals.from(streams.flatMap((s) => [...s.calculated]));
    range = all.span ?? undefined;
  }
  const sessions = producer
    ? await engine.sessions.list({ workflow: workflow.id, limit: options.sessionLimit ?? 200 })
    : [];
  const rows = streams.map(({ value, id, calculated, invalidated }): CoverageRow => {
    const gaps = range ? TimeIntervals.of(range).difference(calculated) : TimeIntervals.EMPTY;
    return {
      stream: id.key,
      plateValue: value,
      label: formatPlateValue(value),
      calculated: calculated.toJSON(),
      gaps: gaps.toJSON(),
      invalidated: invalidated.toJSON(),
      pieces: producer ? piecesOf(sessions, producer, value, calculated) : [],
    };
  });
  rows.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return {
    workflow: workflow.id,
    node: node.id,
    channel: node.channelId,
    producer: producer?.id,
    range: range ? range.toJSON() : null,
    rows,
    sessionsRead: sessions.length,
  };
}

async function calculatedOf(channel: Channel, id: StreamId): Promise<TimeIntervals> {
  try {
    return await channel.getCalculatedIntervals(id);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return TimeIntervals.EMPTY;
    throw error;
  }
}

/**
 * The seam for invalidated ranges: a channel that records them (the provenance work: calculated
 * intervals that know what computed them, invalidated by upstream writes) offers
 * `getInvalidatedIntervals(id)`, and the coverage map shows them. Channels without it have none.
 */
export async function invalidatedIntervals(channel: Channel, id: StreamId): Promise<TimeIntervals> {
  const reader = (channel as Partial<InvalidationReader>).getInvalidatedIntervals;
  if (typeof reader !== 'function') return TimeIntervals.EMPTY;
  return await reader.call(channel, id);
}

/** What a channel that tracks invalidated ranges offers (see {@link invalidatedIntervals}). */
export interface InvalidationReader {
  getInvalidatedIntervals(id: StreamId): Promise<TimeIntervals>;
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
