// The stream plot: a stream's numeric values (or a field of object values) over a window, drawn
// by uPlot. The server min/max-downsamples to the plot's width, so the page receives at most a few
// thousand points whatever the window holds; selecting a range zooms in and fetches its detail.
import uPlot from 'uplot';
import type { StreamOverview, StreamSummary, StreamValues } from '../api-types.js';
import { get, seg } from './client.js';
import { formatInterval, formatTime, h, link, notice, replace } from './dom.js';

/** Renders `#/plot?channel=&stream=&field=` (or the stream picker) into `root`. */
export async function renderPlot(root: HTMLElement, query: URLSearchParams): Promise<void> {
  const channel = query.get('channel');
  const stream = query.get('stream');
  if (channel === null || stream === null) {
    await renderPicker(root, query);
    return;
  }
  const overview = await get<StreamOverview>('stream', { channel, stream });
  const fieldSelect = h('select', { name: 'field', 'aria-label': 'field' });
  const stats = h('p', { class: 'plot-stats', 'aria-live': 'polite' });
  const holder = h('div', { class: 'plot' });
  const reset = h('button', { type: 'button' }, 'Reset zoom');
  replace(
    root,
    h('h1', {}, 'Stream ', h('code', {}, overview.stream)),
    h(
      'p',
      {},
      `channel ${overview.channel} · `,
      overview.first === null
        ? 'empty'
        : `${formatTime(overview.first)} … ${formatTime(overview.last ?? overview.first)}`,
      ' · calculated ',
      overview.calculated.length
        ? overview.calculated.map(formatInterval).join(' ∪ ')
        : '(nothing)',
    ),
    h(
      'div',
      { class: 'controls' },
      h('label', {}, 'value ', fieldSelect),
      reset,
      h('span', { class: 'muted' }, 'drag across the plot to zoom'),
    ),
    holder,
    stats,
  );
  if (overview.first === null) {
    replace(holder, notice('note', 'This stream has no data.'));
    return;
  }
  let field = query.get('field') ?? '';
  let plot: uPlot | undefined;
  let loading = 0;

  const fetchValues = async (window?: { start: number; end: number }): Promise<StreamValues> => {
    const width = Math.max(100, Math.min(1600, Math.round(holder.clientWidth || 1000)));
    return await get<StreamValues>('stream/values', {
      channel,
      stream,
      width,
      ...(field ? { field } : {}),
      ...(window ? { from: Math.floor(window.start), to: Math.ceil(window.end) } : {}),
    });
  };

  const show = async (window?: { start: number; end: number }): Promise<void> => {
    const ticket = ++loading;
    const started = performance.now();
    let values: StreamValues;
    try {
      values = await fetchValues(window);
    } catch (error) {
      replace(stats, notice('error', (error as Error).message));
      return;
    }
    if (ticket !== loading) return; // a newer request won
    const fetched = performance.now();
    // Offer the numeric fields of object values; pick the first one when the values are objects.
    if (fieldSelect.options.length === 0) {
      const choices = ['', ...values.fields];
      for (const f of choices)
        fieldSelect.append(h('option', { value: f }, f === '' ? '(the value)' : f));
      if (!field && values.numeric === 0 && values.fields.length) {
        field = values.fields[0]!;
        fieldSelect.value = field;
        void show(window);
        return;
      }
      fieldSelect.value = field;
    }
    const data: uPlot.AlignedData = [
      Float64Array.from(values.timestamps),
      values.values.map((v) => v),
    ];
    if (!plot) {
      plot = new uPlot(
        {
          width: Math.max(300, holder.clientWidth || 1000),
          height: 360,
          ms: 1,
          scales: { x: { time: true } },
          axes: [{}, { size: 72 }],
          series: [
            { label: 'time', value: (_u, t: number | null) => (t === null ? '' : formatTime(t)) },
            {
              label: field || 'value',
              stroke: '#2b6cb0',
              width: 1,
              spanGaps: false,
              points: { show: values.timestamps.length < 200 },
            },
          ],
          cursor: { drag: { x: true, y: false, setScale: false } },
          hooks: {
            setSelect: [
              (u) => {
                if (u.select.width < 3) return;
                const start = u.posToVal(u.select.left, 'x');
                const end = u.posToVal(u.select.left + u.select.width, 'x');
                u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
                void show({ start, end });
              },
            ],
          },
        },
        data,
        holder,
      );
    } else {
      plot.setData(data, true);
    }
    const drawn = performance.now();
    holder.dataset.points = String(values.timestamps.length);
    holder.dataset.numeric = String(values.numeric);
    holder.dataset.renderMs = (drawn - started).toFixed(1);
    holder.dataset.serverMs = String(values.elapsedMs);
    replace(
      stats,
      `${values.timestamps.length.toLocaleString('en')} points drawn`,
      values.downsampled
        ? ` (min/max of ${String(values.buckets)} buckets over ${values.numeric.toLocaleString('en')} values)`
        : ` (all ${values.numeric.toLocaleString('en')} values)`,
      values.count !== values.numeric
        ? `; ${(values.count - values.numeric).toLocaleString('en')} documents without a number${field ? ` at "${field}"` : ''}`
        : '',
      ` · window ${values.window ? formatInterval(values.window) : '(empty)'}`,
      ` · server ${values.elapsedMs.toFixed(0)} ms, transfer ${(fetched - started - values.elapsedMs).toFixed(0)} ms, drawn in ${(drawn - started).toFixed(0)} ms`,
    );
  };
  fieldSelect.addEventListener('change', () => {
    field = fieldSelect.value;
    plot?.destroy();
    plot = undefined;
    replace(holder);
    void show();
  });
  reset.addEventListener('click', () => void show());
  await show();
}

async function renderPicker(root: HTMLElement, query: URLSearchParams): Promise<void> {
  const name = query.get('name') ?? '';
  const { streams, truncated } = await get<{ streams: StreamSummary[]; truncated: boolean }>(
    'streams',
    name ? { name } : {},
  );
  const filter = h('input', {
    type: 'search',
    value: name,
    placeholder: 'stream name',
    'aria-label': 'stream name',
  });
  filter.addEventListener('change', () => {
    location.hash = `#/plot?name=${seg(filter.value)}`;
  });
  replace(
    root,
    h('h1', {}, 'Streams'),
    h('p', {}, 'Pick a stream to plot. ', filter),
    streams.length === 0
      ? notice('note', 'No streams.')
      : h(
          'table',
          { class: 'streams' },
          h('thead', {}, h('tr', {}, h('th', {}, 'channel'), h('th', {}, 'stream'))),
          h(
            'tbody',
            {},
            ...streams.map((st) =>
              h(
                'tr',
                { 'data-stream': st.stream },
                h('td', {}, st.channel),
                h(
                  'td',
                  {},
                  link(`/plot?channel=${seg(st.channel)}&stream=${seg(st.stream)}`, st.stream),
                ),
              ),
            ),
          ),
        ),
    truncated ? notice('note', 'Only the first 1,000 streams are listed: filter by name.') : null,
  );
}
