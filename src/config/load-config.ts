import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { ConfigError, isHyperstreamError } from '../errors.js';
import type {
  LoggingConfig,
  OnlineConfig,
  ParsedConfig,
  StorageConfig,
  WorkflowFactory,
  QueueConfig,
} from './config-schema.js';
import type { PluginConfig } from '../tools/plugins.js';
import { DEFAULT_SQLITE_PATH, configSchema, queueConfigSchema } from './config-schema.js';

/** Config file names looked for in the working directory, in this order. */
export const CONFIG_FILE_NAMES = [
  'hyperstream.config.json',
  'hyperstream.config.ts',
  'hyperstream.config.js',
  'hyperstream.config.mjs',
] as const;

/** A validated configuration with defaults applied and every path absolute. */
export interface HyperstreamConfig {
  /** The file it came from, or `undefined` for the built-in default (no file found). */
  readonly file: string | undefined;
  /** The folder that relative paths in the file are resolved against. */
  readonly baseDir: string;
  readonly storage: StorageConfig;
  readonly plugins: readonly PluginConfig[];
  /** Files that export workflows (absolute paths), and factories of a code config. */
  readonly workflows: readonly (string | WorkflowFactory)[];
  readonly online: OnlineConfig;
  readonly logging: LoggingConfig;
  /**
   * The job queue, when configured (the `queue` section, or `REDIS_URL` alone, which also
   * overrides its URL); `undefined` otherwise.
   */
  readonly queue: QueueConfig | undefined;
}

/** Where to look for the configuration and which environment applies. */
export interface LoadConfigOptions {
  /** An explicit file (`--config`); relative to `cwd`. Wins over `HYPERSTREAM_CONFIG`. */
  readonly configPath?: string;
  /** The working directory searched for `hyperstream.config.*` (default `process.cwd()`). */
  readonly cwd?: string;
  /** Environment variables (default `process.env`): `HYPERSTREAM_CONFIG`, `MONGODB_URI`, `REDIS_URL`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Imports a `.ts`/`.js` config module (default: tsx's `tsImport`, so TypeScript works). */
  readonly importModule?: (file: string) => Promise<unknown>;
}

/**
 * Finds, reads, validates and resolves the configuration.
 *
 * The file is `options.configPath`, else `$HYPERSTREAM_CONFIG`, else the one `hyperstream.config.*`
 * in the working directory; with none of these the default config (memory storage, nothing else)
 * applies. `MONGODB_URI` replaces the storage uri, and selects MongoDB when the file says nothing
 * about storage. Every failure is a {@link ConfigError} naming the file, the path inside it and
 * what was expected.
 *
 * @example
 * const config = await loadConfig({ configPath: 'deploy/hyperstream.config.json' });
 * config.plugins[0]?.path; // absolute, relative to deploy/
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<HyperstreamConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = locateConfigFile(cwd, options.configPath ?? nonEmpty(env.HYPERSTREAM_CONFIG));
  if (file === undefined) return resolveConfig({}, { file: undefined, baseDir: cwd, env });
  const raw = await readConfigFile(file, options.importModule ?? importWithTsx);
  return resolveConfig(raw, { file, baseDir: dirname(file), env });
}

/**
 * The config file to use: `explicit` (must exist) or the single `hyperstream.config.*` in `cwd`,
 * or `undefined` when there is none.
 */
export function locateConfigFile(cwd: string, explicit?: string): string | undefined {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file)) {
      throw new ConfigError(
        `config file "${file}" not found: check --config or HYPERSTREAM_CONFIG`,
        { file },
      );
    }
    return file;
  }
  const found = CONFIG_FILE_NAMES.map((name) => join(cwd, name)).filter((f) => existsSync(f));
  if (found.length > 1) {
    throw new ConfigError(
      `several config files in "${cwd}": ${found.join(', ')}; keep one or choose with --config`,
      { files: found },
    );
  }
  return found[0];
}

/** Validates a config object and resolves its paths against `baseDir`; `file` names it in errors. */
export function resolveConfig(
  raw: unknown,
  context: {
    readonly file: string | undefined;
    readonly baseDir: string;
    readonly env?: Readonly<Record<string, string | undefined>>;
  },
): HyperstreamConfig {
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw configIssuesError(context.file, parsed.error.issues);
  const config: ParsedConfig = parsed.data;
  const at = (path: string): string => (isAbsolute(path) ? path : resolve(context.baseDir, path));
  return {
    file: context.file,
    baseDir: context.baseDir,
    storage: resolveStorage(applyMongoUri(config.storage, nonEmpty(context.env?.MONGODB_URI)), at),
    plugins: config.plugins.map((plugin) => ({ ...plugin, path: at(plugin.path) })),
    workflows: config.workflows.map((entry) => (typeof entry === 'string' ? at(entry) : entry)),
    online: { ...config.online, stateDir: at(config.online.stateDir) },
    logging: {
      ...config.logging,
      ...(config.logging.file === undefined ? {} : { file: at(config.logging.file) }),
    },
    queue: applyRedisUrl(config.queue, nonEmpty(context.env?.REDIS_URL)),
  };
}

/** One ConfigError listing every zod issue as `at "<path>": <expected>`. */
export function configIssuesError(
  file: string | undefined,
  issues: readonly z.core.$ZodIssue[],
): ConfigError {
  const where = file === undefined ? 'config' : `config file "${file}"`;
  const lines = issues.map((issue) => `at "${formatPath(issue.path)}": ${describeIssue(issue)}`);
  return new ConfigError(`invalid ${where}: ${lines.join('; ')}`, {
    file,
    issues: issues.map((issue) => ({
      path: formatPath(issue.path),
      code: issue.code,
      message: describeIssue(issue),
    })),
  });
}

