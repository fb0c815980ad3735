// The CLI against stored state, one suite for every storage (see cli-sqlite.test.ts and
// cli-mongo.mongo.test.ts): each command runs in its own process and sees what the previous
// ones computed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from './run-cli.js';
import { MAIN, TSX, cli, json, makeProject } from './run-cli.js';

/** What the suite needs to know of a storage. */
export interface CliStorage {
  /** The `storage` entry of the config (`null`: none, the default). */
  readonly config: Record<string, unknown> | null;
  /** The channel that holds computed streams. */
  readonly channel: string;
  /** A file the storage keeps, relative to the project folder, if it keeps one. */
  readonly file?: string;
  /** Removes what the storage left outside the project folder (a database). */
  dispose?(): Promise<void>;
}

const FROM = '2026-01-01T00:00:00Z';
const T0 = Date.parse(FROM);
const MINUTE = 60_000;
const iso = (t: number): string => new Date(t).toISOString();

interface Intervals {
  readonly calculated: readonly { start: string; end: string }[];
  readonly invalidated: readonly { start: string; end: string }[];
  readonly gaps?: readonly { start: string; end: string }[];
}

/** `title` names the storage, e.g. "hyperstream with MongoDB storage". */
export function defineCliStorageTests(title: string, openStorage: () => Promise<CliStorage>): void {
  let storage: CliStorage;
  let project: { dir: string; remove(): Promise<void> };
  const run = (...args: string[]): Promise<CliResult> => cli(args, { cwd: project.dir });

  beforeAll(async () => {
    storage = await openStorage();
    project = await makeProject(
      {
        workflows: [
          { workflow: 'ticker', every: 'PT1S', window: '-PT10S/-PT1S' },
          { workflow: 'slow', every: 'PT1S', window: '-PT10S/-PT1S' },
        ],
      },
      storage.config,
    );
  });

  afterAll(async () => {
    await storage?.dispose?.();
    await project?.remove();
  });

  describe(title, () => {
    it('keeps streams, intervals, sessions and provenance between commands, and purges them', async () => {
      const first = await run('run', 'ticker', '--interval', `${FROM}/PT1H`, '--json');
      expect(first.code, first.stderr).toBe(0);
      const ran = json<{ documents: number; session: string }>(first);
      expect(ran.documents).toBe(120);
      if (storage.file) expect(existsSync(join(project.dir, storage.file))).toBe(true);

      const [streams, intervals, shown, sessions, provenance] = await Promise.all([
        run('streams', 'list', '--channel', storage.channel, '--json'),
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
      expect(json<Intervals>(intervals)).toEqual({
        stream: 'doubled',
        channel: storage.channel,
        calculated: [{ start: iso(T0), end: iso(T0 + 60 * MINUTE) }],
        invalidated: [],
        requested: { start: iso(T0), end: iso(T0 + 120 * MINUTE) },
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

      const purgeArgs = [
        'purge',
        'ticks',
        '--from',
        iso(T0 + 30 * MINUTE),
        '--to',
        iso(T0 + 60 * MINUTE),
        '--cascade',
      ];
      const dry = await run(...purgeArgs, '--dry-run', '--json');
      expect(dry.code, dry.stderr).toBe(0);
      expect(
        json<{ dryRun: boolean; streams: { stream: string; documents: number }[] }>(dry),
      ).toMatchObject({
        dryRun: true,
        streams: expect.arrayContaining([
          expect.objectContaining({ stream: 'ticks', documents: 30 }),
          expect.objectContaining({ stream: 'doubled', documents: 30 }),
        ]) as unknown,
      });
      const purge = await run(...purgeArgs);
      expect(purge.code, purge.stderr).toBe(0);
      expect(purge.stdout).toContain('purged 2 streams, 60 documents');
      const after = json<Intervals>(
        await run('stream', 'intervals', 'doubled', '--interval', `${FROM}/PT1H`, '--json'),
      );
      expect(after.gaps).toEqual([{ start: iso(T0 + 30 * MINUTE), end: iso(T0 + 60 * MINUTE) }]);

      // Running again computes only the purged half; running once more, nothing.
      expect(
        json(await run('run', 'ticker', '--interval', `${FROM}/PT1H`, '--json')),
      ).toMatchObject({ documents: 60 });
      expect(
        json(await run('run', 'ticker', '--interval', `${FROM}/PT1H`, '--json')),
      ).toMatchObject({ pieces: 0, documents: 0 });
    }, 180_000); // a dozen CLI processes, slow on a loaded machine

    it('keeps the history of runs in sessions: one per run', async () => {
      const runs = [];
      for (const start of ['2026-03-01T00:00:00Z', '2026-03-01T00:05:00Z']) {
        runs.push(
          json<{ session: string }>(
            await run('run', 'ticker', '--interval', `${start}/PT5M`, '--pieces', '1', '--json'),
          ).session,
        );
      }
      const [list, show, text, failed] = await Promise.all([
        run('sessions', 'list', '--workflow', 'ticker', '--limit', '2', '--json'),
        run('sessions', 'show', runs[1]!, '--json'),
        run('sessions', 'show', runs[0]!),
        run('sessions', 'list', '--status', 'failed', '--json'),
      ]);
      const sessions =
        json<{ id: string; status: string; documents: number; intervals: string[] }[]>(list);
      expect(sessions.map((x) => x.id).sort()).toEqual([...runs].sort());
      expect(sessions.every((x) => x.status === 'completed' && x.documents === 10)).toBe(true);
      expect(json(show)).toMatchObject({
        id: runs[1],
        kind: 'execute',
        workflows: ['ticker'],
        status: 'completed',
        intervals: [
          { start: Date.parse('2026-03-01T00:05:00Z'), end: Date.parse('2026-03-01T00:10:00Z') },
        ],
      });
      expect(text.stdout).toMatch(new RegExp(`^session ${runs[0]!}: completed\\n`));
      expect(text.stdout).toMatch(/clock->ticks\s+clock@1\.0\.0\{.*\}\s+1\s+5\s+\d+\n/);
      expect(json(failed)).toEqual([]);
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

    it("leaves the online engine's results in the store, contiguous", async () => {
      const online = await run(
        'online',
        'start',
        '--virtual-clock',
        '2026-02-01T00:00:00Z',
        '--iterations',
        '20',
        '--workflow',
        'ticker',
        '--json',
      );
      expect(online.code, online.stderr).toBe(0);
      const intervals = json<Intervals>(await run('stream', 'intervals', 'doubled', '--json'));
      expect(intervals.calculated).toContainEqual({
        start: '2026-01-31T23:59:51.000Z',
        end: '2026-02-01T00:00:19.000Z',
      });
    });

    it('stopping the service during a long piece records the finished upstream step and nothing of the abandoned one', async () => {
      // What an earlier test's killed run of the same workflow left, if anything.
      const earlier = await run('stream', 'intervals', 'slow_ticks', '--json');
      const before = earlier.code === 0 ? json<Intervals>(earlier).calculated.length : 0;
      const start = await run(
        'online',
        'start',
        '--detach',
        '--workflow',
        'slow',
        '--name',
        'slow',
        '--json',
      );
      expect(start.code, start.stdout + start.stderr).toBe(0);
      const log = join(project.dir, 'state/slow.log');
      const deadline = Date.now() + 20_000;
      // The clock step is recorded first; then the slow step runs for 30 s.
      let ticks: Intervals | undefined;
      while (Date.now() < deadline) {
        const result = await run('stream', 'intervals', 'slow_ticks', '--json');
        if (result.code === 0) {
          ticks = json<Intervals>(result);
          if (ticks.calculated.length > before) break;
        }
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(ticks?.calculated).toHaveLength(before + 1);
      const stop = await run('online', 'stop', '--name', 'slow', '--json');
      expect(json(stop)).toMatchObject({ status: 'SUCCESS' });
      expect(await readFile(log, 'utf8')).toContain('abandoned by stop');
      const copy = await run('stream', 'intervals', 'slow_copy', '--json');
      // Either the sink was never created, or it exists with nothing calculated.
      if (copy.code === 0) expect(json<Intervals>(copy).calculated).toEqual([]);
      else expect(copy.stderr).toContain('STREAM_NOT_FOUND');
      const status = json<{ iterations: number; workflows: { lastEnd?: string }[] }>(
        await run('online', 'status', '--name', 'slow', '--json'),
      );
      expect(status.iterations).toBe(0);
      expect(status.workflows[0]!.lastEnd).toBeUndefined();
    });
  });
}
