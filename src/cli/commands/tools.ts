import { z } from 'zod';
import { defineCommand, positionals } from '../args.js';

export const toolsListCommand = defineCommand({
  name: 'tools list',
  summary: 'List the tools of the built-in tool channel and of every plugin, newest version first.',
  usage: 'tools list [--channel <id>]',
  options: { channel: { type: 'string', value: '<id>', description: 'only this tool channel' } },
  schema: z.strictObject({ positionals: positionals(), channel: z.string().optional() }),
  async run(args, ctx) {
    const { tools } = await ctx.workspace();
    const listings = (await tools.list())
      .filter((t) => args.channel === undefined || t.channel === args.channel)
      .sort((a, b) => a.name.localeCompare(b.name) || a.channel.localeCompare(b.channel));
    const rows = listings.map((t) => ({
      name: t.name,
      channel: t.channel,
      version: t.versions.at(-1)?.version ?? '',
      versions: t.versions.map((v) => v.version),
      kind: t.kind ?? '',
      description: t.error ? `cannot load: ${t.error.message}` : (t.description ?? ''),
    }));
    ctx.output.rows(
      ctx.output.json ? rows : rows.map((r) => ({ ...r, versions: r.versions.length })),
      ['name', 'channel', 'version', 'versions', 'kind', 'description'],
      '(no tools)',
    );
  },
});

interface JsonSchemaProperty {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchemaProperty[];
}

export const toolsDescribeCommand = defineCommand({
  name: 'tools describe',
  summary:
    'Describe a tool: kind, description and parameters (from its zod schema, as JSON Schema).',
  usage: 'tools describe <name> [--version <range>]',
  positionals: [{ name: '<name>', description: 'tool name, or <channel>/<name>' }],
  options: {
    version: {
      type: 'string',
      value: '<range>',
      description: 'a version or range such as ^1.0.0 (default newest)',
    },
  },
  schema: z.strictObject({ positionals: positionals('name'), version: z.string().optional() }),
  async run(args, ctx) {
    const { tools } = await ctx.workspace();
    const tool = await tools.get(
      args.positionals[0],
      args.version === undefined ? {} : { version: args.version },
    );
    const description = tool.describe();
    if (ctx.output.json) {
      ctx.output.data(description);
      return;
    }
    ctx.output.line(`${description.name}@${description.version} (${description.kind})`);
    if (description.description) ctx.output.line(description.description);
    ctx.output.line('');
    const schema = description.parameters as {
      properties?: Record<string, JsonSchemaProperty>;
      required?: readonly string[];
    };
    const rows = Object.entries(schema.properties ?? {}).map(([name, p]) => ({
      parameter: name,
      type: typeOf(p),
      required: (schema.required ?? []).includes(name) && p.default === undefined ? 'yes' : 'no',
      default: p.default === undefined ? '' : JSON.stringify(p.default),
      description: p.description ?? '',
    }));
    ctx.output.rows(
      rows,
      ['parameter', 'type', 'required', 'default', 'description'],
      '(no parameters)',
    );
  },
});

function typeOf(p: JsonSchemaProperty): string {
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (p.anyOf) return p.anyOf.map(typeOf).join(' | ');
  if (Array.isArray(p.type)) return p.type.join(' | ');
  return typeof p.type === 'string' ? p.type : 'any';
}
