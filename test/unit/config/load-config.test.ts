import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  firstJsonErrorOffset,
  loadConfig,
  locateConfigFile,
  resolveConfig,
} from '../../../src/config/load-config.js';
import { ConfigError, ErrorCode } from '../../../src/errors.js';

const FIXTURES = resolve(import.meta.dirname, '../../../fixtures/config');
const noEnv = {};

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).code).toBe(ErrorCode.CONFIG_INVALID);
  return error as ConfigError;
}

describe('loadConfig', () => {
  let empty: string;
  beforeAll(async () => {
    empty = await mkdtemp(join(tmpdir(), 'hs-config-'));
  });
  afterAll(async () => {
    await rm(empty, { recursive: true, force: true });
  });

  it('applies defaults when no config file is found', async () => {
    const config = await loadConfig({ cwd: empty, env: noEnv });
    expect(config.file).toBeUndefined();
    // The default storage: a SQLite file beside the config (here, the working folder).
    expect(config.storage).toEqual({
      kind: 'sqlite',
      path: join(empty, '.hyperstream/hyperstream.db'),
    });
    expect(config.plugins).toEqual([]);
    expect(config.online.name).toBe('default');
    expect(config.online.stateDir).toBe(join(empty, '.hyperstream'));
    expect(config.logging).toEqual({ level: 'info', format: 'text' });
  });

  it('finds the file in the working directory and resolves paths relative to the file', async () => {
    const dir = join(FIXTURES, 'valid/nested');
    const config = await loadConfig({ cwd: dir, env: noEnv });
    expect(config.file).toBe(join(dir, 'hyperstream.config.json'));
    expect(config.storage).toEqual({
      kind: 'mongodb',
      uri: 'mongodb://db.example:27017',
      database: 'sensors',
    });
    expect(config.plugins).toEqual([
      {
        path: join(FIXTURES, 'valid/plugins/example'),
        channelIdPrefix: 'example',
        hasTools: true,
        hasAssets: false,
      },
    ]);
    expect(config.workflows).toEqual([join(dir, 'workflows/ingest.ts'), '/abs/daily.json']);
    expect(config.online.stateDir).toBe(join(dir, 'state'));
    expect(config.logging.file).toBe(join(dir, 'logs/hyperstream.log'));
    expect(config.online.retry).toEqual({
      policy: 'linear',
      delay: 'PT2S',
      factor: 2,
      ceiling: 'PT30S',
      maxRetries: 5,
      jitter: 'equal',
    });
    expect(config.online.workflows[1]).toMatchObject({
      workflow: 'daily',
      cron: '0 3 * * mon-fri',
      timeZone: 'Europe/London',
    });
  });

  it('resolves paths against the file, not the working directory, with --config', async () => {
    const config = await loadConfig({
      cwd: empty,
      configPath: join(FIXTURES, 'valid/nested/hyperstream.config.json'),
      env: noEnv,
    });
    expect(config.online.stateDir).toBe(join(FIXTURES, 'valid/nested/state'));
  });

  it('takes HYPERSTREAM_CONFIG when --config is absent, and --config over it', async () => {
    const fromEnv = await loadConfig({
      cwd: empty,
      env: { HYPERSTREAM_CONFIG: join(FIXTURES, 'valid/nested/hyperstream.config.json') },
    });
    expect(fromEnv.online.name).toBe('sensors');
    const explicit = await loadConfig({
      cwd: empty,
      configPath: join(FIXTURES, 'mongo/hyperstream.config.json'),
      env: { HYPERSTREAM_CONFIG: join(FIXTURES, 'valid/nested/hyperstream.config.json') },
    });
    expect(explicit.online.name).toBe('default');
  });

  it('resolves a SQLite path against the config file, whatever the working directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hs-config-sqlite-'));
    try {
      await writeFile(
        join(dir, 'hyperstream.config.json'),
        JSON.stringify({ storage: { kind: 'sqlite', path: 'data/state.db' } }),
      );
      const config = await loadConfig({
        configPath: join(dir, 'hyperstream.config.json'),
        env: noEnv,
      });
      expect(config.storage).toEqual({ kind: 'sqlite', path: join(dir, 'data/state.db') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lets MONGODB_URI replace the file uri, and select MongoDB when storage is not given', async () => {
    const uri = 'mongodb://from-env:27017';
    const replaced = await loadConfig({ cwd: join(FIXTURES, 'mongo'), env: { MONGODB_URI: uri } });
    expect(replaced.storage).toEqual({ kind: 'mongodb', uri, database: 'hyperstream' });
    const selected = await loadConfig({ cwd: empty, env: { MONGODB_URI: uri } });
    expect(selected.storage).toEqual({ kind: 'mongodb', uri, database: 'hyperstream' });
    const memory = resolveConfig(
      { storage: { kind: 'memory' } },
      { file: undefined, baseDir: empty, env: { MONGODB_URI: uri } },
    );
    expect(memory.storage).toEqual({ kind: 'memory' });
  });

  it('loads a TypeScript config through its default export', async () => {
    const dir = join(FIXTURES, 'code-config');
    const config = await loadConfig({ cwd: dir, env: noEnv });
    expect(config.file).toBe(join(dir, 'hyperstream.config.ts'));
    expect(config.workflows).toEqual([join(dir, 'workflows.ts')]);
    expect(config.online.workflows[0]).toMatchObject({ workflow: 'ingest', every: 'PT10S' });
  });

  it('reports broken JSON with the file and the line', async () => {
    const file = join(FIXTURES, 'broken-json/hyperstream.config.json');
    const error = await configError(loadConfig({ configPath: file, env: noEnv }));
    expect(error.message).toBe(
      `config file "${file}" is not valid JSON at line 3, column 24 (at "]"): fix the syntax there`,
    );
    expect(error.details.file).toBe(file);
  });

  it('names the file, the path inside it and what was expected for wrong types', async () => {
    const file = join(FIXTURES, 'wrong-types/hyperstream.config.json');
    const error = await configError(loadConfig({ configPath: file, env: noEnv }));
    const message = error.message;
    expect(message).toMatch(
      new RegExp(`^invalid config file "${file.replace(/[/.]/g, '\\$&')}": `),
    );
    for (const expected of [
      'at "storage.uri": expected string, got nothing',
      'at "storage.database": expected string, got 7',
      'at "plugins[0].hasTools": expected boolean, got "yes"',
      'at "online.workflows[0].every": expected an ISO 8601 duration such as PT10S, got "10 seconds"',
      'at "online.workflows[0].window": expected a relative window',
      'at "online.workflows[1].cron": expected a valid cron expression: Invalid value for hour: 25',
      'at "online.workflows[2].iterations": expected number to be >=1, got 0',
      'at "online.workflows[2].every": expected exactly one of "every" (an ISO 8601 duration) or "cron" (an expression);',
      'at "logging.level": expected one of "debug", "info", "warn", "error", got "loud"',
    ]) {
      expect(message).toContain(expected);
    }
    const paths = (error.details.issues as { path: string }[]).map((issue) => issue.path);
    expect(paths).toContain('online.workflows[1].cron');
  });

  it("gives the cron parser's own reason, not a generic hint", () => {
    const error = (() => {
      try {
        resolveConfig(
          { online: { workflows: [{ workflow: 'w', cron: '0 0 31 2 *' }] } },
          { file: '/srv/hs.json', baseDir: '/srv' },
        );
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    })();
    expect(error.message).toContain(
      'at "online.workflows[0].cron": expected a valid cron expression: no date matches it (no month has such a day), so it never fires, got "0 0 31 2 *"',
    );
  });

  it('rejects unknown keys by name, at the right place', async () => {
    const file = join(FIXTURES, 'unknown-keys/hyperstream.config.json');
    const error = await configError(loadConfig({ configPath: file, env: noEnv }));
    expect(error.message).toContain('at "(top level)": unknown key "plugin": remove or rename it');
    expect(error.message).toContain('at "online": unknown key "sleep"');
  });

  it('rejects a missing explicit file, two candidate files, and an unknown extension', async () => {
    const missing = await configError(
      loadConfig({ cwd: empty, configPath: 'nope.json', env: noEnv }),
    );
    expect(missing.message).toBe(
      `config file "${join(empty, 'nope.json')}" not found: check --config or HYPERSTREAM_CONFIG`,
    );
    expect(() => locateConfigFile(join(FIXTURES, 'two-configs'))).toThrow(
      /several config files .*hyperstream\.config\.json, .*hyperstream\.config\.js; keep one or choose with --config/,
    );
    const yaml = join(empty, 'hyperstream.yaml');
    await writeFile(yaml, 'storage: memory\n');
    const unknown = await configError(loadConfig({ configPath: yaml, env: noEnv }));
    expect(unknown.message).toContain('unknown extension: expected .json, .ts or .js');
  });

  it('reports a code config without a default export, and one that throws on import', async () => {
    const noDefault = join(empty, 'no-default.config.mjs');
    await writeFile(noDefault, 'export const config = {};\n');
    const error = await configError(loadConfig({ configPath: noDefault, env: noEnv }));
    expect(error.message).toContain('has no default export: export default defineConfig');
    const throwing = join(empty, 'throws.config.mjs');
    await writeFile(throwing, "throw new Error('boom');\n");
    const thrown = await configError(loadConfig({ configPath: throwing, env: noEnv }));
    expect(thrown.message).toBe(`config file "${throwing}" failed to load: boom`);
  });

  it('keeps workflow factories of a code config and resolves workflow files', () => {
    const factory = (): undefined => undefined;
    const config = resolveConfig(
      { workflows: ['w.ts', factory] },
      { file: undefined, baseDir: '/srv' },
    );
    expect(config.workflows).toEqual(['/srv/w.ts', factory]);
    expect(() =>
      resolveConfig({ workflows: [7] }, { file: '/srv/hyperstream.config.ts', baseDir: '/srv' }),
    ).toThrow(
      'invalid config file "/srv/hyperstream.config.ts": at "workflows[0]": expected a workflow file (.ts, .js or .json), or in a .ts/.js config a function (engine) => Workflow, got 7',
    );
  });

  it('validates a code config like a JSON one', async () => {
    const bad = join(empty, 'bad.config.mjs');
    await writeFile(bad, "export default { storage: { kind: 'redis' } };\n");
    const error = await configError(loadConfig({ configPath: bad, env: noEnv }));
    expect(error.message).toContain(
      `invalid config file "${bad}": at "storage.kind": expected one of "sqlite", "memory", "mongodb"`,
    );
  });
});

describe('firstJsonErrorOffset', () => {
  it('points at the first character that breaks the grammar', () => {
    const cases: [string, number][] = [
      ['{"a": 1,}', 8],
      ['{"a" 1}', 5],
      ['[1, 2', 5],
      ['{"a": tru}', 9],
      ['{"a": "x\ny"}', 8],
      ['{"a": [1, {"b": null}], "c": -1.5e3} x', 37],
      ["{'a': 1}", 1],
      ['', 0],
    ];
    for (const [text, offset] of cases) {
      expect(firstJsonErrorOffset(text), text).toBe(offset);
    }
    // Valid JSON has no error before its end.
    const valid = '{"a": [1, {"b": null}], "c": -1.5e3, "d": "q\\"uote"}';
    expect(() => JSON.parse(valid) as unknown).not.toThrow();
    expect(firstJsonErrorOffset(valid)).toBe(valid.length);
  });
});
