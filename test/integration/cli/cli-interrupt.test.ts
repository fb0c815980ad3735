import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT, TSX } from './run-cli.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hs-cli-sigint-'));
  // One-second ticks over 60 days in memory: ~9 s of work in 60 pieces, each resolved as
  // microtasks only (memory channels never wait on I/O).
  await writeFile(
    join(dir, 'hyperstream.config.ts'),
    [
      `import type { Engine } from '${join(ROOT, 'src/engine/engine.js')}';`,
      'export default {',
      '  workflows: [',
      '    async function busy(engine: Engine) {',
      "      const clock = await engine.tools.get('clock');",
      "      const w = engine.workflow('busy');",
      "      w.factor({ tool: clock.create({ stride: 1000 }), sink: w.node('s') });",
      '      return w;',
      '    },',
      '  ],',
      '};',
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Ctrl-C with memory storage', () => {
  it('stops a busy in-memory run promptly with exit 130', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        TSX,
        MAIN,
        'run',
        'busy',
        '--interval',
        '2026-01-01T00:00:00Z/P60D',
        '--pieces',
        '60',
      ],
      { cwd: dir },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (!/piece 2\/60/.test(stderr) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(stderr, 'the run never got going').toMatch(/piece 2\/60/);
    const interrupted = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    const took = Date.now() - interrupted;
    expect(code, stderr).toBe(130);
    expect(took).toBeLessThan(2000);
    const done = /^stopped: workflow "busy" over .*: (\d+) pieces computed/.exec(stdout);
    expect(done, stdout).not.toBeNull();
    expect(Number(done![1])).toBeLessThan(60);
  }, 60_000);
});
