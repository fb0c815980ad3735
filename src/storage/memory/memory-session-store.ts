import type { SessionFilter, SessionRecord, SessionStore } from '../session-store.js';
import { parseSessionRecord } from '../session-store.js';

/** Sessions in memory, kept as JSON text so reads go through the same validation as a database. */
export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, string>();

  save(session: SessionRecord): Promise<void> {
    this.#sessions.set(session.id, JSON.stringify(session));
    return Promise.resolve();
  }

  get(id: string): Promise<SessionRecord | undefined> {
    const text = this.#sessions.get(id);
    // Parse inside the promise, so a malformed record rejects rather than throws.
    return Promise.resolve().then(() =>
      text === undefined ? undefined : parseSessionRecord(JSON.parse(text)),
    );
  }

  list(filter: SessionFilter = {}): Promise<SessionRecord[]> {
    return Promise.resolve().then(() => {
      const out: SessionRecord[] = [];
      if (filter.limit !== undefined && filter.limit <= 0) return out;
      for (const text of [...this.#sessions.values()].reverse()) {
        const session = parseSessionRecord(JSON.parse(text));
        if (filter.workflow !== undefined && !session.workflows.includes(filter.workflow)) continue;
        if (filter.status !== undefined && session.status !== filter.status) continue;
        out.push(session);
        if (filter.limit !== undefined && out.length >= filter.limit) break;
      }
      return out;
    });
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.#sessions.delete(id));
  }

  /** Sets `heartbeatAt` (wall-clock ms) of the session if it is stored as `running`; true when it was. */
  heartbeat(id: string, at: number): Promise<boolean> {
    return Promise.resolve().then(() => {
      const text = this.#sessions.get(id);
      if (text === undefined) return false;
      const session = parseSessionRecord(JSON.parse(text));
      if (session.status !== 'running') return false;
      this.#sessions.set(id, JSON.stringify({ ...session, heartbeatAt: at }));
      return true;
    });
  }
}
