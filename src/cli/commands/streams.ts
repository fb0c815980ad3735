import { z } from 'zod';
import type { Channel } from '../../channels/channel.js';
import { InvalidArgumentError } from '../../errors.js';
import type { Engine } from '../../engine/engine.js';
import { StreamId } from '../../streams/stream-id.js';
import type { StreamInstance } from '../../streams/stream-instance.js';
import { TimeIntervals } from '../../time/time-intervals.js';
import { formatTimestamp } from '../../time/timestamp.js';
import type { Workflow } from '../../workflow/workflow.js';
import { defineCommand, positionals, positiveInt } from '../args.js';
import { extname, resolve } from 'node:path';
import type { ExportFormatName } from '../../channels/export.js';
import { EXPORT_FORMAT_NAMES, exportView } from '../../channels/export.js';
import type { ImportFormatName } from '../../channels/import.js';
import { IMPORT_FORMAT_NAMES, readInstancesFile } from '../../channels/import.js';
import { parseTimeInterval } from '../../time/parse-interval.js';
import type { Progress } from '../output.js';
import { formatCsv } from '../output.js';
import {
  INTERVAL_OPTIONS,
  formatInterval,
  intervalFields,
  intervalFromArgs,
  isoInterval,
  metaPairs,
  STREAM_POSITIONAL,
} from './common.js';

/** `--workflow` of the commands that compute a stream first where missing (pull). */
const PULL_WORKFLOW_OPTION = {
  workflow: {
    type: 'string',
    value: '<id>',
    description: 'the workflow that computes it (default: the one with that node)',
  },
} as const;

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
  positionals: [STREAM_POSITIONAL],
  options: {
    ...INTERVAL_OPTIONS,
    ...CHANNEL_OPTION,
    head: { type: 'string', value: '<n>', description: 'only the first n documents' },
    tail: { type: 'string', value: '<n>', description: 'only the last n documents' },
    format: { type: 'string', value: '<format>', description: 'table (default), json or csv' },
    ...PULL_WORKFLOW_OPTION,
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
  positionals: [STREAM_POSITIONAL],
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
  const stream = await engine.stream(
    id,
    undefined,
    channelId === undefined ? {} : { channel: channelId },
  );
  return engine.channels.get(stream.channel.id);
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

const FORMAT_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.csv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.parquet': 'parquet',
};

/** `--format`, or the format the file's extension names. */
function formatOf(given: string | undefined, file: string, allowed: readonly string[]): string {
  const format = given ?? FORMAT_BY_EXTENSION[extname(file).toLowerCase()];
  if (format === undefined || !allowed.includes(format)) {
    throw new InvalidArgumentError(
      given === undefined
        ? `cannot tell the format of "${file}" from its extension: give --format ${allowed.join('|')}`
        : `unknown --format "${given}": expected one of ${allowed.join(', ')}`,
    );
  }
  return format;
}

