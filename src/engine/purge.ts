import type { ChannelManager } from '../channels/channel-manager.js';
import type { StreamId } from '../streams/stream-id.js';
import { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import type {
  PurgeReport,
  PurgeTarget,
  PurgedStream,
  WorkflowPurgeOptions,
} from '../workflow/execution.js';
import { kindOf } from '../kinds/index.js';
import type { Node } from '../kinds/node.js';
import type { WorkflowGraph } from '../workflow/graph.js';
import { PlateIndex } from '../kinds/plate-index.js';
import { downstreamRanges } from './consumers.js';

interface Target {
  readonly node: string;
  readonly channel: string;
  readonly id: StreamId;
  readonly interval: TimeInterval | undefined;
}

/**
 * Purges streams of a workflow: data and calculated intervals, optionally only inside an interval.
 * The channel forgets the calculated interval before deleting the data, so an interval is never
 * claimed over missing data. With `cascade`, nodes computed from the target are purged too: over
 * an interval, exactly the part of each downstream stream that depends on it — the interval
 * widened by each consumer's declared lookback (`sourceInterval`), transitively; without one,
 * entirely.
 */
export async function purge(
  channels: ChannelManager,
  workflow: WorkflowGraph,
  target: PurgeTarget,
  options: WorkflowPurgeOptions,
): Promise<PurgeReport> {
  const { interval } = options;
  const targets: Target[] = [];
  const roots: Node[] = [];
  if ('workflow' in target) {
    for (const node of workflow.nodes) if (workflow.producerOf(node)) roots.push(node);
    for (const factor of workflow.factors) {
      for (const { channel, name, label } of kindOf(factor).bookkeeping(factor)) {
        for (const stream of await channels.get(channel).findStreams({ name })) {
          targets.push({ node: label, channel, id: stream.id, interval });
        }
      }
    }
  } else {
    const node = workflow.getNode(typeof target.node === 'string' ? target.node : target.node.id);
    if ('plateValue' in target) {
      // node.stream checks the value is one of the node's (an object or pairs, in any order).
      targets.push({
        node: node.id,
        channel: node.channelId,
        id: node.stream(target.plateValue).id,
        interval,
      });
    } else {
      roots.push(node);
    }
  }
  for (const node of roots) targets.push(...(await streamsOf(channels, node, interval)));
  const downstream = new Map<string, Node>();
  const purgedNodes = new Set(targets.map((t) => t.node));
  const starts =
    'workflow' in target
      ? []
      : [workflow.getNode(typeof target.node === 'string' ? target.node : target.node.id)];
  for (const start of starts)
    for (const node of workflow.downstreamOf(start))
      if (!purgedNodes.has(node.id)) downstream.set(node.id, node);
  if (options.cascade && interval) {
    // Downstream, only what depends on the purged interval (declared lookbacks included).
    const changed = targets.map((t) => ({
      channel: t.channel,
      key: t.id.key,
      intervals: TimeIntervals.of(interval),
    }));
    for (const { node, channel, id, intervals } of downstreamRanges(
      workflow,
      new PlateIndex(() => 0),
      changed,
    )) {
      for (const part of intervals.toArray()) targets.push({ node, channel, id, interval: part });
    }
    downstream.clear();
  } else if (options.cascade) {
    for (const node of downstream.values())
      targets.push(...(await streamsOf(channels, node, undefined)));
    downstream.clear();
  }
  const streams: PurgedStream[] = [];
  for (const t of targets) {
    const channel = channels.get(t.channel);
    const span = t.interval ?? TimeInterval.allTime();
    const calculated = (await channel.getCalculatedIntervals(t.id)).intersection(
      TimeIntervals.of(span),
    );
    const documents = await channel.count(t.id, span);
    if (!options.dryRun) {
      await channel.purgeStream(
        t.id,
        t.interval
          ? { interval: t.interval }
          : { removeDefinition: options.removeDefinition ?? false },
      );
    }
    streams.push({
      node: t.node,
      stream: t.id.key,
      channel: t.channel,
      documents,
      intervals: calculated.toJSON(),
    });
  }
  return { dryRun: options.dryRun ?? false, streams, downstream: [...downstream.keys()] };
}

/** Every stream of a node in its channel, including plate values that no longer exist. */
async function streamsOf(
  channels: ChannelManager,
  node: Node,
  interval: TimeInterval | undefined,
): Promise<Target[]> {
  const channel = channels.get(node.channelId);
  const found = new Map<string, StreamId>();
  for (const stream of await channel.findStreams({ name: node.id })) {
    if (
      stream.id.meta.length === node.keys.size &&
      stream.id.meta.every(([k]) => node.keys.has(k))
    ) {
      found.set(stream.id.key, stream.id);
    }
  }
  return [...found.values()].map((id) => ({
    node: node.id,
    channel: node.channelId,
    id,
    interval,
  }));
}
