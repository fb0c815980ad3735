import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Channel } from '../channels/channel.js';
import { ToolChannel } from '../tools/tool-channel.js';
import type { WorkflowFactory } from '../config/config-schema.js';
import type { HyperstreamConfig } from '../config/load-config.js';
import { loadConfig, unwrapDefault } from '../config/load-config.js';
import { lazyQueueScheduler } from '../config/queue-from-config.js';
import type { StorageConfig } from '../config/config-schema.js';
import type { EngineOptions } from '../engine/engine.js';
import { Engine } from '../engine/engine.js';
import { ToolNotFoundError, WorkflowDefinitionError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import { loadPlugins } from '../tools/plugins.js';
import { withBaseDir } from '../tools/tool.js';
import { CompositeToolSource, mapTools } from '../tools/tool-source.js';
import type { Workflow } from '../workflow/workflow.js';

/** The built-in tools shipped with the package (`tools/<name>/<date>_v<semver>.ts`). */
export const BUILT_IN_TOOLS = fileURLToPath(new URL('../../tools', import.meta.url));

/** The configuration and an engine built from it: what every command works on. */
export interface Workspace {
  readonly config: HyperstreamConfig;
  readonly engine: Engine;
  /** Built-in and plugin tool channels, by name. */
  readonly tools: CompositeToolSource;
  /** Which file each workflow came from. */
  readonly workflowFiles: ReadonlyMap<string, string>;
  close(): Promise<void>;
}

/** Where to find the config, and the clock the engine uses. */
export interface OpenWorkspaceOptions {
  readonly configPath?: string;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  /** Build the configured workflows (default true); `workflows validate` loads them one by one. */
  readonly loadWorkflows?: boolean;
}

/**
 * Loads the config and builds an engine: the built-in `tools` channel and each plugin's; the
 * configured storage (a SQLite file by default; memory; MongoDB with its Database and Assets
 * channels); then the workflows of the configured files.
 *
 * @remarks Workflow files: a `.json` file holds one definition or a list of definitions (as
 * `workflow.toDefinition()` writes them); a `.ts`/`.js` module exports functions
 * `(engine) => Workflow | Promise<Workflow>` (default and named exports alike), each called once.
 */
export async function openWorkspace(options: OpenWorkspaceOptions = {}): Promise<Workspace> {
  const config = await loadConfig({
    ...(options.configPath === undefined ? {} : { configPath: options.configPath }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const channels: Channel[] = [];
  const builtIns = new ToolChannel({ id: 'tools', path: BUILT_IN_TOOLS });
  const plugins = loadPlugins(config.plugins, {
    baseDir: config.baseDir,
    source: `plugins in ${config.file ?? 'the default config'}`,
  });
  const toolChannels = [
    builtIns,
    ...plugins.flatMap((p) => (p.toolChannel ? [p.toolChannel] : [])),
  ];
  channels.push(
    ...toolChannels,
    ...plugins.flatMap((p) => p.channels.filter((c) => c.kind !== 'tool')),
  );
  const storage = await STORAGE[config.storage.kind](config.storage as never);
  channels.push(...(storage.channels ?? []));
  const tools = new CompositeToolSource(toolChannels);
  // Tool file paths in workflows (csv_reader's path…) resolve against the config's folder, as
  // the config's own paths do, whatever the working directory.
  const baseDir = config.baseDir;
  const engine = await Engine.create({
    // `run --distributed` and the online engine with runner "queue" run pieces on queue workers.
    ...(config.queue ? { schedulers: { queue: lazyQueueScheduler(config.queue) } } : {}),
    channels,
    tools: mapTools(tools, (tool) => withBaseDir(tool, baseDir)),
    ...storage.engine,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  try {
    const workflowFiles = new Map<string, string>();
    for (const entry of options.loadWorkflows === false ? [] : config.workflows) {
      for (const workflow of await loadWorkflows(engine, entry)) {
        workflowFiles.set(workflow.id, sourceName(entry, config));
      }
    }
    return { config, engine, tools, workflowFiles, close: () => engine.close() };
  } catch (error) {
    await engine.close();
    throw error;
  }
}

/** What a storage configuration gives the engine: options, and channels of its own. */
interface ConfiguredStorage {
  readonly engine: Pick<EngineOptions, 'storage' | 'stores' | 'defaultChannel'>;
  readonly channels?: readonly Channel[];
}

type StorageOf<K extends StorageConfig['kind']> = Extract<StorageConfig, { kind: K }>;

/**
 * How each kind of storage configuration opens: the one place that knows them. Drivers are
 * imported only when configured, so SQLite never loads MongoDB's driver and memory neither.
 */
const STORAGE: {
  readonly [K in StorageConfig['kind']]: (config: StorageOf<K>) => Promise<ConfiguredStorage>;
} = {
  memory: () => Promise.resolve({ engine: {} }),
  sqlite: async (config) => {
    const { createSqliteBackend } = await import('../sqlite.js');
    return { engine: { storage: await createSqliteBackend(config.path) } };
  },
  mongodb: async (config) => {
    const { createMongoEngineOptions } = await import('../mongodb.js');
    const mongo = await createMongoEngineOptions({ uri: config.uri, database: config.database });
    return {
      engine: {
        stores: mongo.stores,
        ...(mongo.defaultChannel ? { defaultChannel: mongo.defaultChannel } : {}),
      },
      channels: mongo.channels,
    };
  },
};

/** Where a workflow came from, for messages: its file, or the config for a factory in it. */
export function sourceName(entry: string | WorkflowFactory, config: HyperstreamConfig): string {
  return typeof entry === 'string'
    ? entry
    : `${config.file ?? 'config'} (factory ${entry.name || 'anonymous'})`;
}

/** Builds the workflows of a config entry (a file, or a factory of a code config) and registers them. */
export async function loadWorkflows(
  engine: Engine,
  entry: string | WorkflowFactory,
): Promise<Workflow[]> {
  if (typeof entry === 'string') return await loadWorkflowFile(engine, entry);
  return [await buildWithFactory(engine, entry, entry.name || 'factory', 'config')];
}

/** Builds the workflows a file exports (see {@link openWorkspace}) and registers them. */
export async function loadWorkflowFile(engine: Engine, file: string): Promise<Workflow[]> {
  const fail = (why: string, cause?: unknown): never => {
    throw new WorkflowDefinitionError(`workflow file "${file}" ${why}`, { file }, cause);
  };
  if (extname(file) === '.json') {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      return fail(`cannot be read as JSON: ${(error as Error).message}`, error);
    }
    const definitions = Array.isArray(json) ? json : [json];
    const workflows: Workflow[] = [];
    for (const [i, definition] of definitions.entries()) {
      try {
        workflows.push(await engine.loadDefinition(definition));
      } catch (error) {
        throw explainDefinitionError(error, file, definition, Array.isArray(json) ? i : undefined);
      }
    }
    return workflows;
  }
  let module: Record<string, unknown>;
  try {
    const { tsImport } = await import('tsx/esm/api');
    module = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    return fail(`failed to load: ${(error as Error).message}`, error);
  }
  const factories = Object.entries({ ...module, default: unwrapDefault(module.default) }).filter(
    ([, value]) => typeof value === 'function',
  );
  if (factories.length === 0) {
    fail(`exports no workflow factory: export a function (engine) => Workflow`);
  }
  const workflows: Workflow[] = [];
  for (const [name, factory] of factories) {
    try {
      workflows.push(
        await buildWithFactory(engine, factory as WorkflowFactory, name, `workflow file "${file}"`),
      );
    } catch (error) {
      if (error instanceof ToolNotFoundError) {
        throw new ToolNotFoundError(
          `workflow file "${file}", export "${name}": ${shortToolNotFound(error)}`,
          { ...error.details, file, factory: name },
        );
      }
      throw error;
    }
  }
  return workflows;
}

/**
 * A definition's error, said in terms of the file: which workflow and factor asked for a tool
 * that is not installed, or which field is missing or wrong.
 */
function explainDefinitionError(
  error: unknown,
  file: string,
  definition: unknown,
  index: number | undefined,
): unknown {
  if (!(error instanceof WorkflowDefinitionError)) return error;
  const raw = definition as { id?: unknown; factors?: { id?: unknown }[] } | null;
  const id = typeof raw?.id === 'string' ? raw.id : undefined;
  const where = `workflow file "${file}"${index === undefined ? '' : ` (definition ${String(index + 1)})`}${id === undefined ? '' : `, workflow "${id}"`}`;
  const cause = error.cause;
  const path = typeof error.details.path === 'string' ? error.details.path : '';
  const factorIndex = /^factors\.(\d+)/.exec(path)?.[1];
  if (cause instanceof ToolNotFoundError && factorIndex !== undefined) {
    const factor = raw?.factors?.[Number(factorIndex)]?.id;
    return new ToolNotFoundError(
      `${where}, factor ${typeof factor === 'string' ? `"${factor}"` : `#${factorIndex}`} (factors[${factorIndex}]): ${shortToolNotFound(cause)}`,
      { ...cause.details, file, workflow: id, factor, path },
    );
  }
  const issues = error.details.issues;
  if (Array.isArray(issues) && issues.length > 0) {
    const problems = (
      issues as { path: PropertyKey[]; code: string; message: string; input?: unknown }[]
    ).map((issue) => {
      const field = issue.path.map(String).join('.');
      if (issue.code === 'invalid_type' && issue.input === undefined) {
        return `missing field "${field}" (${issue.message.replace(/^Invalid input: expected (\w+).*$/, 'a $1')})`;
      }
      return `field "${field || '(root)'}": ${issue.message.replace(/^Invalid input: /, '')}`;
    });
    return new WorkflowDefinitionError(
      `${where}: invalid definition: ${problems.join('; ')}`,
      { ...error.details, file },
      error,
    );
  }
  return new WorkflowDefinitionError(
    `${where}: ${error.message}`,
    { ...error.details, file },
    error,
  );
}

/** A tool-not-found message without the list of every installed tool. */
function shortToolNotFound(error: ToolNotFoundError): string {
  const tool = typeof error.details.tool === 'string' ? error.details.tool : '?';
  const suggestions = Array.isArray(error.details.suggestions)
    ? (error.details.suggestions as string[])
    : [];
  if (error.details.ambiguous === true) return error.message;
  return `tool "${tool}" is not installed${
    suggestions.length ? `; did you mean ${suggestions.map((n) => `"${n}"`).join(', ')}?` : ''
  } (see "hyperstream tools list")`;
}

async function buildWithFactory(
  engine: Engine,
  factory: WorkflowFactory,
  name: string,
  where: string,
): Promise<Workflow> {
  const built = await factory(engine);
  if (!isWorkflow(built)) {
    throw new WorkflowDefinitionError(
      `${where}: "${name}" returned ${typeof built}, not a workflow: build it with engine.workflow(id) and return it`,
      { factory: name },
    );
  }
  const workflow = built as Workflow;
  if (!engine.workflows.has(workflow.id)) engine.workflows.register(workflow);
  return workflow;
}

function isWorkflow(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Workflow).id === 'string' &&
    typeof (value as Workflow).execute === 'function' &&
    typeof (value as Workflow).toDefinition === 'function'
  );
}
