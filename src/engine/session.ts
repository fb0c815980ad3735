import { randomUUID } from 'node:crypto';

/** A new session id. */
export function newSessionId(): string {
  return randomUUID();
}
