// Sessions (recent runs: status, pieces, documents, durations, errors) and online services, kept
// live by the server's event stream.
import type { ServiceStatus, SessionSummary } from './client.js';
import { get, seg } from './client.js';
import { formatDuration, formatInterval, formatTime, h, link, notice, replace } from './dom.js';

/** Renders `#/sessions` into `root`; returns what stops its live updates. */
export async function renderSessions(root: HTMLElement): Promise<() => void> {
  const sessionsBox = h('div', {});
  const servicesBox = h('div', {});
  const live = h('span', { class: 'live', 'data-live': 'connecting' }, 'connecting…');
  replace(
    root,
    h('h1', {}, 'Sessions ', live),
    h(
      'p',
      { class: 'legend' },
      'Recent runs, newest first. ',
      h('code', {}, 'abandoned'),
      ': its process died while running.',
    ),
    sessionsBox,
    h('h2', {}, 'Online services'),
    servicesBox,
  );
  showSessions(sessionsBox, await get<SessionSummary[]>('sessions', { limit: 50 }));
  showServices(servicesBox, await get<ServiceStatus[]>('services'));
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => {
    live.dataset.live = 'open';
    replace(live, '● live');
  });
  events.addEventListener('error', () => {
    live.dataset.live = 'reconnecting';
    replace(live, 'reconnecting…');
  });
  events.addEventListener('sessions', (event) => {
    showSessions(sessionsBox, JSON.parse((event as MessageEvent<string>).data) as SessionSummary[]);
  });
  events.addEventListener('services', (event) => {
    showServices(servicesBox, JSON.parse((event as MessageEvent<string>).data) as ServiceStatus[]);
  });
  return () => events.close();
}

function showSessions(box: HTMLElement, sessions: readonly SessionSummary[]): void {
  if (sessions.length === 0) {
    replace(
      box,
      notice(
        'note',
        'No sessions recorded (with memory storage they last as long as the process).',
      ),
    );
    return;
  }
  replace(
    box,
    h(
      'table',
      { class: 'sessions' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            'session',
            'status',
            'workflows',
            'intervals',
            'started',
            'duration',
            'pieces',
            'documents',
            'error',
          ].map((c) => h('th', {}, c)),
        ),
      ),
      h(
        'tbody',
        {},
        ...sessions.flatMap((session) => {
          const detail = factorRow(session);
          const toggle = h(
            'button',
            {
              type: 'button',
              class: 'toggle',
              'aria-expanded': 'false',
              title: 'per-factor totals',
            },
            '▸ ',
            h('code', {}, session.id),
          );
          toggle.addEventListener('click', () => {
            detail.hidden = !detail.hidden;
            toggle.setAttribute('aria-expanded', String(!detail.hidden));
            toggle.firstChild!.textContent = detail.hidden ? '▸ ' : '▾ ';
          });
          const row = h(
            'tr',
            { 'data-session': session.id, 'data-status': session.status },
            h('td', {}, toggle),
            h('td', {}, h('span', { class: `status status-${session.status}` }, session.status)),
            h(
              'td',
              {},
              ...session.workflows.flatMap((w, i) => [
                i ? ', ' : '',
                link(`/workflows/${seg(w)}`, w),
              ]),
              session.node ? ` (node ${session.node})` : '',
            ),
            h('td', { class: 'intervals' }, session.intervals.map(formatInterval).join(' ∪ ')),
            h('td', { class: 'nowrap' }, formatTime(session.startedAt)),
            h('td', {}, formatDuration(session.durationMs)),
            h('td', { class: 'num' }, String(session.pieces)),
            h('td', { class: 'num' }, session.documents.toLocaleString('en')),
            h(
              'td',
              { class: 'error-text' },
              session.error ? `${session.error.code}: ${session.error.message}` : '',
            ),
          );
          return [row, detail];
        }),
      ),
    ),
  );
}

function showServices(box: HTMLElement, services: readonly ServiceStatus[]): void {
  if (services.length === 0) {
    replace(box, notice('note', 'No online services in the state folder.'));
    return;
  }
  replace(
    box,
    h(
      'table',
      { class: 'services' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            'service',
            'status',
            'pid',
            'started',
            'iterations',
            'last run',
            'failed pieces',
            'last error',
          ].map((c) => h('th', {}, c)),
        ),
      ),
      h(
        'tbody',
        {},
        ...services.map((service) =>
          h(
            'tr',
            { 'data-service': service.name, 'data-status': service.status },
            h('td', {}, service.name),
            h(
              'td',
              {},
              h(
                'span',
                { class: `status status-${service.status}` },
                service.active ? `${service.status} (active)` : service.status,
              ),
            ),
            h('td', {}, service.pid === null ? '—' : String(service.pid)),
            h('td', {}, service.started ?? '—'),
            h('td', { class: 'num' }, String(service.iterations ?? 0)),
            h('td', {}, service.lastRun ?? '—'),
            h('td', { class: 'num' }, String(service.failedPieces?.length ?? 0)),
            h('td', { class: 'error-text' }, service.lastError ?? ''),
          ),
        ),
      ),
    ),
  );
}

/** The per-factor totals of a session: a full-width row under it, hidden until asked for. */
function factorRow(session: SessionSummary): HTMLTableRowElement {
  const content =
    session.factors.length === 0
      ? h('p', { class: 'muted' }, 'no factor ran')
      : h(
          'table',
          { class: 'factors' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['factor', 'tool', 'pieces', 'documents', 'time'].map((c) => h('th', {}, c)),
            ),
          ),
          h(
            'tbody',
            {},
            ...session.factors.map((f) =>
              h(
                'tr',
                {},
                h('td', {}, f.factor),
                h('td', { class: 'tool' }, f.tool),
                h('td', { class: 'num' }, String(f.pieces)),
                h('td', { class: 'num' }, f.documents.toLocaleString('en')),
                h('td', { class: 'num' }, formatDuration(f.durationMs)),
              ),
            ),
          ),
        );
  return h(
    'tr',
    { class: 'session-factors', 'data-factors-of': session.id, hidden: true },
    h('td', { colspan: 9 }, content),
  );
}
