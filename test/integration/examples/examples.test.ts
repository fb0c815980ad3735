// Every example runs as a user would run it, so examples cannot rot.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const examples = readdirSync(`${root}examples`).filter((f) => f.endsWith('.ts'));
const tsx = `${root}node_modules/.bin/tsx`;

describe('examples', () => {
  it('has examples', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('%s runs and prints', async (file) => {
    const { stdout } = await run(tsx, [`examples/${file}`], { cwd: root, timeout: 120_000 });
    expect(stdout.trim().length).toBeGreaterThan(0);
  });

  it('quickstart prints the window it read', async () => {
    const { stdout } = await run(tsx, ['examples/quickstart.ts'], { cwd: root });
    expect(stdout).toContain('sea_ice: [hemisphere=arctic]: 12 months');
    expect(stdout).toContain('missing: (2011-03-01T00:00:00.000Z, 2012-01-01T00:00:00.000Z]');
  });
});
