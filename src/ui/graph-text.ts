// `hyperstream graph --format dot|mermaid`: a workflow's DAG as Graphviz DOT or a Mermaid
// flowchart, for docs and terminals. Pure functions of the picture model.
import { InvalidArgumentError } from '../errors.js';
import type { PlateBox, WorkflowGraphModel } from './api-types.js';

/** The text formats of {@link formatWorkflowGraph}. */
export const GRAPH_FORMATS = ['dot', 'mermaid'] as const;
/** A text format of a workflow graph. */
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/**
 * The workflow's DAG as text: `dot` (Graphviz: plates as clusters) or `mermaid` (a flowchart:
 * plates as subgraphs). Nodes are ellipses (rounded in Mermaid), factors boxes labelled
 * `tool@version`, each plate box labelled with its id, key and number of values.
 */
export function formatWorkflowGraph(model: WorkflowGraphModel, format: GraphFormat): string {
  switch (format) {
    case 'dot':
      return toDot(model);
    case 'mermaid':
      return toMermaid(model);
    default:
      throw new InvalidArgumentError(
        `unknown graph format ${JSON.stringify(format)}: expected one of ${GRAPH_FORMATS.join(', ')}`,
        { format: String(format) },
      );
  }
}

function boxLabel(box: PlateBox): string {
  const values = `${String(box.values)} value${box.values === 1 ? '' : 's'}`;
  return `${box.id}: ${box.metaKeys.join(' × ')} (${values})`;
}

/** Children of each box (and of the top level, key `undefined`), in model order. */
function nesting(model: WorkflowGraphModel): {
  readonly boxes: Map<string | undefined, PlateBox[]>;
  readonly nodes: Map<string | undefined, string[]>;
  readonly factors: Map<string | undefined, string[]>;
} {
  const group = <T>(items: readonly T[], key: (item: T) => string | undefined) => {
    const map = new Map<string | undefined, T[]>();
    for (const item of items) {
      const k = key(item);
      map.set(k, [...(map.get(k) ?? []), item]);
    }
    return map;
  };
  return {
    boxes: group(model.boxes, (b) => b.parent),
    nodes: new Map(
      [...group(model.nodes, (n) => n.box)].map(([k, v]) => [k, v.map((n) => n.id)] as const),
    ),
    factors: new Map(
      [...group(model.factors, (f) => f.box)].map(([k, v]) => [k, v.map((f) => f.id)] as const),
    ),
  };
}

/** A DOT quoted string: `"` and `\` escaped, line breaks as `\n`. */
function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

function toDot(model: WorkflowGraphModel): string {
  const { boxes, nodes, factors } = nesting(model);
  const labels = new Map(model.factors.map((f) => [f.id, f.label]));
  const nodeId = (id: string) => dotString(`node:${id}`);
  const factorId = (id: string) => dotString(`factor:${id}`);
  const lines = [
    `digraph ${dotString(model.workflow)} {`,
    '  rankdir=LR;',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [color="#555555"];',
  ];
  const emit = (box: string | undefined, indent: string): void => {
    for (const id of nodes.get(box) ?? []) {
      lines.push(`${indent}${nodeId(id)} [label=${dotString(id)}, shape=ellipse];`);
    }
    for (const id of factors.get(box) ?? []) {
      lines.push(
        `${indent}${factorId(id)} [label=${dotString(labels.get(id)!)}, shape=box, style=filled, fillcolor="#eeeeee"];`,
      );
    }
    for (const child of boxes.get(box) ?? []) {
      lines.push(`${indent}subgraph ${dotString(`cluster_${child.id}`)} {`);
      lines.push(`${indent}  label=${dotString(boxLabel(child))};`);
      lines.push(`${indent}  style=rounded; color="#8888aa";`);
      emit(child.id, `${indent}  `);
      lines.push(`${indent}}`);
    }
  };
  emit(undefined, '  ');
  for (const edge of model.edges) {
    const end = (e: { kind: 'node' | 'factor'; id: string }) =>
      e.kind === 'node' ? nodeId(e.id) : factorId(e.id);
    lines.push(`  ${end(edge.from)} -> ${end(edge.to)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** Mermaid label text: quotes and markup characters as entity codes, so any id is safe. */
function mermaidText(text: string): string {
  return text.replace(/[#"<>&\n\r`]/g, (c) =>
    c === '\n' || c === '\r' ? ' ' : `#${String(c.charCodeAt(0))};`,
  );
}

function toMermaid(model: WorkflowGraphModel): string {
  const { boxes, nodes, factors } = nesting(model);
  // Mermaid ids are restricted: number everything and keep the real names in labels.
  const ids = new Map<string, string>();
  model.nodes.forEach((n, i) => ids.set(`node:${n.id}`, `n${String(i)}`));
  model.factors.forEach((f, i) => ids.set(`factor:${f.id}`, `f${String(i)}`));
  model.boxes.forEach((b, i) => ids.set(`box:${b.id}`, `p${String(i)}`));
  const labels = new Map(model.factors.map((f) => [f.id, f.label]));
  const lines = [`%% workflow ${mermaidText(model.workflow)}`, 'flowchart LR'];
  const emit = (box: string | undefined, indent: string): void => {
    for (const id of nodes.get(box) ?? []) {
      lines.push(`${indent}${ids.get(`node:${id}`)!}(["${mermaidText(id)}"])`);
    }
    for (const id of factors.get(box) ?? []) {
      lines.push(`${indent}${ids.get(`factor:${id}`)!}["${mermaidText(labels.get(id)!)}"]`);
    }
    for (const child of boxes.get(box) ?? []) {
      lines.push(
        `${indent}subgraph ${ids.get(`box:${child.id}`)!}["${mermaidText(boxLabel(child))}"]`,
      );
      emit(child.id, `${indent}  `);
      lines.push(`${indent}end`);
    }
  };
  emit(undefined, '  ');
  for (const edge of model.edges) {
    lines.push(
      `  ${ids.get(`${edge.from.kind}:${edge.from.id}`)!} --> ${ids.get(`${edge.to.kind}:${edge.to.id}`)!}`,
    );
  }
  return lines.join('\n');
}
