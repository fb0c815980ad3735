import { z } from 'zod';
import { InvalidArgumentError } from '../../errors.js';
import { workflowGraphModel } from '../../ui/graph-model.js';
import { GRAPH_FORMATS, formatWorkflowGraph } from '../../ui/graph-text.js';
import { defineCommand } from '../args.js';

export const graphCommand = defineCommand({
  name: 'graph',
  summary:
    "Print a workflow's DAG as Graphviz DOT or a Mermaid flowchart: nodes, factors (tool@version) " +
    'and plates as boxes with their number of values.',
  usage: 'graph [workflow] [--format dot|mermaid]',
  positionals: [
    { name: '[workflow]', description: 'workflow id (optional when there is only one)' },
  ],
  options: {
    format: {
      type: 'string',
      value: '<format>',
      description: `${GRAPH_FORMATS.join(' or ')} (default mermaid)`,
    },
  },
  details:
    'Examples:\n  hyperstream graph tutorial_05 --format dot | dot -Tsvg > tutorial_05.svg\n' +
    '  hyperstream graph --format mermaid >> README.md   (inside a ```mermaid block)',
  schema: z.strictObject({
    positionals: z
      .array(z.string())
      .max(1, { message: 'unexpected extra argument after [workflow]' }),
    format: z.enum(GRAPH_FORMATS).optional(),
  }),
  async run(args, ctx) {
    const { engine } = await ctx.workspace();
    const id = args.positionals[0];
    let workflowId: string;
    if (id !== undefined) {
      workflowId = id;
    } else {
      await engine.workflows.loadAll();
      const ids = engine.workflows.list().map((w) => w.id);
      if (ids.length !== 1) {
        throw new InvalidArgumentError(
          ids.length === 0
            ? 'no workflows: list workflow files in the config (see "hyperstream workflows list")'
            : `several workflows (${ids.join(', ')}): name one, e.g. "hyperstream graph ${ids[0]!}"`,
          { workflows: ids },
        );
      }
      workflowId = ids[0]!;
    }
    const workflow = await engine.workflows.load(workflowId);
    ctx.output.line(
      formatWorkflowGraph(workflowGraphModel(workflow.graph), args.format ?? 'mermaid'),
    );
  },
});
