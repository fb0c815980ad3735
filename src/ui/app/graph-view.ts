// The workflow graph: nodes and factors laid out as a DAG by dagre, plates drawn as boxes around
// what they replicate (with their number of values), factors labelled tool@version. Clicking a node
// lists its streams, with links to their coverage and plots.
import dagre from '@dagrejs/dagre';
import type { EdgeLabel, GraphLabel, NodeLabel } from '@dagrejs/dagre';
import type { CoverageRow, NodeCoverage, WorkflowGraphModel } from '../api-types.js';
import { get, seg } from './client.js';
import { formatInterval, h, link, notice, replace, s, textWidth } from './dom.js';

const NODE_HEIGHT = 44;
const FACTOR_HEIGHT = 34;
const BOX_LABEL = 20;

interface Placed {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Lays out the model: positions of nodes (`n:`), factors (`f:`), boxes (`b:`) and edge points. */
export function layoutGraph(model: WorkflowGraphModel): {
  readonly places: ReadonlyMap<string, Placed>;
  readonly edges: readonly {
    readonly from: string;
    readonly to: string;
    readonly points: readonly { x: number; y: number }[];
  }[];
  readonly width: number;
  readonly height: number;
} {
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>({
    compound: true,
    multigraph: false,
  });
  g.setGraph({ rankdir: 'TB', nodesep: 22, ranksep: 30, marginx: 20, marginy: 28 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const box of model.boxes)
    g.setNode(`b:${box.id}`, { width: 0, height: 0, paddingTop: BOX_LABEL });
  for (const box of model.boxes)
    if (box.parent !== undefined) g.setParent(`b:${box.id}`, `b:${box.parent}`);
  for (const node of model.nodes) {
    const width =
      Math.max(
        textWidth(node.id, '600 13px system-ui, sans-serif'),
        textWidth(nodeSubtitle(node)),
      ) + 28;
    g.setNode(`n:${node.id}`, { width, height: NODE_HEIGHT });
    if (node.box !== undefined) g.setParent(`n:${node.id}`, `b:${node.box}`);
  }
  for (const factor of model.factors) {
    const width = textWidth(factor.label, '12px ui-monospace, monospace') + 24;
    g.setNode(`f:${factor.id}`, { width, height: FACTOR_HEIGHT });
    if (factor.box !== undefined) g.setParent(`f:${factor.id}`, `b:${factor.box}`);
  }
  for (const edge of model.edges) {
    g.setEdge(
      `${edge.from.kind === 'node' ? 'n' : 'f'}:${edge.from.id}`,
      `${edge.to.kind === 'node' ? 'n' : 'f'}:${edge.to.id}`,
    );
  }
  dagre.layout(g);
  const places = new Map<string, Placed>();
  for (const id of g.nodes()) {
    const n = g.node(id);
    if (n.x === undefined || n.y === undefined) continue;
    places.set(id, { x: n.x, y: n.y, width: n.width, height: n.height });
  }
  const edges = g.edges().map((e) => ({ from: e.v, to: e.w, points: g.edge(e).points ?? [] }));
  const graph = g.graph();
  return { places, edges, width: graph.width ?? 400, height: graph.height ?? 300 };
}

function nodeSubtitle(node: { channel: string; streams: number }): string {
  return `${node.channel} · ${String(node.streams)} stream${node.streams === 1 ? '' : 's'}`;
}

/** Renders `#/workflows/<id>` into `root`. */
export async function renderGraph(
  root: HTMLElement,
  workflow: string,
  selected?: string,
): Promise<void> {
  const model = await get<WorkflowGraphModel>(`workflows/${seg(workflow)}/graph`);
  const layout = layoutGraph(model);
  const svg = s('svg', {
    class: 'graph',
    role: 'img',
    'aria-label': `workflow ${workflow}`,
    viewBox: `0 0 ${String(layout.width)} ${String(layout.height)}`,
    width: layout.width,
    height: layout.height,
  });
  svg.append(
    s(
      'defs',
      {},
      s(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto-start-reverse',
        },
        s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }),
      ),
    ),
  );
  for (const box of model.boxes) {
    const p = layout.places.get(`b:${box.id}`);
    if (!p) continue;
    const x = p.x - p.width / 2;
    const y = p.y - p.height / 2 - BOX_LABEL;
    const values = `${String(box.values)} value${box.values === 1 ? '' : 's'}`;
    svg.append(
      s(
        'g',
        { class: 'plate', 'data-plate-id': box.id },
        s(
          'title',
          {},
          `plate ${box.id}: ${box.metaKeys.join(' × ')}, ${values}${box.description ? ` (${box.description})` : ''}`,
        ),
        s('rect', { x, y, width: p.width, height: p.height + BOX_LABEL, rx: 10 }),
        s(
          'text',
          { x: x + 10, y: y + 15, class: 'plate-label' },
          `${box.id} · ${box.metaKeys.join(' × ')} · `,
          s('tspan', { class: 'plate-values' }, values),
        ),
      ),
    );
  }
  for (const edge of layout.edges) {
    if (edge.points.length === 0) continue;
    const d = edge.points
      .map((pt, i) => `${i ? 'L' : 'M'} ${pt.x.toFixed(1)} ${pt.y.toFixed(1)}`)
      .join(' ');
    svg.append(s('path', { class: 'edge', d, 'marker-end': 'url(#arrow)' }));
  }
  const details = h('aside', { class: 'details', 'aria-live': 'polite' });
  for (const factor of model.factors) {
    const p = layout.places.get(`f:${factor.id}`);
    if (!p) continue;
    svg.append(
      s(
        'g',
        { class: `factor kind-${factor.kind}`, 'data-factor-id': factor.id },
        s('title', {}, `factor ${factor.id} (${factor.kind}): ${factor.label}`),
        s('rect', {
          x: p.x - p.width / 2,
          y: p.y - p.height / 2,
          width: p.width,
          height: p.height,
          rx: 3,
        }),
        s(
          'text',
          { x: p.x, y: p.y + 4, 'text-anchor': 'middle', class: 'factor-label' },
          factor.label,
        ),
      ),
    );
  }
  for (const node of model.nodes) {
    const p = layout.places.get(`n:${node.id}`);
    if (!p) continue;
    const g = s(
      'g',
      {
        class: 'node',
        'data-node-id': node.id,
        tabindex: 0,
        role: 'button',
        'aria-label': `node ${node.id}`,
      },
      s(
        'title',
        {},
        `node ${node.id}: ${nodeSubtitle(node)}${node.plates.length ? `, plates ${node.plates.join(', ')}` : ''}`,
      ),
      s('rect', {
        x: p.x - p.width / 2,
        y: p.y - p.height / 2,
        width: p.width,
        height: p.height,
        rx: p.height / 2,
      }),
      s('text', { x: p.x, y: p.y - 3, 'text-anchor': 'middle', class: 'node-label' }, node.id),
      s(
        'text',
        { x: p.x, y: p.y + 13, 'text-anchor': 'middle', class: 'node-sub' },
        nodeSubtitle(node),
      ),
    );
    const open = (): void => {
      for (const other of svg.querySelectorAll('.node.selected'))
        other.classList.remove('selected');
      g.classList.add('selected');
      history.replaceState(null, '', `#/workflows/${seg(workflow)}/${seg(node.id)}`);
      void showNode(details, model, node.id);
    };
    g.addEventListener('click', open);
    g.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') open();
    });
    svg.append(g);
  }
  replace(
    root,
    h('h1', {}, `Workflow `, h('code', {}, workflow)),
    h(
      'p',
      { class: 'legend' },
      `${String(model.nodes.length)} nodes, ${String(model.factors.length)} factors, ${String(model.boxes.length)} plates. `,
      'Ovals are nodes (stream sets), grey boxes factors (tool@version), blue frames plates. Click a node to see its streams.',
    ),
    h('div', { class: 'graph-layout' }, h('div', { class: 'graph-scroll' }, svg), details),
  );
  if (selected !== undefined && model.nodes.some((n) => n.id === selected)) {
    svg
      .querySelector<SVGGElement>(`g.node[data-node-id="${CSS.escape(selected)}"]`)
      ?.dispatchEvent(new Event('click'));
  } else {
    replace(details, notice('note', 'Select a node to list its streams.'));
  }
}

