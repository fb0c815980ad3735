import { resolve } from 'node:path';
import { z } from 'zod';
import { WorkflowNotFoundError, isHyperstreamError } from '../../errors.js';
import type { WorkflowDefinition } from '../../workflow/definition.js';
import { Workflow } from '../../workflow/workflow.js';
import { defineCommand, positionals } from '../args.js';
import { loadWorkflows, openWorkspace, sourceName } from '../workspace.js';

export const workflowsListCommand = defineCommand({
  name: 'workflows list',
  summary: 'List the workflows: those the config files export and those in the workflow store.',
  usage: 'workflows list',
  schema: z.strictObject({ positionals: positionals() }),
  async run(_args, ctx) {
    const { engine, workflowFiles } = await ctx.workspace();
    await engine.workflows.loadAll();
    const rows = engine.workflows.list().map((w) => ({
      id: w.id,
      name: w.name,
      online: w.online,
      nodes: w.nodes.length,
      factors: w.factors.length,
      source: workflowFiles.get(w.id) ?? 'store',
    }));
    ctx.output.rows(rows, ['id', 'name', 'online', 'nodes', 'factors', 'source'], '(no workflows)');
  },
});

export const workflowsShowCommand = defineCommand({
  name: 'workflows show',
  summary: 'Show a workflow: its nodes, plates and factors (with --json, its full definition).',
  usage: 'workflows show <workflow>',
  positionals: [{ name: '<workflow>', description: 'workflow id' }],
  schema: z.strictObject({ positionals: positionals('workflow') }),
  async run(args, ctx) {
    const { engine } = await ctx.workspace();
    const workflow = await engine.workflows.load(args.positionals[0]);
    const definition = workflow.toDefinition();
    if (ctx.output.json) {
      ctx.output.data(definition);
      return;
    }
    const out = ctx.output;
    out.line(
      `workflow ${definition.id}${definition.name !== definition.id ? ` (${definition.name})` : ''}`,
    );
    if (definition.description) out.line(definition.description);
    out.line(
      `online: ${String(definition.online)}${definition.owner ? `, owner: ${definition.owner}` : ''}`,
    );
    out.line('');
    out.rows(
      definition.nodes.map((n) => ({
        node: n.id,
        channel: n.channel,
        plates: n.plates.join(', '),
      })),
      ['node', 'channel', 'plates'],
      '(no nodes)',
    );
    out.line('');
    out.rows(
      definition.factors.map(factorRow),
      ['factor', 'kind', 'tool', 'sources', 'sink'],
      '(no factors)',
    );
  },
});

export const workflowsValidateCommand = defineCommand({
  name: 'workflows validate',
  summary:
    'Build every workflow of the configured files (or of the files given) and check that each ' +
    'one survives a round trip through its JSON definition. Exits 2 when one is invalid.',
  usage: 'workflows validate [<file>...]',
  positionals: [{ name: '[<file>...]', description: "workflow files (default: the config's)" }],
  schema: z.strictObject({ positionals: z.array(z.string()) }),
  async run(args, ctx) {
    const workspace = await openWorkspace({
      ...(ctx.globals.config === undefined ? {} : { configPath: ctx.globals.config }),
      cwd: ctx.cwd,
      env: ctx.env,
      loadWorkflows: false,
    });
    const entries = args.positionals.length
      ? args.positionals.map((f) => resolve(ctx.cwd, f))
      : workspace.config.workflows;
    const rows: { file: string; workflow: string; status: 'valid' | 'invalid'; message: string }[] =
      [];
    try {
      for (const entry of entries) {
        const file = sourceName(entry, workspace.config);
        let workflows: Workflow[];
        try {
          workflows = await loadWorkflows(workspace.engine, entry);
        } catch (error) {
          rows.push({ file, workflow: '', status: 'invalid', message: describe(error) });
          continue;
        }
        for (const workflow of workflows) {
          try {
            await Workflow.fromDefinition(JSON.parse(JSON.stringify(workflow.toDefinition())), {
              environment: workflow.environment,
              toolResolver: workspace.engine.tools,
            });
            rows.push({
              file,
              workflow: workflow.id,
              status: 'valid',
              message: `${String(workflow.nodes.length)} nodes, ${String(workflow.factors.length)} factors`,
            });
          } catch (error) {
            rows.push({ file, workflow: workflow.id, status: 'invalid', message: describe(error) });
          }
        }
      }
    } finally {
      await workspace.close();
    }
    ctx.output.rows(
      rows,
      ['file', 'workflow', 'status', 'message'],
      '(no workflow files configured)',
    );
    return rows.some((r) => r.status === 'invalid') ? 2 : 0;
  },
});

export const workflowsDeleteCommand = defineCommand({
  name: 'workflows delete',
  summary:
    "Delete a workflow's stored definition, keeping its data (purge that first). A workflow that a " +
    'config file exports comes back on the next start; remove it from the file too.',
  usage: 'workflows delete <workflow>',
  positionals: [{ name: '<workflow>', description: 'workflow id' }],
  schema: z.strictObject({ positionals: positionals('workflow') }),
  async run(args, ctx) {
    const { engine, workflowFiles } = await ctx.workspace();
    const id = args.positionals[0];
    const deleted = await engine.workflows.delete(id);
    if (!deleted) {
      throw new WorkflowNotFoundError(
        `workflow "${id}" not found: see "hyperstream workflows list"`,
        { workflow: id },
      );
    }
    const file = workflowFiles.get(id);
    ctx.output.result({
      status: 'SUCCESS',
      message: `workflow "${id}" deleted${file ? `; it is still exported by ${file}` : ''}`,
    });
    return 0;
  },
});

function factorRow(f: WorkflowDefinition['factors'][number]): Record<string, string> {
  const sources =
    'sources' in f ? f.sources.join(', ') : 'source' in f && f.source !== undefined ? f.source : '';
  const sink = 'sink' in f ? f.sink : `plate ${f.outputPlate.id}`;
  return { factor: f.id, kind: f.kind, tool: `${f.tool.name}@${f.tool.version}`, sources, sink };
}

function describe(error: unknown): string {
  return isHyperstreamError(error) ? `${error.code}: ${error.message}` : String(error);
}
