// The engine over the SQLite backend, across real processes: a second process resumes from the
// file alone and recomputes nothing; a SIGKILLed run leaves true intervals and an `abandoned`
// session, and the next run finishes the work.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createSqliteBackend } from '../../../src/storage/sqlite/sqlite-backend.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { HOUR, WORKFLOW_ID } from '../mongodb/fixtures/houses-workflow.js';
import { spawnChild, useChildren } from './children.js';
import { useTmpDir } from './tmp-dir.js';

const run = promisify(execFile);
const dir = useTmpDir('hs-sqlite-engine-');
const script = fileURLToPath(new URL('./fixtures/sqlite-engine.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
useChildren();

async function engineProcess(
  file: string,
  mode: 'build' | 'resume',
  start: number,
  end: number,
): Promise<{ session: string; status: string; pieces: number }> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', script, file, mode, String(start), String(end)],
    { cwd: ROOT },
  );
  return JSON.parse(stdout) as { session: string; status: string; pieces: number };
}

describe('the engine on SQLite, across processes', () => {
  it('resumes from the file alone and computes only what is missing', async () => {
    const file = path.join(dir(), 'resume.db');
    const first = await engineProcess(file, 'build', 0, 6 * HOUR);
    expect(first.status).toBe('completed');
    expect(first.pieces).toBeGreaterThan(0);
    expect(await engineProcess(file, 'resume', 0, 6 * HOUR)).toMatchObject({
      status: 'completed',
      pieces: 0,
    });
    const wider = await engineProcess(file, 'resume', 2 * HOUR, 10 * HOUR);
    expect(wider.pieces).toBeGreaterThan(0);

    const backend = await createSqliteBackend(file);
    try {
      const ticks = backend.streams('sqlite');
      const id = StreamId.of('ticks');
      expect((await ticks.getCalculatedIntervals(id)).toJSON()).toEqual([
        { start: -2 * HOUR, end: 10 * HOUR },
      ]);
      expect(await ticks.count(id, new TimeInterval(0, 10 * HOUR))).toBe(10);
      const sessions = await backend.sessions.list({ workflow: WORKFLOW_ID });
      expect(sessions.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
      expect(sessions.map((s) => s.id)).toContain(first.session);
    } finally {
      await backend.close();
    }
  });

  it('reports a SIGKILLed run abandoned; its intervals are true; the next run finishes', async () => {
    const file = path.join(dir(), 'killed.db');
    await engineProcess(file, 'build', 0, HOUR);
    const child = spawnChild(process.execPath, [
      '--import',
      'tsx',
      script,
      file,
      'hang',
      String(0),
      String(48 * HOUR),
    ]);
    await child.waitFor('piece');
    child.process.kill('SIGKILL');
    expect(await child.exited).toBe('SIGKILL');

    const backend = await createSqliteBackend(file);
    try {
      const [killed] = await backend.sessions.list({ workflow: WORKFLOW_ID, limit: 1 });
      expect(killed?.status).toBe('abandoned');
      expect(killed?.owner?.pid).toBe(child.pid);
      expect(killed?.error?.message).toMatch(/ended without finishing the session/);
      // Every calculated hour of ticks holds its one tick: nothing was recorded before its data.
      const ticks = backend.streams('sqlite');
      const id = StreamId.of('ticks');
      for (const interval of await ticks.getCalculatedIntervals(id)) {
        expect(await ticks.count(id, interval)).toBe((interval.end - interval.start) / HOUR);
      }
    } finally {
      await backend.close();
    }
    const rest = await engineProcess(file, 'resume', 0, 48 * HOUR);
    expect(rest.status).toBe('completed');
    expect(rest.pieces).toBeGreaterThan(0);
  });
});
