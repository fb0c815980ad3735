// Bad input to config files on disk: any file content loads or gives ConfigError naming the file
// (and, for broken JSON, the line and column).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { ConfigError } from '../../../src/errors.js';
import { RUNS, mutations, outcomeAsync } from '../../unit/bad-input/typed-error.js';

const tmp = mkdtempSync(join(tmpdir(), 'hs-bad-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const VALID_TEXT = readFileSync(
  resolve('fixtures/config/valid/nested/hyperstream.config.json'),
  'utf8',
);

describe('config files (bad input)', { timeout: 120_000 }, () => {
  it('any file content loads or gives ConfigError naming the file; broken JSON gives line and column', async () => {
    const edited = mutations(JSON.parse(VALID_TEXT)).map(
      ({ value }) => JSON.stringify(value, null, 2) ?? '',
    );
    // Cut or spliced text: broken JSON at a random place.
    const broken = fc
      .tuple(fc.constant(VALID_TEXT), fc.nat(), fc.string({ maxLength: 3 }))
      .map(
        ([text, at, inserted]) =>
          text.slice(0, at % text.length) + inserted + text.slice((at % text.length) + 1),
      );
    const content = fc.oneof(
      edited,
      broken,
      fc.string({ maxLength: 30 }),
      fc.constantFrom('', '\ufeff{}', 'null', '[]'),
    );
    const path = join(tmp, 'hyperstream.config.json');
    await fc.assert(
      fc.asyncProperty(content, async (text) => {
        writeFileSync(path, text);
        const result = await outcomeAsync(
          async () => await loadConfig({ configPath: path, env: {} }),
          [ConfigError],
          path,
        );
        if (result.ok) return;
        expect(result.error.details.file).toBe(path);
        if (/is not valid JSON/.test(result.error.message) && text.trim() !== '') {
          expect(result.error.message).toMatch(/ at line \d+, column \d+/);
        }
      }),
      // Each case writes and reads a file; the 10,000-case bar is met by the unit properties of
      // resolveConfig (test/unit/bad-input/config.property.test.ts), these add the file layer.
      { numRuns: RUNS / 4 },
    );
  });
});
