import { z } from 'zod';
import { formatTimestamp } from '../../time/timestamp.js';
import { defineCommand, positionals } from '../args.js';

export const channelsListCommand = defineCommand({
  name: 'channels list',
  summary: 'List the channels: id, kind, whether writable, and how far read-only ones reach.',
  usage: 'channels list',
  schema: z.strictObject({ positionals: positionals() }),
  async run(_args, ctx) {
    const { engine } = await ctx.workspace();
    const rows = engine.channels.list().map((channel) => ({
      id: channel.id,
      kind: channel.kind,
      writable: channel.writable,
      upTo: channel.upToTimestamp === undefined ? '' : formatTimestamp(channel.upToTimestamp),
      path: 'root' in channel && typeof channel.root === 'string' ? channel.root : '',
    }));
    ctx.output.rows(rows, ['id', 'kind', 'writable', 'upTo', 'path'], '(no channels)');
  },
});
