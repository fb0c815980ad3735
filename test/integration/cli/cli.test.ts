import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from './run-cli.js';
import { FIXTURE, MAIN, ROOT, TSX, cli, json, makeProject } from './run-cli.js';

const FROM = '2026-01-01T00:00:00Z';
const TO = '2026-01-01T01:00:00Z';
const MINUTE = 60_000;

let project: { dir: string; remove(): Promise<void> };
const run = (...args: string[]): Promise<CliResult> => cli(args, { cwd: project.dir });

beforeAll(async () => {
  project = await makeProject();
});
afterAll(async () => {
  await project.remove();
});

describe('hyperstream help and usage errors', () => {
  it('prints help with exit 0, and exits 2 when there is no command', async () => {
    const [help, none, runHelp, groupHelp, version] = await Promise.all([
      run('--help'),
      run(),
      run('run', '--help'),
      run('online', '--help'),
      run('--version'),
    ]);
    expect(groupHelp.code).toBe(0);
    expect(groupHelp.stdout).toMatch(
      /^Usage: hyperstream online <start\|stop\|restart\|status\|list> \[options\]\n/,
    );
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: hyperstream <command> \[options\]/);
    expect(help.stdout).toMatch(/\n {2}run +Execute a workflow/);
    expect(help.stdout).toMatch(/\n {2}workflows +list \| show \| validate \| delete\n/);
    expect(help.stdout).toMatch(
      /\n {2}stream +show \| intervals \| provenance \| export \| import\n/,
    );
    expect(help.stdout).toMatch(/\n {2}online +start \| stop \| restart \| status \| list\n/);
    expect(help.stdout).toMatch(/\n {2}purge +/);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: hyperstream <command>');
    expect(runHelp.code).toBe(0);
    expect(runHelp.stdout).toContain(
      'Usage: hyperstream run <workflow> (--from <time> --to <time> | --interval <interval>)',
    );
    expect(runHelp.stdout).toContain('--step <duration>');
  });

  it('exits 2 with a message naming the fix for bad commands and arguments', async () => {
    const results = await Promise.all([
      run('frobnicate'),
      run('workflows'),
      run('run', 'ticker'),
      run('run', 'ticker', '--from', 'yesterday', '--to', 'now'),
      run('run', 'ticker', '--interval', '-P1D/now', '--bogus'),
      run('stream', 'show', 'doubled', '--interval', '-PT1H/now', '--head', '0'),
      run('run', 'nope', '--interval', '-PT1H/now'),
      run('workflows', 'show'),
    ]);
    for (const result of results) expect(result.code, result.stderr).toBe(2);
    const [unknown, group, noRange, badTime, badOption, badHead, noWorkflow, missing] = results.map(
      (r) => r.stderr,
    );
    expect(unknown).toMatch(
      /^error \[INVALID_ARGUMENT\]: unknown command "frobnicate": expected one of run, workflows, graph, tools/,
    );
    expect(group).toContain(
      'missing subcommand of "workflows": expected one of list, show, validate, delete',
    );
    expect(noRange).toContain(
      'no time range: give --from <time> --to <time>, or --interval such as -P1D/now',
    );
    expect(badTime).toMatch(/error \[INVALID_INTERVAL\]: invalid interval "yesterday\/now"/);
    expect(badOption).toContain("unknown option '--bogus'");
    expect(badOption).toContain('see "hyperstream run --help"');
    expect(badHead).toContain('option --head: expected a positive integer');
    expect(noWorkflow).toContain(
      'error [WORKFLOW_NOT_FOUND]: workflow "nope" not found; known workflows: broken, slow, ticker',
    );
    expect(missing).toContain(
      'error [INVALID_ARGUMENT]: missing argument <workflow>; usage: hyperstream workflows show <workflow>',
    );
  });

  it('reports a broken config file with its path and exit 2', async () => {
    const brokenJson = join(ROOT, 'fixtures/config/broken-json/hyperstream.config.json');
    const wrongTypes = join(ROOT, 'fixtures/config/wrong-types/hyperstream.config.json');
    const [broken, wrong, asJson, viaEnv] = await Promise.all([
      run('workflows', 'list', '--config', brokenJson),
      cli(['channels', 'list'], { cwd: join(ROOT, 'fixtures/config/wrong-types') }),
      run('workflows', 'list', '--config', wrongTypes, '--json'),
      cli(['channels', 'list'], { cwd: project.dir, env: { HYPERSTREAM_CONFIG: brokenJson } }),
    ]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(
      `error [CONFIG_INVALID]: config file "${brokenJson}" is not valid JSON`,
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      `invalid config file "${wrongTypes}": at "storage.uri": expected string, got nothing`,
    );
    expect(wrong.stderr).toContain(
      'at "logging.level": expected one of "debug", "info", "warn", "error", got "loud"',
    );
    expect(asJson.code).toBe(2);
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: 'CONFIG_INVALID' } });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toContain(brokenJson);
  });
});

