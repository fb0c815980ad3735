import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { InvalidArgumentError } from '../errors.js';
import type { BackendSessionStore } from './backend.js';
import { DEFAULT_HEARTBEAT_TIMEOUT_MS } from './backend.js';
import type { SessionFilter, SessionOwner, SessionRecord, SessionStore } from './session-store.js';

/** Two start times of one process read at different moments may differ by the clock's drift. */
const START_TIME_TOLERANCE_MS = 1000;
/** Linux's USER_HZ: the unit of a process's start time in `/proc/<pid>/stat`. */
const CLOCK_TICKS_PER_SECOND = 100;

let bootTimeMs: number | null | undefined;

/** Wall-clock ms when the machine booted (Linux `/proc/stat`), or null where there is no /proc. */
function bootTime(): number | null {
  if (bootTimeMs !== undefined) return bootTimeMs;
  try {
    const match = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    bootTimeMs = match ? Number(match[1]) * 1000 : null;
  } catch {
    bootTimeMs = null;
  }
  return bootTimeMs;
}

/** What `/proc/<pid>/stat` says of a process: its state letter and start time, or undefined. */
function procStat(pid: number): { state: string; startedAt: number | undefined } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]); // field 22: start time, clock ticks after boot
  const boot = bootTime();
  return {
    state: fields[0] ?? '',
    startedAt:
      boot === null || !Number.isFinite(ticks)
        ? undefined
        : boot + Math.round((ticks * 1000) / CLOCK_TICKS_PER_SECOND),
  };
}

/**
 * The identity of a process on this machine: pid, host and start time (from `/proc` on Linux, so
 * every process computes the same figure for a given process; elsewhere the process's own clock).
 * Without a pid, this process.
 */
export function processIdentity(pid: number = process.pid): SessionOwner {
  const stat = process.platform === 'linux' ? procStat(pid) : undefined;
  let startedAt = stat?.startedAt;
  if (startedAt === undefined) {
    if (pid !== process.pid) {
      throw new InvalidArgumentError(
        `cannot tell when process ${pid} started: no /proc/${pid}/stat on this system`,
        { pid },
      );
    }
    startedAt = Math.round(Date.now() - process.uptime() * 1000);
  }
  return { pid, host: hostname(), startedAt };
}

/**
 * Whether the process that owns a session is alive: `gone` when it does not exist, is a zombie
 * or is another process that reused its pid; `unknown` when it runs on another host.
 */
export function ownerState(owner: SessionOwner): 'alive' | 'gone' | 'unknown' {
  if (owner.host !== hostname()) return 'unknown';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'gone';
  }
  const stat = process.platform === 'linux' ? procStat(owner.pid) : undefined;
  if (!stat) return 'alive'; // no /proc: kill(0) is all we know
  if (stat.state === 'Z' || stat.state === 'X') return 'gone';
  if (
    stat.startedAt !== undefined &&
    Math.abs(stat.startedAt - owner.startedAt) > START_TIME_TOLERANCE_MS
  ) {
    return 'gone'; // the pid now belongs to a later process
  }
  return 'alive';
}

/**
 * Why a stored session is abandoned, or undefined while it may still be running. `now` is the
 * wall clock.
 */
export function abandonedReason(
  session: SessionRecord,
  now: number,
  heartbeatTimeoutMs: number,
): string | undefined {
  if (session.status !== 'running') return undefined;
  const { owner, heartbeatAt } = session;
  if (owner) {
    const state = ownerState(owner);
    if (state === 'alive') return undefined;
    if (state === 'gone') {
      return `process ${owner.pid} on host "${owner.host}" ended without finishing the session`;
    }
  }
  if (heartbeatAt !== undefined && now - heartbeatAt > heartbeatTimeoutMs) {
    const who = owner ? `process ${owner.pid} on host "${owner.host}"` : 'its process';
    return `no heartbeat from ${who} for ${Math.round((now - heartbeatAt) / 1000)} s (timeout ${Math.round(heartbeatTimeoutMs / 1000)} s)`;
  }
  return undefined;
}

/** The session as it is now: a dead `running` one becomes `abandoned`, with the reason as its error. */
export function withLiveStatus(
  session: SessionRecord,
  now: number,
  heartbeatTimeoutMs: number,
): SessionRecord {
  const reason = abandonedReason(session, now, heartbeatTimeoutMs);
  if (reason === undefined) return session;
  return {
    ...session,
    status: 'abandoned',
    error: { code: 'SESSION_ABANDONED', message: reason },
  };
}

/** Checks a heartbeat timeout option. */
export function checkHeartbeatTimeout(value: number | undefined): number {
  const timeout = value ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new InvalidArgumentError(
      `invalid heartbeatTimeoutMs ${String(value)}: expected a positive number of milliseconds`,
    );
  }
  return timeout;
}

/** What a backend's raw session store adds so sessions can be tracked: a conditional heartbeat. */
export interface HeartbeatSessionStore extends SessionStore {
  /** Sets `heartbeatAt` of the session if it is stored as `running`; true when it was. */
  heartbeat(id: string, at: number): Promise<boolean>;
}

/**
 * The {@link BackendSessionStore} over a backend's own session store: stamps the owner and a first
 * heartbeat on `running` saves, and reports dead running sessions as `abandoned` on reads.
 */
export class TrackedSessionStore implements BackendSessionStore {
  readonly heartbeatTimeoutMs: number;
  readonly #store: HeartbeatSessionStore;
  #owner: SessionOwner | undefined;

  constructor(store: HeartbeatSessionStore, options: { heartbeatTimeoutMs?: number } = {}) {
    this.#store = store;
    this.heartbeatTimeoutMs = checkHeartbeatTimeout(options.heartbeatTimeoutMs);
  }

  async save(session: SessionRecord): Promise<void> {
    if (session.status === 'running') {
      this.#owner ??= processIdentity();
      session = {
        ...session,
        owner: session.owner ?? this.#owner,
        heartbeatAt: session.heartbeatAt ?? Date.now(),
      };
    }
    await this.#store.save(session);
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const session = await this.#store.get(id);
    return session && withLiveStatus(session, Date.now(), this.heartbeatTimeoutMs);
  }

  async list(filter: SessionFilter = {}): Promise<SessionRecord[]> {
    const { status, limit } = filter;
    if (status !== 'running' && status !== 'abandoned') {
      const now = Date.now();
      return (await this.#store.list(filter)).map((s) =>
        withLiveStatus(s, now, this.heartbeatTimeoutMs),
      );
    }
    // A live session is stored as `running`; an abandoned one too (the status is derived), unless
    // someone saved it as `abandoned`.
    const rest: SessionFilter = filter.workflow === undefined ? {} : { workflow: filter.workflow };
    const candidates = [
      ...(await this.#store.list({ ...rest, status: 'running' })),
      ...(status === 'abandoned' ? await this.#store.list({ ...rest, status: 'abandoned' }) : []),
    ];
    if (status === 'abandoned') candidates.sort(newestFirst);
    const now = Date.now();
    const out: SessionRecord[] = [];
    for (const candidate of candidates) {
      const session = withLiveStatus(candidate, now, this.heartbeatTimeoutMs);
      if (session.status !== status) continue;
      if (limit !== undefined && out.length >= limit) break;
      out.push(session);
    }
    return out;
  }

  async delete(id: string): Promise<boolean> {
    return await this.#store.delete(id);
  }

  async heartbeat(id: string): Promise<boolean> {
    return await this.#store.heartbeat(id, Date.now());
  }

  /** The backend closes what the store holds. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function newestFirst(a: SessionRecord, b: SessionRecord): number {
  return b.startedAt - a.startedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}
