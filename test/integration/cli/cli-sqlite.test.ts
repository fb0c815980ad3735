// The CLI with no storage configured: a SQLite file beside the config, so every command, in its
// own process, sees what the previous ones computed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from './run-cli.js';
import { MAIN, TSX, cli, json, makeProject } from './run-cli.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const FROM = '2026-01-01T00:00:00Z';
const MINUTE = 60_000;
const iso = (t: number): string => new Date(t).toISOString();

interface Intervals {
  readonly stream: string;
  readonly channel: string;
  readonly calculated: readonly { start: string; end: string }[];
  readonly invalidated: readonly { start: string; end: string }[];
  readonly gaps: readonly { start: string; end: string }[];
}

let project: { dir: string; remove(): Promise<void> };
const run = (...args: string[]): Promise<CliResult> => cli(args, { cwd: project.dir });

beforeAll(async () => {
  project = await makeProject({}, null);
});
afterAll(async () => {
  await project.remove();
});

describe('hyperstream with the default storage (SQLite, no server)', () => {
  it('keeps streams, intervals and sessions between commands, and purges them', async () => {
    const first = await run('run', 'ticker', '--interval', `${FROM}/PT1H`, '--json');
    expect(first.code, first.stderr).toBe(0);
    const ran = json<{ documents: number; session: string }>(first);
    expect(ran.documents).toBe(120);
    expect(existsSync(join(project.dir, '.hyperstream/hyperstream.db'))).toBe(true);

    const [streams, intervals, shown, sessions, provenance] = await Promise.all([
      run('streams', 'list', '--channel', 'sqlite', '--json'),
      run('stream', 'intervals', 'doubled', '--interval', `${FROM}/PT2H`, '--json'),
      run(
        'stream',
        'show',
        'doubled',
        '--interval',
        `${FROM}/PT1H`,
        '--stored',
        '--tail',
        '1',
        '--json',
      ),
      run('sessions', 'list', '--json'),
      run('stream', 'provenance', 'doubled', '--json'),
    ]);
    expect(
      json<{ stream: string }[]>(streams)
        .map((s) => s.stream)
        .sort(),
    ).toEqual(['doubled', 'ticks']);
    expect(json<Intervals>(intervals)).toMatchObject({
      stream: 'doubled',
      channel: 'sqlite',
      calculated: [{ start: iso(T0), end: iso(T0 + 60 * MINUTE) }],
      invalidated: [],
      gaps: [{ start: iso(T0 + 60 * MINUTE), end: iso(T0 + 120 * MINUTE) }],
    });
    expect(json(shown)).toEqual([
      { timestamp: iso(T0 + 60 * MINUTE), value: (T0 + 60 * MINUTE) * 2 },
    ]);
    expect(json<{ id: string; status: string }[]>(sessions)).toEqual([
      expect.objectContaining({ id: ran.session, status: 'completed' }),
    ]);
    // Each range says which factor computed it, with what, from what, in which session.
    const { producers, ranges } = json<{
      producers: { fingerprint: string }[];
      ranges: {
        start: string;
        status: string;
        fingerprint: string;
        session: string;
        factor: { tool: { name: string }; sources: { node: string; fingerprint: string }[] };
      }[];
    }>(provenance);
    expect(ranges).toEqual([
      expect.objectContaining({
        start: iso(T0),
        status: 'calculated',
        fingerprint: producers[0]!.fingerprint,
        session: ran.session,
      }),
    ]);
    expect(ranges[0]!.factor.sources.map((source) => source.node)).toEqual(['ticks']);
    expect(ranges[0]!.factor.sources[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);

    const purge = await run(
      'purge',
      'ticks',
      '--from',
      iso(T0 + 30 * MINUTE),
      '--to',
      iso(T0 + 60 * MINUTE),
      '--cascade',
    );
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toContain('purged 2 streams, 60 documents');
    const after = json<Intervals>(
      await run('stream', 'intervals', 'doubled', '--interval', `${FROM}/PT1H`, '--json'),
    );
    expect(after.gaps).toEqual([{ start: iso(T0 + 30 * MINUTE), end: iso(T0 + 60 * MINUTE) }]);

    // Running again computes only the purged half; running once more, nothing.
    expect(json(await run('run', 'ticker', '--interval', `${FROM}/PT1H`, '--json'))).toMatchObject({
      documents: 60,
    });
    expect(json(await run('run', 'ticker', '--interval', `${FROM}/PT1H`, '--json'))).toMatchObject({
      pieces: 0,
      documents: 0,
    });
  });

  it('reports a run whose process was killed as abandoned, not running forever', async () => {
    const child = spawn(
      process.execPath,
      ['--import', TSX, MAIN, 'run', 'slow', '--interval', `${FROM}/PT10S`],
      { cwd: project.dir },
    );
    try {
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const deadline = Date.now() + 30_000;
      while (!stderr.includes('pieces planned') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(stderr).toContain('pieces planned');
      const running = json<{ status: string }[]>(
        await run('sessions', 'list', '--workflow', 'slow', '--json'),
      );
      expect(running.map((s) => s.status)).toEqual(['running']);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('exit', resolve));
      const abandoned = json<{ status: string }[]>(
        await run('sessions', 'list', '--status', 'abandoned', '--json'),
      );
      expect(abandoned).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
