import { z } from 'zod';
import { InvalidArgumentError } from '../../errors.js';
import type { Engine } from '../../engine/engine.js';
import { StreamId } from '../../streams/stream-id.js';
import { TimeInterval } from '../../time/time-interval.js';
import type { PurgeReport, PurgeTarget } from '../../workflow/execution.js';
import type { Workflow } from '../../workflow/workflow.js';
import { defineCommand, positionals } from '../args.js';
import { INTERVAL_OPTIONS, formatInterval, intervalFields, intervalFromArgs } from './common.js';
import { channelOf } from './streams.js';

export const purgeCommand = defineCommand({
  name: 'purge',
  summary:
    'Delete computed data and reset the calculated intervals, so the next run recomputes it: a ' +
    'whole workflow, a node (every plate value), one stream of a node, or a stream of a channel.',
  usage:
    'purge <workflow|node|stream> [--workflow <id>] [--from <time> --to <time>] [--cascade] [--dry-run]',
  positionals: [
    {
      name: '<target>',
      description: 'a workflow id (or workflow:<id>), a node id, or a stream key name[k=v,...]',
    },
  ],
  options: {
    ...INTERVAL_OPTIONS,
    workflow: {
      type: 'string',
      value: '<id>',
      description: 'the workflow of the node (default: the only one with it)',
    },
    channel: {
      type: 'string',
      value: '<id>',
      description: 'for a stream outside any workflow: its channel',
    },
    cascade: { type: 'boolean', description: 'also purge the nodes computed from it' },
    'dry-run': { type: 'boolean', description: 'report what would be purged; delete nothing' },
  },
  details:
    'Examples:\n  hyperstream purge ingest --dry-run\n  hyperstream purge doubled --from 2026-01-01T00:00:00Z --to now --cascade\n  hyperstream purge "temp[city=Auckland]" --workflow weather',
  schema: z.strictObject({
    positionals: positionals('target'),
    ...intervalFields,
    workflow: z.string().optional(),
    channel: z.string().optional(),
    cascade: z.boolean().optional(),
    'dry-run': z.boolean().optional(),
  }),
  async run(args, ctx) {
    const { engine } = await ctx.workspace();
    await engine.workflows.loadAll();
    const interval = intervalFromArgs(args, engine.clock, false);
    const options = {
      ...(interval ? { interval } : {}),
      ...(args.cascade ? { cascade: true } : {}),
      ...(args['dry-run'] ? { dryRun: true } : {}),
    };
    const resolved = resolveTarget(engine, args.positionals[0], args.workflow);
    let report: PurgeReport;
    if (resolved) {
      report = await resolved.workflow.purge(resolved.target, options);
    } else {
      if (args.cascade) {
        throw new InvalidArgumentError(
          `"${args.positionals[0]}" is not a workflow or a node, so --cascade has nothing to follow: give --workflow`,
        );
      }
      const id = StreamId.parse(args.positionals[0]);
      const channel = await channelOf(engine, id, args.channel);
      const calculated = await channel.getCalculatedIntervals(id);
      const removed = interval ? calculated.intersection(interval) : calculated;
      const documents = await channel.count(id, interval ?? TimeInterval.allTime());
      if (!args['dry-run']) await channel.purgeStream(id, interval ? { interval } : {});
      report = {
        dryRun: args['dry-run'] === true,
        streams: [
          { node: '', stream: id.key, channel: channel.id, documents, intervals: removed.toJSON() },
        ],
        downstream: [],
      };
    }
    if (ctx.output.json) {
      ctx.output.data(report);
      return;
    }
    const verb = report.dryRun ? 'would purge' : 'purged';
    ctx.output.rows(
      report.streams.map((s) => ({
        channel: s.channel,
        stream: s.stream,
        documents: s.documents,
        intervals: s.intervals.map(formatInterval).join(' U ') || '[]',
      })),
      ['channel', 'stream', 'documents', 'intervals'],
      `nothing to purge`,
    );
    const documents = report.streams.reduce((sum, s) => sum + s.documents, 0);
    ctx.output.line(
      `${verb} ${String(report.streams.length)} streams, ${String(documents)} documents`,
    );
    if (report.downstream.length) {
      ctx.output.line(
        `downstream nodes not purged: ${report.downstream.join(', ')} (add --cascade to purge them too)`,
      );
    }
  },
});

function resolveTarget(
  engine: Engine,
  text: string,
  workflowId: string | undefined,
): { workflow: Workflow; target: PurgeTarget } | undefined {
  const explicit = /^workflow:(.+)$/.exec(text)?.[1];
  if (explicit !== undefined)
    return { workflow: engine.workflows.get(explicit), target: { workflow: true } };
  if (workflowId === undefined && engine.workflows.has(text)) {
    return { workflow: engine.workflows.get(text), target: { workflow: true } };
  }
  const id = StreamId.parse(text);
  const owners =
    workflowId !== undefined
      ? [engine.workflows.get(workflowId)]
      : engine.workflows.list().filter((w) => w.nodes.some((n) => n.id === id.name));
  if (owners.length > 1) {
    throw new InvalidArgumentError(
      `node "${id.name}" is in several workflows (${owners.map((w) => w.id).join(', ')}): choose one with --workflow`,
    );
  }
  const workflow = owners[0];
  if (!workflow) return undefined;
  const node = workflow.getNode(id.name);
  return {
    workflow,
    target: id.meta.length ? { node, plateValue: id.meta } : { node },
  };
}