async function showNode(
  details: HTMLElement,
  model: WorkflowGraphModel,
  nodeId: string,
): Promise<void> {
  const node = model.nodes.find((n) => n.id === nodeId)!;
  replace(details, h('h2', {}, node.id), notice('note', 'Loading streams…'));
  let coverage: NodeCoverage;
  try {
    coverage = await get<NodeCoverage>(
      `workflows/${seg(model.workflow)}/nodes/${seg(nodeId)}/coverage`,
    );
  } catch (error) {
    replace(details, h('h2', {}, node.id), notice('error', (error as Error).message));
    return;
  }
  const producer = model.factors.find((f) => f.id === node.producer);
  replace(
    details,
    h('h2', {}, node.id),
    h(
      'dl',
      {},
      h('dt', {}, 'channel'),
      h('dd', {}, node.channel),
      h('dt', {}, 'plates'),
      h('dd', {}, node.plates.length ? node.plates.join(', ') : '(none)'),
      h('dt', {}, 'computed by'),
      h('dd', {}, producer ? `${producer.id} (${producer.label})` : '(read as it is)'),
    ),
    h(
      'p',
      {},
      link(`/coverage/${seg(model.workflow)}/${seg(nodeId)}`, 'Coverage map of this node →'),
    ),
    h(
      'table',
      { class: 'streams' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, 'stream'), h('th', {}, 'calculated'), h('th', {}, '')),
      ),
      h('tbody', {}, ...coverage.rows.map((row) => streamRow(coverage.channel, row))),
    ),
  );
}

function streamRow(channel: string, row: CoverageRow): HTMLTableRowElement {
  const calculated = row.calculated.length
    ? row.calculated.map(formatInterval).join(' ∪ ')
    : '(nothing calculated)';
  return h(
    'tr',
    { 'data-stream': row.stream },
    h('td', {}, h('code', {}, row.stream)),
    h('td', { class: 'intervals' }, calculated),
    h('td', {}, link(`/plot?channel=${seg(channel)}&stream=${seg(row.stream)}`, 'plot')),
  );
}