export const streamExportCommand = defineCommand({
  name: 'stream export',
  summary:
    "Write a stream's documents in a time range to a file (CSV, JSON lines, Arrow IPC or Parquet), " +
    'streaming, for DuckDB, Polars, pandas or a spreadsheet. A stream that is a node of a workflow ' +
    'is computed first where missing, unless --stored is given.',
  usage:
    'stream export <stream> (--from <time> --to <time> | --interval <i>) --out <file> [--format csv|jsonl|arrow|parquet]',
  positionals: [STREAM_POSITIONAL],
  options: {
    ...INTERVAL_OPTIONS,
    ...CHANNEL_OPTION,
    out: { type: 'string', value: '<file>', description: 'the file to write (replaced)' },
    format: {
      type: 'string',
      value: '<format>',
      description: 'csv, jsonl, arrow or parquet (default: from the file extension)',
    },
    ...PULL_WORKFLOW_OPTION,
    stored: { type: 'boolean', description: 'export what is stored; compute nothing' },
  },
  details:
    'Columns: timestamp, then value, or one column per field when the values are objects that share their fields.\n' +
    'Example:\n  hyperstream stream export delays[origin=ORD] --interval 2001-01-01T00:00:00Z/P1M --out ord.parquet',
  schema: z.strictObject({
    positionals: positionals('stream'),
    ...intervalFields,
    channel: z.string().optional(),
    out: z.string({ error: 'give --out <file>' }),
    format: z.string().optional(),
    workflow: z.string().optional(),
    stored: z.boolean().optional(),
  }),
  async run(args, ctx) {
    const format = formatOf(args.format, args.out, EXPORT_FORMAT_NAMES) as ExportFormatName;
    const { engine } = await ctx.workspace();
    const id = StreamId.parse(args.positionals[0]);
    const interval = intervalFromArgs(args, engine.clock)!;
    if (!args.stored) {
      const workflow = producerWorkflow(engine, id, args.workflow);
      if (workflow) await workflow.request(id.name, interval);
    }
    const stream = await engine.stream(
      id,
      undefined,
      args.channel === undefined ? {} : { channel: args.channel },
    );
    const out = resolve(ctx.cwd, args.out);
    let progress: Progress | undefined;
    let reported = 0;
    try {
      const report = await exportView(stream.window(interval), {
        format,
        path: out,
        chunkSize: EXPORT_CHUNK_ROWS,
        onProgress: (written, total) => {
          progress ??= ctx.output.progress(
            `export ${id.key}`,
            Math.ceil(total / EXPORT_CHUNK_ROWS),
            Date.now,
            'chunks',
          );
          progress.tick(
            written - reported,
            `rows ${String(reported + 1)}-${String(written)} of ${String(total)}`,
          );
          reported = written;
        },
      });
      progress?.end();
      progress = undefined;
      const summary = { stream: id.key, interval: formatInterval(interval.toJSON()), ...report };
      if (ctx.output.json) ctx.output.data(summary);
      else {
        ctx.output.line(
          `exported ${String(report.rows)} documents of ${id.key} over ${summary.interval} to ${args.out} ` +
            `(${report.format}; columns timestamp, ${report.columns.map((c) => `${c.name} ${c.type}`).join(', ')})`,
        );
      }
    } finally {
      progress?.end();
    }
  },
});

/** Rows per chunk of an export: the progress display moves once per chunk. */
const EXPORT_CHUNK_ROWS = 65_536;

export const streamImportCommand = defineCommand({
  name: 'stream import',
  summary:
    "Write a file's documents (CSV, JSON lines or Parquet, as stream export writes them) to a " +
    'stream in batches; with --calculated, record that interval as calculated after the data.',
  usage:
    'stream import <stream> <file> [--format csv|jsonl|parquet] [--calculated <interval>] [--channel <id>]',
  positionals: [STREAM_POSITIONAL, { name: '<file>', description: 'the file to read' }],
  options: {
    channel: {
      type: 'string',
      value: '<id>',
      description: 'the channel to write (default: the default channel)',
    },
    format: {
      type: 'string',
      value: '<format>',
      description: 'csv, jsonl or parquet (default: from the file extension)',
    },
    calculated: {
      type: 'string',
      value: '<interval>',
      description: 'record this interval as calculated once the data is written',
    },
  },
  details:
    'CSV and Parquet: a timestamp column (ISO 8601 or epoch ms) and a value column, or field columns (objects).\n' +
    'JSON lines: {"timestamp": …, "value": …} per line.\n' +
    'Example:\n  hyperstream stream import readings readings.csv --calculated 2024-01-01T00:00:00Z/P1D',
  schema: z.strictObject({
    positionals: positionals('stream', 'file'),
    channel: z.string().optional(),
    format: z.string().optional(),
    calculated: z.string().optional(),
  }),
  async run(args, ctx) {
    const [key, file] = args.positionals;
    const format = formatOf(args.format, file, IMPORT_FORMAT_NAMES) as ImportFormatName;
    const { engine } = await ctx.workspace();
    const id = StreamId.parse(key);
    const calculated =
      args.calculated === undefined
        ? undefined
        : parseTimeInterval(args.calculated, { clock: engine.clock });
    const report = await engine.write(id, readInstancesFile(resolve(ctx.cwd, file), format), {
      ...(args.channel === undefined ? {} : { channel: args.channel }),
      ...(calculated === undefined ? {} : { calculated }),
    });
    const summary = {
      stream: id.key,
      channel: report.stream.channel.id,
      file,
      format,
      documents: report.documents,
      calculated: report.calculated.toJSON().map(isoInterval),
    };
    if (ctx.output.json) ctx.output.data(summary);
    else {
      ctx.output.line(
        `imported ${String(report.documents)} documents from ${file} into ${id.key} (channel ${summary.channel}); ` +
          `calculated: ${report.calculated.toString()}`,
      );
    }
  },
});
