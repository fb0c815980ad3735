// The coverage map: for each stream of a node (one row per plate value), its calculated intervals
// on a time axis, the gaps in red, ranges invalidated by late data in amber and stale ranges
// (computed by an older definition of the factor) in violet; wheel to zoom, drag to pan, hover for
// the exact interval, the session that computed it and why a range is to be recomputed.
import type {
  CoverageRow,
  IntervalJSON,
  InvalidRange,
  NodeCoverage,
  UiInfo,
} from '../api-types.js';
import { ApiError, get, post, seg } from './client.js';
import { formatInterval, formatTime, h, link, notice, replace, s, textWidth } from './dom.js';
import type { TimeScale } from './time-axis.js';
import { ticks, toTime, toX } from './time-axis.js';

const ROW_HEIGHT = 20;
const ROW_GAP = 4;
const AXIS_HEIGHT = 28;

/** Renders `#/coverage/<workflow>/<node>` into `root`. */
export async function renderCoverage(
  root: HTMLElement,
  info: UiInfo,
  workflow: string,
  node: string,
): Promise<void> {
  let coverage = await load(workflow, node);
  const full = fullWindow(coverage);
  let view: IntervalJSON = full;
  const chart = h('div', { class: 'coverage-chart' });
  const tooltip = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
  const status = h('div', { class: 'action-status', 'aria-live': 'polite' });
  const summary = h('p', { class: 'legend' });
  const range = h('span', { class: 'range' });

  const draw = (): void => {
    replace(summary, summaryText(coverage));
    replace(range, `showing ${formatInterval(view)}`);
    replace(
      chart,
      drawChart(coverage, view, tooltip, (next) => {
        view = clampView(next, full);
        draw();
      }),
    );
  };
  const zoom = (factor: number): void => {
    const middle = (view.start + view.end) / 2;
    const half = ((view.end - view.start) * factor) / 2;
    view = clampView({ start: middle - half, end: middle + half }, full);
    draw();
  };
  const controls = h(
    'div',
    { class: 'controls' },
    button('Zoom in', () => zoom(0.5)),
    button('Zoom out', () => zoom(2)),
    button('Reset', () => {
      view = full;
      draw();
    }),
    range,
  );
  const reload = async (): Promise<void> => {
    coverage = await load(workflow, node);
    draw();
  };
  replace(
    root,
    h('h1', {}, 'Coverage of ', h('code', {}, node)),
    h(
      'p',
      {},
      'Workflow ',
      link(`/workflows/${seg(workflow)}/${seg(node)}`, workflow),
      coverage.producer
        ? ` · computed by ${coverage.producer}`
        : ' · not computed by a factor (read as it is)',
      ` · channel ${coverage.channel}`,
    ),
    summary,
    h(
      'p',
      { class: 'legend' },
      h('span', { class: 'swatch calculated' }),
      ' calculated ',
      h('span', { class: 'swatch gap' }),
      ' gap (not calculated) ',
      h('span', { class: 'swatch invalidated' }),
      ' invalidated (late data: to recompute) ',
      h('span', { class: 'swatch stale' }),
      ' stale (computed by another definition: to recompute) · wheel to zoom, drag to pan, hover for details',
    ),
    controls,
    chart,
    tooltip,
    info.actions ? actionsPanel(info, workflow, node, () => view, status, reload) : null,
    status,
  );
  draw();
}

async function load(workflow: string, node: string): Promise<NodeCoverage> {
  return await get<NodeCoverage>(`workflows/${seg(workflow)}/nodes/${seg(node)}/coverage`);
}

function summaryText(coverage: NodeCoverage): string {
  const total = (pick: (row: CoverageRow) => readonly unknown[]): number =>
    coverage.rows.reduce((n, r) => n + pick(r).length, 0);
  const plural = (n: number, word: string): string => `${String(n)} ${word}${n === 1 ? '' : 's'}`;
  const rows = coverage.rows.length;
  if (!coverage.range) return `${plural(rows, 'stream')}, nothing calculated yet.`;
  const gaps = total((r) => r.gaps);
  const invalidated = total((r) => r.invalidated);
  const stale = total((r) => r.stale);
  const parts = [
    gaps === 0 ? 'no gaps' : plural(gaps, 'gap'),
    ...(invalidated ? [`${plural(invalidated, 'range')} invalidated`] : []),
    ...(stale ? [`${plural(stale, 'range')} stale`] : []),
  ];
  return `${plural(rows, 'stream')} over ${formatInterval(coverage.range)}: ${parts.join(', ')}.`;
}

