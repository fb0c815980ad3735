// The single-page app: a hash router over the views. Everything it shows comes from the JSON API
// of the same server; nothing is loaded from anywhere else. The styles are bundled into app.css.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import type { UiInfo, WorkflowList } from '../api-types.js';
import { get, seg } from './client.js';
import { renderCoverage } from './coverage-view.js';
import { h, link, notice, replace } from './dom.js';
import { renderGraph } from './graph-view.js';
import { renderPlot } from './plot-view.js';
import { renderSessions } from './sessions-view.js';

const root = document.getElementById('app')!;
const nav = document.getElementById('nav')!;
let info: UiInfo | undefined;
let cleanup: (() => void) | undefined;
let generation = 0;

async function route(): Promise<void> {
  cleanup?.();
  cleanup = undefined;
  const mine = ++generation;
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, queryText] = hash.split('?', 2) as [string, string | undefined];
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(queryText ?? '');
  for (const a of nav.querySelectorAll('a')) {
    a.classList.toggle(
      'active',
      hash.startsWith(a.getAttribute('href')!.slice(1)) && a.getAttribute('href') !== '#/',
    );
  }
  document.body.dataset.view = parts[0] ?? 'home';
  document.body.dataset.ready = 'false';
  replace(root, notice('note', 'Loading…'));
  try {
    info ??= await get<UiInfo>('info');
    if (parts[0] === 'workflows' && parts[1] !== undefined) {
      await renderGraph(root, parts[1], parts[2]);
    } else if (parts[0] === 'coverage' && parts[1] !== undefined && parts[2] !== undefined) {
      await renderCoverage(root, info, parts[1], parts[2]);
    } else if (parts[0] === 'plot') {
      await renderPlot(root, query);
    } else if (parts[0] === 'sessions') {
      const stop = await renderSessions(root);
      if (mine === generation) cleanup = stop;
      else stop();
    } else {
      await renderHome(root);
    }
  } catch (error) {
    if (mine === generation) replace(root, notice('error', (error as Error).message));
  }
  if (mine === generation) document.body.dataset.ready = 'true';
}

async function renderHome(target: HTMLElement): Promise<void> {
  const { workflows, errors } = await get<WorkflowList>('workflows');
  replace(
    target,
    h('h1', {}, 'Workflows'),
    ...errors.map((e) => notice('error', e)),
    workflows.length === 0
      ? notice(
          'note',
          'No workflows: list workflow files in the config, or commit workflows to the store.',
        )
      : h(
          'table',
          { class: 'workflows' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['workflow', 'name', 'nodes', 'factors', 'online', 'description'].map((c) =>
                h('th', {}, c),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...workflows.map((w) =>
              h(
                'tr',
                { 'data-workflow': w.id },
                h('td', {}, link(`/workflows/${seg(w.id)}`, w.id)),
                h('td', {}, w.name),
                h('td', { class: 'num' }, String(w.nodes)),
                h('td', { class: 'num' }, String(w.factors)),
                h('td', {}, w.online ? 'yes' : 'no'),
                h('td', {}, w.description),
              ),
            ),
          ),
        ),
    h(
      'p',
      { class: 'muted' },
      info?.actions ? 'Actions are enabled (--allow-actions).' : 'Read-only.',
      ` hyperstream-ts ${info?.version ?? ''}`,
    ),
  );
}

window.addEventListener('hashchange', () => void route());
void route();
