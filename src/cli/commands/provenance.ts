import { z } from 'zod';
import { StreamId } from '../../streams/stream-id.js';
import { TimeInterval } from '../../time/time-interval.js';
import { defineCommand, positionals } from '../args.js';
import {
  INTERVAL_OPTIONS,
  STREAM_POSITIONAL,
  intervalFields,
  intervalFromArgs,
  isoInterval,
} from './common.js';
import { channelOf } from './streams.js';

export const streamProvenanceCommand = defineCommand({
  name: 'stream provenance',
  summary:
    'Show what computed each calculated range of a stream: fingerprint, session, and the tool, ' +
    'version, parameters and sources of the factor with that fingerprint.',
  usage: 'stream provenance <stream> [--from <time> --to <time> | --interval <i>] [--channel <id>]',
  positionals: [STREAM_POSITIONAL],
  options: {
    ...INTERVAL_OPTIONS,
    channel: {
      type: 'string',
      value: '<id>',
      description: 'the channel (default: the one that has the stream)',
    },
  },
  schema: z.strictObject({
    positionals: positionals('stream'),
    ...intervalFields,
    channel: z.string().optional(),
  }),
  async run(args, ctx) {
    const { engine } = await ctx.workspace();
    await engine.workflows.loadAll();
    const id = StreamId.parse(args.positionals[0]);
    const channel = await channelOf(engine, id, args.channel);
    const interval = intervalFromArgs(args, engine.clock, false);
    const report = await engine.provenance(id, {
      channel: channel.id,
      ...(interval ? { interval } : {}),
    });
    if (ctx.output.json) {
      ctx.output.data({
        ...report,
        ranges: report.ranges.map((r) => ({ ...r, ...isoInterval(r) })),
      });
      return;
    }
    ctx.output.line(`stream ${report.stream} in channel ${report.channel}`);
    for (const producer of report.producers) {
      ctx.output.line(
        `written by factor "${producer.factor}" of workflow "${producer.workflow}" (fingerprint ${producer.fingerprint})`,
      );
    }
    ctx.output.rows(
      report.ranges.map((r) => {
        const factor = r.factor;
        return {
          range: new TimeInterval(r.start, r.end).toString(),
          status: r.status,
          fingerprint: r.fingerprint ?? '(none: from before fingerprints)',
          session: r.session ?? '',
          tool: factor
            ? `${factor.tool.name}@${factor.tool.version} ${JSON.stringify(factor.tool.params)}`
            : (r.recorded?.tool ?? ''),
          sources: factor
            ? factor.sources
                .map((s) => `${s.node}${s.fingerprint ? ` (${s.fingerprint})` : ''}`)
                .join(', ')
            : '',
        };
      }),
      ['range', 'status', 'fingerprint', 'session', 'tool', 'sources'],
      '(nothing calculated)',
    );
  },
});
