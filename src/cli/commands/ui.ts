import { z } from 'zod';
import { queueUrl } from '../../config/queue-from-config.js';
import { startUi } from '../../ui/server.js';
import { defineCommand, positionals } from '../args.js';

const port = z
  .string()
  .regex(/^\d+$/, { message: 'expected a port number from 0 to 65535' })
  .transform(Number)
  .refine((n) => n <= 65535, { message: 'expected a port number from 0 to 65535' });

export const uiCommand = defineCommand({
  name: 'ui',
  summary:
    'Serve a local web view of the workflows (graph of nodes, factors and plates), the coverage of ' +
    'their streams (calculated ranges and gaps), stream plots, sessions and online services, over ' +
    'the storage of the config, and the queue workers when a queue is configured. Read-only unless ' +
    '--allow-actions. Runs until Ctrl-C.',
  usage: 'ui [--port <n>] [--host <address>] [--allow-actions]',
  options: {
    port: {
      type: 'string',
      value: '<n>',
      description: 'TCP port (default 8765; 0 picks a free one)',
    },
    host: {
      type: 'string',
      value: '<address>',
      description: 'address to bind (default 127.0.0.1: this machine only)',
    },
    'allow-actions': {
      type: 'boolean',
      description:
        'enable running an interval and purging a range from the page (POST + CSRF token)',
    },
  },
  details:
    'Examples:\n  hyperstream ui\n  hyperstream ui --port 0 --allow-actions\n' +
    'The JSON API the page reads is documented in docs/ui.md.',
  schema: z.strictObject({
    positionals: positionals(),
    port: port.optional(),
    host: z.string().min(1).optional(),
    'allow-actions': z.boolean().optional(),
  }),
  async run(args, ctx) {
    const { engine, config } = await ctx.workspace();
    // Listen for the stop signal before printing the address: whoever reads it may stop us at once.
    let stop = (): void => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      const ui = await startUi(engine, {
        ...(args.port === undefined ? {} : { port: args.port }),
        ...(args.host === undefined ? {} : { host: args.host }),
        allowActions: args['allow-actions'] ?? false,
        stateDir: config.online.stateDir,
        ...(config.queue
          ? {
              queue: {
                connection: queueUrl(config.queue),
                queue: config.queue.name,
                prefix: config.queue.prefix,
              },
            }
          : {}),
      });
      if (ui.exposed) {
        ctx.output.note(
          `warning: the web view listens on ${ui.host}, not only on this machine: anyone who can reach ` +
            `${ui.host}:${String(ui.port)} can read every workflow and stream${ui.allowActions ? ', run and purge' : ''} (there is no login)`,
        );
      }
      if (ctx.output.json) {
        ctx.output.data({ url: ui.url, host: ui.host, port: ui.port, actions: ui.allowActions });
      } else {
        ctx.output.line(
          `hyperstream web view at ${ui.url} (${ui.allowActions ? 'actions enabled' : 'read-only'}); Ctrl-C stops it`,
        );
      }
      await stopped;
      await ui.close();
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
});