function applyMongoUri(storage: StorageConfig | undefined, uri: string | undefined): StorageConfig {
  if (uri === undefined) return storage ?? { kind: 'sqlite', path: DEFAULT_SQLITE_PATH };
  if (storage === undefined) return { kind: 'mongodb', uri, database: 'hyperstream' };
  return storage.kind === 'mongodb' ? { ...storage, uri } : storage;
}

function applyRedisUrl(
  queue: QueueConfig | undefined,
  url: string | undefined,
): QueueConfig | undefined {
  if (url === undefined) return queue;
  return { ...(queue ?? queueConfigSchema.parse({})), url };
}

/** A SQLite file is relative to the config's folder, like every path of a config. */
function resolveStorage(storage: StorageConfig, at: (path: string) => string): StorageConfig {
  return storage.kind === 'sqlite' ? { ...storage, path: at(storage.path) } : storage;
}

async function readConfigFile(
  file: string,
  importModule: (file: string) => Promise<unknown>,
): Promise<unknown> {
  const extension = extname(file);
  if (extension === '.json') {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `config file "${file}" cannot be read: ${(error as Error).message}`,
        { file },
        error,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ConfigError(
        `config file "${file}" is not valid JSON${jsonLocation(text, error)}: fix the syntax there`,
        { file },
        error,
      );
    }
  }
  if (!['.ts', '.mts', '.js', '.mjs'].includes(extension)) {
    throw new ConfigError(
      `config file "${file}" has an unknown extension: expected .json, .ts or .js`,
      { file },
    );
  }
  let module: unknown;
  try {
    module = await importModule(file);
  } catch (error) {
    throw new ConfigError(
      `config file "${file}" failed to load: ${(error as Error).message}`,
      { file },
      error,
    );
  }
  const exported = unwrapDefault((module as { default?: unknown }).default);
  if (exported === undefined) {
    throw new ConfigError(
      `config file "${file}" has no default export: export default defineConfig({ … })`,
      { file },
    );
  }
  try {
    return typeof exported === 'function' ? await (exported as () => unknown)() : exported;
  } catch (error) {
    if (isHyperstreamError(error)) throw error;
    throw new ConfigError(
      `config file "${file}": its default export function threw: ${(error as Error).message}`,
      { file },
      error,
    );
  }
}

/**
 * A TypeScript file outside an ESM package is compiled as CommonJS; imported from ESM, its
 * `export default` then arrives as `default.default`.
 */
export function unwrapDefault(value: unknown): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'default')
    ? (value as { default: unknown }).default
    : value;
}

async function importWithTsx(file: string): Promise<unknown> {
  const { tsImport } = await import('tsx/esm/api');
  return await tsImport(pathToFileURL(file).href, import.meta.url);
}

function jsonLocation(text: string, error: unknown): string {
  // Node 20's messages carry no position for most mistakes: find it ourselves.
  const reported = /position (\d+)/.exec((error as Error).message)?.[1];
  const offset = reported === undefined ? firstJsonErrorOffset(text) : Number(reported);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const found = offset < text.length ? JSON.stringify(text.charAt(offset)) : 'the end of the file';
  return ` at line ${String(line)}, column ${String(column)} (at ${found})`;
}

/** The offset of the first character that breaks the JSON grammar (a small recursive descent). */
export function firstJsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntaxError(i);
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const literal = (word: string): void => {
    for (const char of word) {
      if (text.charAt(i) !== char) fail();
      i++;
    }
  };
  const string = (): void => {
    if (text.charAt(i) !== '"') fail();
    i++;
    while (i < text.length && text.charAt(i) !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      i += text.charAt(i) === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    space();
    const char = text.charAt(i);
    if (char === '{') {
      i++;
      space();
      if (text.charAt(i) === '}') return void i++;
      for (;;) {
        space();
        string();
        space();
        if (text.charAt(i) !== ':') fail();
        i++;
        value();
        space();
        if (text.charAt(i) === '}') return void i++;
        if (text.charAt(i) !== ',') fail();
        i++;
      }
    } else if (char === '[') {
      i++;
      space();
      if (text.charAt(i) === ']') return void i++;
      for (;;) {
        value();
        space();
        if (text.charAt(i) === ']') return void i++;
        if (text.charAt(i) !== ',') fail();
        i++;
      }
    } else if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else {
      const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
      if (!number) fail();
      i += number![0].length;
    }
  };
  try {
    value();
    space();
    if (i < text.length) fail();
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error.offset;
    throw error;
  }
  return text.length;
}

class JsonSyntaxError extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at offset ${String(offset)}`);
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${String(key)}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove or rename ${issue.keys.length > 1 ? 'them' : 'it'}`;
    case 'invalid_type':
      return `expected ${issue.expected === 'int' ? 'an integer' : issue.expected}, got ${received(issue.input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${received(issue.input)}`;
    case 'invalid_union':
      if ('options' in issue && Array.isArray(issue.options)) {
        return `expected one of ${(issue.options as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      }
      return `expected ${issue.message}`;
    default: {
      // zod's own messages read "Too small: expected …"; ours start with "expected" already.
      const message = lowerFirst(issue.message.replace(/^[A-Z][a-z]+(?: [a-z]+)?: /, ''));
      const text = message.startsWith('expected') ? message : `expected ${message}`;
      // A refinement of a whole object gets the object as input: "got object" would not help.
      return issue.input === undefined || typeof issue.input === 'object'
        ? text
        : `${text}, got ${received(issue.input)}`;
    }
  }
}

function received(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  return Array.isArray(value) ? 'an array' : typeof value;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