/** The whole window: the coverage range, widened a little so its edges show. */
function fullWindow(coverage: NodeCoverage): IntervalJSON {
  const r = coverage.range ?? { start: Date.now() - 86_400_000, end: Date.now() };
  const pad = Math.max(1, (r.end - r.start) * 0.02);
  return { start: r.start - pad, end: r.end + pad };
}

function clampView(next: IntervalJSON, full: IntervalJSON): IntervalJSON {
  const fullWidth = full.end - full.start;
  const width = Math.min(fullWidth, Math.max(1, next.end - next.start));
  let start = Math.max(full.start, Math.min(next.start, full.end - width));
  if (!Number.isFinite(start)) start = full.start;
  return { start, end: start + width };
}

function button(label: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', { type: 'button' }, label);
  b.addEventListener('click', onClick);
  return b;
}

function drawChart(
  coverage: NodeCoverage,
  view: IntervalJSON,
  tooltip: HTMLElement,
  setView: (next: IntervalJSON) => void,
): SVGSVGElement {
  const width = Math.max(640, Math.min(1400, window.innerWidth - 80));
  const height = AXIS_HEIGHT + coverage.rows.length * (ROW_HEIGHT + ROW_GAP) + 8;
  // Rows are labelled by their plate values; the keys head the column.
  const keys = coverage.rows[0]?.plateValue.map(([k]) => k) ?? [];
  const header = keys.length ? keys.join(' / ') : 'stream';
  const labels = coverage.rows.map((row) =>
    row.plateValue.length ? row.plateValue.map(([, v]) => v).join(' / ') : '(no plate)',
  );
  const labelWidth = Math.min(
    width / 3,
    16 + Math.max(...[header, ...labels].map((l) => textWidth(l, '12px ui-monospace, monospace'))),
  );
  const scale: TimeScale = { start: view.start, end: view.end, x0: labelWidth, x1: width - 12 };
  const svg = s('svg', {
    class: 'coverage',
    width,
    height,
    viewBox: `0 0 ${String(width)} ${String(height)}`,
    'data-start': view.start,
    'data-end': view.end,
  });
  svg.append(
    s(
      'defs',
      {},
      s(
        'clipPath',
        { id: 'bars-clip' },
        s('rect', { x: scale.x0, y: 0, width: scale.x1 - scale.x0, height }),
      ),
    ),
  );
  const axis = s('g', { class: 'axis' });
  for (const tick of ticks(view.start, view.end)) {
    const x = toX(scale, tick.t);
    axis.append(
      s('line', { x1: x, x2: x, y1: AXIS_HEIGHT - 6, y2: height, class: 'tick' }),
      s('text', { x, y: AXIS_HEIGHT - 10, 'text-anchor': 'middle' }, tick.label),
    );
  }
  axis.append(
    s(
      'text',
      { x: labelWidth - 8, y: AXIS_HEIGHT - 10, 'text-anchor': 'end', class: 'row-header' },
      header,
    ),
  );
  svg.append(axis);
  const bars = s('g', { 'clip-path': 'url(#bars-clip)' });
  coverage.rows.forEach((row, i) => {
    const y = AXIS_HEIGHT + i * (ROW_HEIGHT + ROW_GAP);
    svg.append(
      s(
        'text',
        { x: labelWidth - 8, y: y + ROW_HEIGHT - 6, 'text-anchor': 'end', class: 'row-label' },
        s('title', {}, row.stream),
        labels[i],
      ),
    );
    const g = s('g', { class: 'row', 'data-stream': row.stream });
    g.append(
      s('rect', { x: scale.x0, y, width: scale.x1 - scale.x0, height: ROW_HEIGHT, class: 'track' }),
    );
    const bar = (interval: IntervalJSON, cls: string): void => {
      if (interval.end <= view.start || interval.start >= view.end) return;
      const x = Math.max(scale.x0 - 1, toX(scale, interval.start));
      const x2 = Math.min(scale.x1 + 1, toX(scale, interval.end));
      g.append(
        s('rect', {
          x,
          y,
          // A gap narrower than a pixel still shows.
          width: Math.max(cls === 'calculated' ? 0.5 : 2, x2 - x),
          height: ROW_HEIGHT,
          class: cls,
          'data-start': interval.start,
          'data-end': interval.end,
        }),
      );
    };
    row.calculated.forEach((c) => bar(c, 'calculated'));
    row.invalidated.forEach((c) => bar(c, 'invalidated'));
    row.stale.forEach((c) => bar(c, 'stale'));
    row.gaps.forEach((c) => bar(c, 'gap'));
    bars.append(g);
  });
  svg.append(bars);

  // Hover: what is under the pointer, and who computed it.
  svg.addEventListener('mousemove', (event) => {
    const point = svgPoint(svg, event);
    const index = Math.floor((point.y - AXIS_HEIGHT) / (ROW_HEIGHT + ROW_GAP));
    const row = coverage.rows[index];
    if (!row || point.x < scale.x0 || point.x > scale.x1) {
      tooltip.hidden = true;
      return;
    }
    const t = toTime(scale, point.x);
    replace(tooltip, ...describe(row, t));
    tooltip.hidden = false;
    tooltip.style.left = `${String(event.pageX + 14)}px`;
    tooltip.style.top = `${String(event.pageY + 14)}px`;
  });
  svg.addEventListener('mouseleave', () => {
    tooltip.hidden = true;
  });
  // Wheel zooms around the pointer; dragging pans.
  svg.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      const point = svgPoint(svg, event);
      const at = toTime(scale, Math.min(scale.x1, Math.max(scale.x0, point.x)));
      const factor = event.deltaY < 0 ? 0.8 : 1.25;
      setView({ start: at - (at - view.start) * factor, end: at + (view.end - at) * factor });
    },
    { passive: false },
  );
  let drag: { x: number; view: IntervalJSON } | undefined;
  svg.addEventListener('mousedown', (event) => {
    drag = { x: svgPoint(svg, event).x, view };
  });
  svg.addEventListener('mouseup', (event) => {
    if (!drag) return;
    const dx = svgPoint(svg, event).x - drag.x;
    const shift = (dx / (scale.x1 - scale.x0)) * (drag.view.end - drag.view.start);
    const from = drag.view;
    drag = undefined;
    if (Math.abs(dx) > 2) setView({ start: from.start - shift, end: from.end - shift });
  });
  return svg;
}

