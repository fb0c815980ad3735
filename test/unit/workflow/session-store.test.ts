import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../../src/storage/memory/memory-session-store.js';
import type { SessionRecord } from '../../../src/storage/session-store.js';

const session = (id: string, workflow: string, status: SessionRecord['status']): SessionRecord => ({
  id,
  kind: 'execute',
  workflows: [workflow],
  intervals: [{ start: 0, end: 10 }],
  startedAt: 1,
  status,
  factors: [],
  pieces: [],
});

describe('MemorySessionStore', () => {
  it('stores, replaces, filters newest first, and deletes', async () => {
    const store = new MemorySessionStore();
    await store.save(session('a', 'w1', 'running'));
    await store.save(session('b', 'w2', 'failed'));
    await store.save(session('c', 'w1', 'completed'));
    await store.save({ ...session('a', 'w1', 'completed'), endedAt: 5 });
    expect((await store.get('a'))?.endedAt).toBe(5);
    expect((await store.list()).map((s) => s.id)).toEqual(['c', 'b', 'a']);
    expect((await store.list({ workflow: 'w1' })).map((s) => s.id)).toEqual(['c', 'a']);
    expect((await store.list({ status: 'failed' })).map((s) => s.id)).toEqual(['b']);
    expect((await store.list({ limit: 1 })).map((s) => s.id)).toEqual(['c']);
    expect(await store.delete('b')).toBe(true);
    expect(await store.get('b')).toBeUndefined();
  });

  it('validates what it loads', async () => {
    const store = new MemorySessionStore();
    await store.save({
      ...session('x', 'w', 'completed'),
      status: 'weird' as SessionRecord['status'],
    });
    await expect(store.get('x')).rejects.toThrow(/stored session is invalid/);
  });
});
