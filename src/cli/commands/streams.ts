import { z } from 'zod';
import type { Channel } from '../../channels/channel.js';
import { InvalidArgumentError, StreamNotFoundError } from '../../errors.js';
import type { Engine } from '../../engine/engine.js';
import { StreamId } from '../../streams/stream-id.js';
import type { StreamInstance } from '../../streams/stream-instance.js';
import { TimeIntervals } from '../../time/time-intervals.js';
import { formatTimestamp } from '../../time/timestamp.js';
import type { Workflow } from '../../workflow/workflow.js';
import { defineCommand, positionals, positiveInt } from '../args.js';
import { formatCsv } from '../output.js';
import {
  INTERVAL_OPTIONS,
  intervalFields,
  intervalFromArgs,
  isoInterval,
  metaPairs,
} from './common.js';

const CHANNEL_OPTION = {
  channel: {
    type: 'string',
    value: '<id>',
    description: 'the channel (default: the one that has the stream)',
  },
} as const;

export const streamsListCommand = defineCommand({
  name: 'streams list',
  summary:
    'List streams with their calculated intervals, optionally by channel, name and meta-data.',
  usage: 'streams list [--channel <id>] [--name <name>] [--meta <key=value>]...',
  options: {
    ...CHANNEL_OPTION,
    name: { type: 'string', value: '<name>', description: 'only streams with this name' },
    meta: {
      type: 'string',
      multiple: true,
      value: '<k=v>',
      description: 'only streams with this meta-data (repeatable)',
    },
  },
  schema: z.strictObject({
    positionals: positionals(),
    channel: z.string().optional(),
    name: z.string().optional(),
    meta: z.array(z.string()).optional(),
  }),
  async run(args, ctx) {
    const { engine } = await ctx.workspace();
    const channels =
      args.channel === undefined ? engine.channels.list() : [engine.channels.get(args.channel)];
    const meta = metaPairs(args.meta);
    const rows = [];
    for (const channel of channels) {
      if (channel.kind === 'tool') continue; // tools are listed by "tools list"
      const streams = await channel.findStreams({
        ...(args.name === undefined ? {} : { name: args.name }),
        ...(meta.length ? { meta: Object.fromEntries(meta) } : {}),
      });
      for (const stream of streams) {
        const calculated = await channel.getCalculatedIntervals(stream.id);
        rows.push({
          channel: channel.id,
          stream: stream.id.key,
          name: stream.id.name,
          meta: Object.fromEntries(stream.id.meta),
          calculated: ctx.output.json
            ? calculated.toJSON().map(isoInterval)
            : calculated.toString(),
        });
      }
    }
    ctx.output.rows(
      ctx.output.json
        ? rows
        : rows.map((r) => ({
            ...r,
            meta: Object.entries(r.meta)
              .map(([k, v]) => `${k}=${v}`)
              .join(', '),
          })),
      ['channel', 'stream', 'meta', 'calculated'],
      '(no streams)',
    );
  },
});

export const streamShowCommand = defineCommand({
  name: 'stream show',
  summary:
    "Print a stream's documents in a time range. A stream that is a node of a workflow is " +
    'computed first where missing (pull), unless --stored is given.',
  usage:
    'stream show <stream> (--from <time> --to <time> | --interval <i>) [--head <n> | --tail <n>] [--format table|json|csv]',
  positionals: [{ name: '<stream>', description: 'stream key: name or name[key=value,...]' }],
  options: {
    ...INTERVAL_OPTIONS,
    ...CHANNEL_OPTION,
    head: { type: 'string', value: '<n>', description: 'only the first n documents' },
    tail: { type: 'string', value: '<n>', description: 'only the last n documents' },
    format: { type: 'string', value: '<format>', description: 'table (default), json or csv' },
    workflow: {
      type: 'string',
      value: '<id>',
      description: 'the workflow that computes it (default: the one with that node)',
    },
    stored: { type: 'boolean', description: 'show what is stored; compute nothing' },
  },
  schema: z
    .strictObject({
      positionals: positionals('stream'),
      ...intervalFields,
      channel: z.string().optional(),
      head: positiveInt.optional(),
      tail: positiveInt.optional(),
      format: z.enum(['table', 'json', 'csv']).optional(),
      workflow: z.string().optional(),
      stored: z.boolean().optional(),
    })
    .refine((a) => a.head === undefined || a.tail === undefined, {
      message: 'give either --head or --tail, not both',
      path: ['head'],
    }),
  async run(args, ctx) {
    const { engine } = await ctx.workspace();
    const id = StreamId.parse(args.positionals[0]);
    const interval = intervalFromArgs(args, engine.clock)!;
    if (!args.stored) {
      const workflow = producerWorkflow(engine, id, args.workflow);
      if (workflow) await workflow.request(id.name, interval);
    }
    const channel = await channelOf(engine, id, args.channel);
    const view = (await channel.getStream(id)).window(interval);
    const items: StreamInstance[] =
      args.head !== undefined
        ? await view.head(args.head)
        : args.tail !== undefined
          ? await view.tail(args.tail)
          : await view.toArray();
    const format = ctx.output.json ? 'json' : (args.format ?? 'table');
    const rows = items.map((item) => ({
      timestamp: formatTimestamp(item.timestamp),
      value: item.value,
    }));
    if (format === 'json') ctx.output.data(rows);
    else if (format === 'csv') ctx.output.line(formatCsv(rows, ['timestamp', 'value']).trimEnd());
    else ctx.output.rows(rows, ['timestamp', 'value'], `(no documents in ${interval.toString()})`);
  },
});