function svgPoint(svg: SVGSVGElement, event: MouseEvent): { x: number; y: number } {
  const box = svg.getBoundingClientRect();
  const vb = svg.viewBox.baseVal;
  return {
    x: ((event.clientX - box.left) / box.width) * vb.width,
    y: ((event.clientY - box.top) / box.height) * vb.height,
  };
}

function inside(i: IntervalJSON, t: number): boolean {
  return t > i.start && t <= i.end;
}

function describe(row: CoverageRow, t: number): Node[] {
  const lines: Node[] = [h('strong', {}, row.stream), h('div', {}, `at ${formatTime(t)}`)];
  const invalid = row.invalidated.find((i) => inside(i, t)) ?? row.stale.find((i) => inside(i, t));
  const calculated = row.calculated.find((i) => inside(i, t));
  const gap = row.gaps.find((i) => inside(i, t));
  if (invalid) {
    lines.push(...describeInvalid(invalid));
  } else if (calculated) {
    lines.push(h('div', {}, `calculated ${formatInterval(calculated)}`));
    const pieces = row.pieces.filter((p) => inside(p, t)).sort((a, b) => b.startedAt - a.startedAt);
    const piece = pieces[0];
    if (piece) {
      lines.push(
        h('div', {}, `piece ${formatInterval(piece)}`),
        h(
          'div',
          {},
          `session ${piece.session} (${piece.status}, started ${formatTime(piece.startedAt)}, ${String(piece.documents)} documents)`,
        ),
      );
    } else {
      lines.push(
        h(
          'div',
          { class: 'muted' },
          'no stored session records this piece (older than the sessions read, or computed elsewhere)',
        ),
      );
    }
  } else if (gap) {
    lines.push(h('div', { class: 'gap-text' }, `gap ${formatInterval(gap)}`));
  } else {
    lines.push(h('div', { class: 'muted' }, 'outside the coverage range'));
  }
  return lines;
}

