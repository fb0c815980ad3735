// Sessions (recent runs: status, pieces, documents, durations, errors), online services and the
// distributed queue's workers, kept live by the server's event stream.
import type {
  QueueOverview,
  QueueWorkerJSON,
  ServiceStatusJSON,
  SessionSummary,
} from '../api-types.js';
import { get, seg } from './client.js';
import { formatDuration, formatInterval, formatTime, h, link, notice, replace } from './dom.js';

/** Renders `#/sessions` into `root`; returns what stops its live updates. */
export async function renderSessions(root: HTMLElement): Promise<() => void> {
  const sessionsBox = h('div', {});
  const servicesBox = h('div', {});
  const queueBox = h('div', { class: 'queue' });
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
    h('h2', {}, 'Queue workers'),
    queueBox,
  );
  showSessions(sessionsBox, await get<SessionSummary[]>('sessions', { limit: 50 }));
  showServices(servicesBox, await get<ServiceStatusJSON[]>('services'));
  showQueue(queueBox, await get<QueueOverview>('queue'));
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
    showServices(
      servicesBox,
      JSON.parse((event as MessageEvent<string>).data) as ServiceStatusJSON[],
    );
  });
  events.addEventListener('queue', (event) => {
    showQueue(queueBox, JSON.parse((event as MessageEvent<string>).data) as QueueOverview);
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

function showServices(box: HTMLElement, services: readonly ServiceStatusJSON[]): void {
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

function showQueue(box: HTMLElement, queue: QueueOverview): void {
  if (!queue.configured) {
    box.dataset.queue = 'none';
    replace(
      box,
      notice(
        'note',
        'No job queue configured: add a "queue": { "url": "redis://…" } section to the config, or set REDIS_URL, to see its workers here.',
      ),
    );
    return;
  }
  if (!queue.reachable) {
    box.dataset.queue = 'unreachable';
    replace(
      box,
      notice('error', `Queue ${queue.queue} on ${queue.redis} does not answer: ${queue.error}`),
    );
    return;
  }
  box.dataset.queue = 'open';
  const counts = h(
    'p',
    { class: 'queue-counts' },
    `queue ${queue.queue} on ${queue.redis}${queue.paused ? ' (paused)' : ''}: `,
    `${String(queue.waiting + queue.prioritized)} waiting, ${String(queue.delayed)} delayed, `,
    `${String(queue.active)} active, ${String(queue.completed)} completed, `,
    `${String(queue.failed)} failed (dead letters)`,
  );
  if (queue.workers.length === 0) {
    replace(box, counts, notice('note', 'No worker has sent a heartbeat lately.'));
    return;
  }
  replace(
    box,
    counts,
    h(
      'table',
      { class: 'workers' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            'worker',
            'status',
            'host / pid',
            'concurrency',
            'started',
            'heartbeat',
            'done',
            'failed',
            'documents',
            'running now',
            'last error',
          ].map((c) => h('th', {}, c)),
        ),
      ),
      h('tbody', {}, ...queue.workers.map(workerRow)),
    ),
  );
}

function workerRow(worker: QueueWorkerJSON): HTMLTableRowElement {
  const ago = Math.max(0, Date.now() - worker.heartbeatAt);
  return h(
    'tr',
    { 'data-worker': worker.name, 'data-status': worker.status },
    h('td', {}, worker.name),
    h('td', {}, h('span', { class: `status status-${worker.status}` }, worker.status)),
    h('td', {}, `${worker.host} / ${String(worker.pid)}`),
    h('td', { class: 'num' }, String(worker.concurrency)),
    h('td', { class: 'nowrap' }, formatTime(Date.parse(worker.started))),
    h(
      'td',
      { class: 'nowrap', title: formatTime(worker.heartbeatAt) },
      `${formatDuration(ago)} ago`,
    ),
    h('td', { class: 'num' }, String(worker.done)),
    h('td', { class: 'num' }, String(worker.failed)),
    h('td', { class: 'num' }, worker.documents.toLocaleString('en')),
    h(
      'td',
      { class: 'current' },
      worker.current.length === 0
        ? '—'
        : worker.current
            .map(
              (p) =>
                `${p.workflow}/${p.factor}${p.plateValue ? ` [${p.plateValue}]` : ''} ${formatInterval(p.interval)}`,
            )
            .join('; '),
    ),
    h('td', { class: 'error-text' }, worker.lastError ?? ''),
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
