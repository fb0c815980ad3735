// Bad input to configuration: random JSON and random edits of a valid config either load or give
// ConfigError naming the file and the path inside it.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load-config.js';
import { ConfigError } from '../../../src/errors.js';
import { RUNS, mutations, outcome } from './typed-error.js';

const FILE = '/configs/hyperstream.config.json';
const context = { file: FILE, baseDir: '/configs', env: {} };
const VALID: unknown = JSON.parse(
  readFileSync(resolve('fixtures/config/valid/nested/hyperstream.config.json'), 'utf8'),
);

/** The path an issue is reported at, as `resolveConfig` writes it: `online.workflows[0].every`. */
function written(path: readonly (string | number)[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

describe('config (bad input)', { timeout: 60_000 }, () => {
  it('the valid fixture loads (the base of the mutations)', () => {
    expect(resolveConfig(VALID, context).online.workflows).toHaveLength(2);
  });

  it('any JSON value loads or gives ConfigError naming the file', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (json) => {
        outcome(() => resolveConfig(json, context), [ConfigError], FILE);
      }),
      { numRuns: RUNS },
    );
  });

  it('an edited valid config loads with absolute paths, or ConfigError names the file and a path', () => {
    fc.assert(
      fc.property(mutations(VALID), ({ value, paths }) => {
        const result = outcome(() => resolveConfig(value, context), [ConfigError], FILE);
        if (result.ok) {
          const config = result.value;
          for (const path of [
            ...config.plugins.map((p) => p.path),
            ...config.workflows.filter((w): w is string => typeof w === 'string'),
            config.online.stateDir,
          ]) {
            expect(isAbsolute(path)).toBe(true);
          }
          return;
        }
        const { message } = result.error;
        expect(message).toMatch(/at "[^"]+": /);
        // The reported path is where an edit was made, inside it, or around it (a whole-object check).
        const reported = [...message.matchAll(/at "([^"]+)": /g)].map((m) => m[1]!);
        const edited = paths.map(written);
        const related = reported.some(
          (r) =>
            r === '(top level)' ||
            edited.some(
              (e) =>
                e === '' ||
                e.startsWith(r) ||
                r.startsWith(e) ||
                r.split(/[.[]/)[0] === e.split(/[.[]/)[0],
            ),
        );
        expect(related, `${message} (edited ${edited.join(', ')})`).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