export const streamIntervalsCommand = defineCommand({
  name: 'stream intervals',
  summary:
    "Show a stream's calculated intervals, the ranges invalidated by late writes into its sources " +
    '(recomputed by the next run) and, for a requested range, the gaps never computed.',
  usage: 'stream intervals <stream> [--from <time> --to <time> | --interval <i>] [--channel <id>]',
  positionals: [{ name: '<stream>', description: 'stream key: name or name[key=value,...]' }],
  options: { ...INTERVAL_OPTIONS, ...CHANNEL_OPTION },
  schema: z.strictObject({
    positionals: positionals('stream'),
    ...intervalFields,
    channel: z.string().optional(),
  }),
  async run(args, ctx) {
    const { engine } = await ctx.workspace();
    const id = StreamId.parse(args.positionals[0]);
    const channel = await channelOf(engine, id, args.channel);
    const ranges = await channel.getCalculatedRanges(id);
    const { intervals: calculated, invalidated } = ranges;
    const requested = intervalFromArgs(args, engine.clock, false);
    const gaps = requested
      ? TimeIntervals.of(requested).difference(calculated).difference(invalidated)
      : undefined;
    if (ctx.output.json) {
      ctx.output.data({
        stream: id.key,
        channel: channel.id,
        calculated: calculated.toJSON().map(isoInterval),
        invalidated: invalidated.toJSON().map(isoInterval),
        ...(requested
          ? { requested: isoInterval(requested.toJSON()), gaps: gaps!.toJSON().map(isoInterval) }
          : {}),
      });
      return;
    }
    ctx.output.line(`stream ${id.key} in channel ${channel.id}`);
    ctx.output.line(`calculated:  ${calculated.toString()}`);
    ctx.output.line(`invalidated: ${invalidated.toString()}`);
    if (requested) {
      ctx.output.line(`requested:   ${requested.toString()}`);
      ctx.output.line(`gaps:        ${gaps!.toString()}`);
    }
  },
});

/** The channel holding `id`: the one named, or the only one that has it. */
export async function channelOf(
  engine: Engine,
  id: StreamId,
  channelId: string | undefined,
): Promise<Channel> {
  if (channelId !== undefined) return engine.channels.get(channelId);
  const holders: Channel[] = [];
  for (const channel of engine.channels.list()) {
    if (channel.kind !== 'tool' && (await channel.hasStream(id))) holders.push(channel);
  }
  if (holders.length > 1) {
    throw new InvalidArgumentError(
      `stream "${id.key}" is in several channels (${holders.map((c) => c.id).join(', ')}): choose one with --channel`,
    );
  }
  if (!holders[0])
    throw new StreamNotFoundError(
      id.key,
      engine.channels
        .list()
        .map((c) => c.id)
        .join(', '),
    );
  return holders[0];
}

/** The workflow whose node is `id.name`: the one named, or the only one with such a node. */
function producerWorkflow(
  engine: Engine,
  id: StreamId,
  workflowId: string | undefined,
): Workflow | undefined {
  if (workflowId !== undefined) return engine.workflows.get(workflowId);
  const owners = engine.workflows.list().filter((w) => w.nodes.some((n) => n.id === id.name));
  if (owners.length > 1) {
    throw new InvalidArgumentError(
      `node "${id.name}" is in several workflows (${owners.map((w) => w.id).join(', ')}): choose one with --workflow`,
    );
  }
  return owners[0];
}
