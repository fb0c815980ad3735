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

  it('quickstart computes only what is missing and nothing the second time', async () => {
    const { stdout } = await run(tsx, ['examples/quickstart.ts'], { cwd: root });
    expect(stdout).toContain('first run: 2 pieces');
    // The window's one-year lookback is planned into the upstream piece.
    expect(stdout).toContain(
      'csv_reader->sea_ice over (1994-01-01T00:00:00.000Z, 2000-01-01T00:00:00.000Z]: 72 documents',
    );
    expect(stdout).toContain('wider run: 2 pieces');
    expect(stdout).toContain('same run again: 0 pieces');
    expect(stdout).toContain('calculated: (1995-01-01T00:00:00.000Z, 2005-01-01T00:00:00.000Z]');
  });
});