describe('hyperstream workflows, tools, plates and channels', () => {
  it('lists and shows workflows', async () => {
    const [list, show, text] = await Promise.all([
      run('workflows', 'list', '--json'),
      run('workflows', 'show', 'ticker', '--json'),
      run('workflows', 'show', 'ticker'),
    ]);
    expect(list.code).toBe(0);
    const workflows = json<{ id: string; factors: number; source: string }[]>(list);
    expect(workflows.map((w) => w.id)).toEqual(['broken', 'slow', 'ticker']);
    expect(workflows[2]).toMatchObject({ factors: 2, source: join(FIXTURE, 'workflows/demo.ts') });
    const definition = json<{
      id: string;
      nodes: { id: string }[];
      factors: { tool: { name: string; params: unknown } }[];
    }>(show);
    expect(definition.nodes.map((n) => n.id)).toEqual(['ticks', 'doubled']);
    expect(definition.factors.map((f) => f.tool.name)).toEqual(['clock', 'double']);
    expect(definition.factors[1]!.tool.params).toEqual({ factor: 2 });
    expect(text.stdout).toMatch(/^workflow ticker \(Ticker\)\nminute ticks, doubled\n/);
    expect(text.stdout).toMatch(/double->doubled\s+tool\s+double@1\.0\.0\s+ticks\s+doubled/);
  });

  it('builds workflows defined in a TypeScript config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hs-cli-ts-'));
    try {
      await writeFile(
        join(dir, 'hyperstream.config.ts'),
        [
          `import type { Engine } from '${join(ROOT, 'src/engine/engine.js')}';`,
          'export default {',
          '  workflows: [',
          '    async function minutes(engine: Engine) {',
          "      const clock = await engine.tools.get('clock');",
          "      const w = engine.workflow('minutes');",
          "      w.factor({ tool: clock.create({ stride: 60_000 }), sink: w.node('m') });",
          '      return w;',
          '    },',
          '  ],',
          '};',
        ].join('\n'),
      );
      const [list, ran] = await Promise.all([
        cli(['workflows', 'list', '--json'], { cwd: dir }),
        cli(['run', 'minutes', '--interval', `${FROM}/PT1H`, '--json'], { cwd: dir }),
      ]);
      expect(list.code, list.stderr).toBe(0);
      expect(json(list)).toEqual([
        expect.objectContaining({
          id: 'minutes',
          source: `${join(dir, 'hyperstream.config.ts')} (factory minutes)`,
        }),
      ]);
      expect(json(ran)).toMatchObject({ status: 'completed', documents: 60 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('deletes a workflow, warning when a config file still exports it', async () => {
    const [deleted, missing] = await Promise.all([
      run('workflows', 'delete', 'ticker', '--json'),
      run('workflows', 'delete', 'nope'),
    ]);
    expect(deleted.code).toBe(0);
    expect(json(deleted)).toEqual({
      status: 'SUCCESS',
      message: `workflow "ticker" deleted; it is still exported by ${join(FIXTURE, 'workflows/demo.ts')}`,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'error [WORKFLOW_NOT_FOUND]: workflow "nope" not found: see "hyperstream workflows list"\n',
    );
  });

  it('validates workflow files: exit 0 when valid, 2 with the reason when not', async () => {
    const [valid, invalid] = await Promise.all([
      run('workflows', 'validate', '--json'),
      run('workflows', 'validate', join(FIXTURE, 'workflows/invalid.json')),
    ]);
    expect(valid.code).toBe(0);
    expect(
      json<{ workflow: string; status: string }[]>(valid).map((r) => [r.workflow, r.status]),
    ).toEqual([
      // A module's exports come in name order.
      ['broken', 'valid'],
      ['slow', 'valid'],
      ['ticker', 'valid'],
    ]);
    expect(invalid.code).toBe(2);
    expect(invalid.stdout).toMatch(/invalid\s+WORKFLOW_DEFINITION_INVALID/);
  });

  it('lists tools of the built-in and plugin channels and describes parameters', async () => {
    const [list, describe, text, missing] = await Promise.all([
      run('tools', 'list', '--json'),
      run('tools', 'describe', 'double', '--json'),
      run('tools', 'describe', 'clock'),
      run('tools', 'describe', 'dubble'),
    ]);
    const tools = json<{ name: string; channel: string; kind: string }[]>(list);
    expect(tools).toContainEqual(
      expect.objectContaining({ name: 'double', channel: 'demo_tools', kind: 'tool' }),
    );
    expect(tools).toContainEqual(expect.objectContaining({ name: 'clock', channel: 'tools' }));
    expect(json(describe)).toMatchObject({
      name: 'double',
      version: '1.0.0',
      kind: 'tool',
      parameters: {
        properties: { factor: { type: 'number', default: 2, description: 'the multiplier' } },
      },
    });
    expect(text.stdout).toMatch(/^clock@1\.0\.0 \(tool\)\n/);
    expect(text.stdout).toMatch(/stride\s+/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/error \[TOOL_NOT_FOUND\]: .*dubble.*double/);
  });

  it('lists channels and (empty) plates', async () => {
    const [channels, plates, platesText, missingPlate] = await Promise.all([
      run('channels', 'list', '--json'),
      run('plates', 'list', '--json'),
      run('plates', 'list'),
      run('plates', 'show', 'houses'),
    ]);
    expect(json<{ id: string; kind: string; writable: boolean }[]>(channels)).toEqual([
      expect.objectContaining({ id: 'tools', kind: 'tool', writable: false }),
      expect.objectContaining({ id: 'demo_tools', kind: 'tool', writable: false }),
      expect.objectContaining({ id: 'memory', kind: 'memory', writable: true }),
    ]);
    expect(json(plates)).toEqual([]);
    expect(platesText.stdout).toBe('(no plates)\n');
    expect(missingPlate.code).toBe(2);
    expect(missingPlate.stderr).toContain('PLATE_NOT_FOUND');
  });
});

describe('hyperstream run, stream, purge and sessions', () => {
  it('runs a workflow as one session, with progress lines on stderr and a summary on stdout', async () => {
    const [text, asJson] = await Promise.all([
      run('run', 'ticker', '--from', FROM, '--to', TO, '--pieces', '4'),
      run('run', 'ticker', '--interval', `${FROM}/PT1H`, '--step', 'PT20M', '--json'),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^done: workflow "ticker" over \(2026-01-01T00:00:00\.000Z, 2026-01-01T01:00:00\.000Z\]: 8 pieces computed, 120 documents written, \d+ ms \(session [0-9a-f-]{36}\)\n$/,
    );
    // The plan (two factors, four pieces each), then one line per piece.
    expect(text.stderr.trim().split('\n')).toHaveLength(9);
    expect(text.stderr).toMatch(/^run ticker: 8 pieces planned\n/);
    expect(text.stderr).toContain(
      'run ticker: piece 8/8 double->doubled (2026-01-01T00:45:00.000Z, 2026-01-01T01:00:00.000Z]: 15 documents (120 in all',
    );
    expect(asJson.code).toBe(0);
    const summary = json<{ session: string }>(asJson);
    expect(summary).toMatchObject({
      workflow: 'ticker',
      status: 'completed',
      pieces: 6,
      documents: 120,
    });
    const events = asJson.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; done?: number; documents?: number });
    expect(events[0]).toEqual({ event: 'plan', pieces: 6, total: 6 });
    expect(events.slice(1).map((e) => [e.done, e.documents])).toEqual([
      [1, 20],
      [2, 40],
      [3, 60],
      [4, 80],
      [5, 100],
      [6, 120],
    ]);
    expect(summary.session).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('shows a stream computed on request, as a table, JSON or CSV, with head and tail', async () => {
    const [table, asJson, csv, head, stored] = await Promise.all([
      run('stream', 'show', 'doubled', '--from', FROM, '--to', '2026-01-01T00:03:00Z'),
      run('stream', 'show', 'doubled', '--interval', `${FROM}/PT1H`, '--json'),
      run(
        'stream',
        'show',
        'ticks',
        '--interval',
        `${FROM}/PT1H`,
        '--format',
        'csv',
        '--tail',
        '2',
      ),
      run(
        'stream',
        'show',
        'ticks',
        '--interval',
        `${FROM}/PT1H`,
        '--head',
        '1',
        '--format',
        'json',
      ),
      run('stream', 'show', 'doubled', '--interval', `${FROM}/PT1H`, '--stored'),
    ]);
    const t0 = Date.parse(FROM);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toBe(
      [
        'TIMESTAMP                 VALUE',
        `2026-01-01T00:01:00.000Z  ${String((t0 + MINUTE) * 2)}`,
        `2026-01-01T00:02:00.000Z  ${String((t0 + 2 * MINUTE) * 2)}`,
        `2026-01-01T00:03:00.000Z  ${String((t0 + 3 * MINUTE) * 2)}`,
        '',
      ].join('\n'),
    );
    const rows = json<{ timestamp: string; value: number }[]>(asJson);
    expect(rows).toHaveLength(60);
    expect(rows.every((r) => r.value === Date.parse(r.timestamp) * 2)).toBe(true);
    expect(csv.stdout).toBe(
      `timestamp,value\r\n2026-01-01T00:59:00.000Z,${String(t0 + 59 * MINUTE)}\r\n2026-01-01T01:00:00.000Z,${String(t0 + 60 * MINUTE)}\n`,
    );
    expect(json(head)).toEqual([{ timestamp: '2026-01-01T00:01:00.000Z', value: t0 + MINUTE }]);
    // Memory storage keeps nothing between processes, and --stored computes nothing.
    expect(stored.code).toBe(2);
    expect(stored.stderr).toContain('error [STREAM_NOT_FOUND]: stream "doubled" not found');
  });

  it('reports the failing factor of a run with exit 1', async () => {
    const result = await run('run', 'broken', '--interval', `${FROM}/PT10S`, '--pieces', '1');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error [WORKFLOW_EXECUTION_FAILED]: workflow "broken" failed: factor "explode->never"',
    );
    expect(result.stderr).toContain('the sensor gateway is unreachable');
  });

  it('answers stream intervals, purge, streams and sessions on an empty memory store', async () => {
    const [intervals, purge, streams, sessions, session] = await Promise.all([
      run('stream', 'intervals', 'ticks', '--interval', `${FROM}/PT1H`),
      run('purge', 'ticker', '--dry-run', '--json'),
      run('streams', 'list', '--json'),
      run('sessions', 'list', '--json'),
      run('sessions', 'show', 'no-such-id'),
    ]);
    expect(intervals.code).toBe(2);
    expect(intervals.stderr).toContain('STREAM_NOT_FOUND');
    expect(purge.code, purge.stderr).toBe(0);
    expect(json(purge)).toMatchObject({ dryRun: true, streams: [] });
    expect(json(streams)).toEqual([]);
    expect(json(sessions)).toEqual([]);
    expect(session.code).toBe(2);
    expect(session.stderr).toContain('session "no-such-id" not found');
  });

  it('stops a run on Ctrl-C after the current piece, with exit 130', async () => {
    // The slow workflow's tool waits 30 s per piece; SIGINT aborts it and nothing of it is recorded.
    const child = spawn(
      process.execPath,
      ['--import', TSX, MAIN, 'run', 'slow', '--interval', `${FROM}/PT10S`, '--pieces', '2'],
      {
        cwd: project.dir,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Once it has started, give it a moment to reach the slow tool, then press Ctrl-C.
    const deadline = Date.now() + 20_000;
    while (!stderr.includes('run slow: 4 pieces planned') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('stopping after the running pieces (Ctrl-C again to quit at once)');
    expect(stdout).toMatch(
      // The clock's pieces completed; the slow tool's were abandoned and recorded nothing.
      /^stopped: workflow "slow" over .*: [0-2] pieces computed, .*; nothing partial was recorded, run again to finish\n$/,
    );
  });
});
