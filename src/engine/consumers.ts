import type { ExternalWrite } from '../channels/channel.js';
import type { ChannelManager } from '../channels/channel-manager.js';
import type { Factor } from '../kinds/index.js';
import { kindOf } from '../kinds/index.js';
import type { PlateIndex } from '../kinds/plate-index.js';
import type { PlateValue } from '../plates/plate.js';
import type { StreamId } from '../streams/stream-id.js';
import { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import type { WorkflowGraph } from '../workflow/graph.js';
import { sinksOf } from './planner.js';

/** A stream and a part of its time. */
export interface StreamRanges {
  readonly channel: string;
  readonly id: StreamId;
  /** The workflow node whose stream it is. */
  readonly node: string;
  readonly intervals: TimeIntervals;
}

/** Where a change starts: a stream (by channel and key) and what of it changed. */
export interface ChangedStream {
  readonly channel: string;
  readonly key: string;
  readonly intervals: TimeIntervals;
}

interface Consumer {
  readonly factor: Factor;
  readonly unit: PlateValue;
  /** Index of the input in `inputsOf(factor, unit, …)`. */
  readonly input: number;
}

/**
 * Every stream of `graph` computed (directly or not) from the changed streams, with the part of
 * its time that depends on the change: a consumer reading its input over `(a − before, b + after]`
 * for an output over `(a, b]` (its declared lookback and lookahead, `sourceInterval`) has its
 * outputs over `(s − after, e + before]` depend on a change over `(s, e]`. Undeclared pulls are not
 * seen. Pure.
 */
export function downstreamRanges(
  graph: WorkflowGraph,
  plates: PlateIndex,
  changed: readonly ChangedStream[],
): StreamRanges[] {
  const consumers = consumersOf(graph, plates);
  const found = new Map<string, StreamRanges>();
  const queue: ChangedStream[] = [...changed];
  for (let next = queue.shift(); next; next = queue.shift()) {
    for (const { factor, unit, input } of consumers.get(streamKey(next.channel, next.key)) ?? []) {
      const affected = TimeIntervals.from(
        next.intervals.toArray().map((interval) => {
          const planned = kindOf(factor).inputsOf(factor, unit, interval, plates)[input]!;
          const read = planned.needs
            ? TimeIntervals.of(planned.window).union(planned.needs).span!
            : planned.window;
          const before = Math.max(0, interval.start - read.start);
          const after = Math.max(0, read.end - interval.end);
          return new TimeInterval(interval.start - after, interval.end + before);
        }),
      );
      const sink = kindOf(factor).sink(factor);
      for (const { channel, id } of sinksOf(factor, unit, plates)) {
        const key = streamKey(channel, id.key);
        const known = found.get(key);
        const fresh = known ? affected.difference(known.intervals) : affected;
        if (fresh.isEmpty) continue;
        found.set(key, {
          channel,
          id,
          node: sink?.id ?? factor.id,
          intervals: known ? known.intervals.union(fresh) : fresh,
        });
        queue.push({ channel, key: id.key, intervals: fresh });
      }
    }
  }
  return [...found.values()];
}

const WHOLE_GRAPH: PlateValue = [];

/** Which units read each stream (by channel and key), cached until the meta-data tree changes. */
function consumersOf(graph: WorkflowGraph, plates: PlateIndex): Map<string, Consumer[]> {
  return plates.memo(graph, WHOLE_GRAPH, () => buildConsumers(graph, plates));
}

function buildConsumers(graph: WorkflowGraph, plates: PlateIndex): Map<string, Consumer[]> {
  const map = new Map<string, Consumer[]>();
  const probe = new TimeInterval(0, 1);
  for (const factor of graph.factors) {
    const kind = kindOf(factor);
    for (const unit of kind.units(factor, plates)) {
      kind.inputsOf(factor, unit, probe, plates).forEach((planned, input) => {
        if (!plates.has(planned.node, planned.value) && graph.producerOf(planned.node)) return;
        const key = streamKey(
          planned.node.channelId,
          plates.streamId(planned.node, planned.value).key,
        );
        let list = map.get(key);
        if (!list) map.set(key, (list = []));
        list.push({ factor, unit, input });
      });
    }
  }
  return map;
}

function streamKey(channel: string, key: string): string {
  return `${channel}\u0000${key}`;
}

/**
 * Marks what a write from outside a piece makes stale: the ranges of every stream computed from
 * the written one (transitively, widened by declared lookbacks) are invalidated where they are
 * calculated, so the next execute recomputes exactly them.
 */
export async function invalidateDownstream(
  channels: ChannelManager,
  graphs: Iterable<WorkflowGraph>,
  plates: PlateIndex,
  write: ExternalWrite,
): Promise<void> {
  const changed = [{ channel: write.channel, key: write.id.key, intervals: write.intervals }];
  for (const graph of graphs) {
    for (const { channel, id, intervals } of downstreamRanges(graph, plates, changed)) {
      await channels
        .get(channel)
        .changeCalculatedRanges(id, (ranges) => ranges.invalidate(intervals));
    }
  }
}