function describeInvalid(range: InvalidRange): Node[] {
  return [
    h('div', { class: `${range.status}-text` }, `${range.status} ${formatInterval(range)}`),
    h(
      'div',
      {},
      range.session === undefined
        ? 'session not recorded (a range from before sessions were stamped)'
        : `computed by session ${range.session}`,
    ),
    h('div', { class: 'reason' }, `why: ${range.reason}`),
  ];
}

function actionsPanel(
  info: UiInfo,
  workflow: string,
  node: string,
  currentView: () => IntervalJSON,
  status: HTMLElement,
  reload: () => Promise<void>,
): HTMLElement {
  const from = h('input', {
    type: 'text',
    name: 'from',
    size: 26,
    'aria-label': 'from (exclusive)',
    placeholder: 'from, e.g. 2005-01-01T00:00:00Z',
  });
  const to = h('input', {
    type: 'text',
    name: 'to',
    size: 26,
    'aria-label': 'to (inclusive)',
    placeholder: 'to, e.g. 2006-01-01T00:00:00Z',
  });
  const useView = button('Use the visible range', () => {
    const v = currentView();
    from.value = new Date(Math.round(v.start)).toISOString();
    to.value = new Date(Math.round(v.end)).toISOString();
  });
  const act = async (kind: 'purge' | 'run'): Promise<void> => {
    const interval = `${from.value.trim()}/${to.value.trim()}`;
    const question =
      kind === 'purge'
        ? `Purge node "${node}" of workflow "${workflow}" over (${from.value}, ${to.value}]? Its data there is deleted and the range becomes a gap.`
        : `Run workflow "${workflow}" over (${from.value}, ${to.value}]? Only what is missing is computed.`;
    if (!window.confirm(question)) return;
    replace(status, notice('note', kind === 'purge' ? 'Purging…' : 'Running…'));
    try {
      if (kind === 'purge') {
        const report = await post<{ streams: readonly { documents: number }[] }>(
          'purge',
          info.csrfToken ?? '',
          { workflow, node, interval },
        );
        const documents = report.streams.reduce((n, st) => n + st.documents, 0);
        replace(
          status,
          notice(
            'note',
            `Purged ${String(report.streams.length)} streams (${String(documents)} documents).`,
          ),
        );
      } else {
        const result = await post<{
          session: { id: string; status: string; pieces: number; documents: number };
        }>('run', info.csrfToken ?? '', { workflow, interval });
        replace(
          status,
          notice(
            'note',
            `Session ${result.session.id} ${result.session.status}: ${String(result.session.pieces)} pieces, ${String(result.session.documents)} documents.`,
          ),
        );
      }
      await reload();
    } catch (error) {
      replace(
        status,
        notice(
          'error',
          error instanceof ApiError ? `${error.code}: ${error.message}` : String(error),
        ),
      );
    }
  };
  const purge = button('Purge range…', () => void act('purge'));
  purge.classList.add('danger');
  purge.setAttribute('data-action', 'purge');
  const run = button('Run interval…', () => void act('run'));
  run.setAttribute('data-action', 'run');
  return h(
    'section',
    { class: 'actions' },
    h('h2', {}, 'Actions'),
    h('p', { class: 'muted' }, 'Enabled by --allow-actions. Each asks for confirmation.'),
    h('div', { class: 'controls' }, from, to, useView, purge, run),
  );
}
