import type { Channel } from '../channels/channel.js';
import { kindOf } from '../kinds/index.js';
import type { SessionStore } from '../storage/session-store.js';
import type { StreamId } from '../streams/stream-id.js';
import type { TimeInterval } from '../time/time-interval.js';
import type { WorkflowGraph } from '../workflow/graph.js';
import type { FactorProvenance } from './fingerprint.js';
import { provenanceOf } from './fingerprint.js';

/** What computed one calculated range of a stream. */
export interface RangeProvenance {
  readonly start: number;
  readonly end: number;
  /** `invalidated`: a late write into its sources made it stale; the next execute recomputes it. */
  readonly status: 'calculated' | 'invalidated';
  /** Absent for ranges recorded before fingerprints (or by hand). */
  readonly fingerprint?: string;
  /** The session that computed it (the one of its latest part, when runs extended it). */
  readonly session?: string;
  /** The factor of a loaded workflow with this fingerprint: tool, version, parameters, sources. */
  readonly factor?: FactorProvenance;
  /** When no loaded workflow has the fingerprint: the factor and tool the session recorded. */
  readonly recorded?: { readonly factor: string; readonly tool: string };
}

/** The provenance of a stream's calculated ranges. */
export interface StreamProvenance {
  readonly stream: string;
  readonly channel: string;
  /** The factors of the loaded workflows that write the stream now. */
  readonly producers: readonly FactorProvenance[];
  readonly ranges: readonly RangeProvenance[];
}

/**
 * Which factor computed each calculated range of a stream (inside `interval`, when given): the
 * ranges' fingerprints and sessions, resolved against the loaded workflows and the session records.
 */
export async function streamProvenance(
  channel: Channel,
  id: StreamId,
  graphs: readonly WorkflowGraph[],
  sessions: SessionStore,
  interval?: TimeInterval,
): Promise<StreamProvenance> {
  const producers: FactorProvenance[] = [];
  const known = new Map<string, FactorProvenance>();
  for (const graph of graphs) {
    for (const factor of graph.factors) {
      const sink = kindOf(factor).sink(factor);
      const provenance = provenanceOf(graph, factor);
      known.set(provenance.fingerprint, provenance);
      if (sink?.id === id.name && sink.channelId === channel.id) producers.push(provenance);
    }
  }
  let ranges = await channel.getCalculatedRanges(id);
  if (interval) ranges = ranges.within(interval);
  const out: RangeProvenance[] = [];
  for (const range of ranges.ranges) {
    const { fingerprint, session } = range;
    const factor = fingerprint === undefined ? undefined : known.get(fingerprint);
    let recorded: RangeProvenance['recorded'];
    if (!factor && fingerprint !== undefined && session !== undefined) {
      const summary = (await sessions.get(session))?.factors.find(
        (f) => f.fingerprint === fingerprint,
      );
      if (summary) recorded = { factor: summary.factor, tool: summary.tool };
    }
    out.push({
      start: range.start,
      end: range.end,
      status: range.invalidated ? 'invalidated' : 'calculated',
      ...(fingerprint !== undefined ? { fingerprint } : {}),
      ...(session !== undefined ? { session } : {}),
      ...(factor ? { factor } : {}),
      ...(recorded ? { recorded } : {}),
    });
  }
  return { stream: id.key, channel: channel.id, producers, ranges: out };
}
