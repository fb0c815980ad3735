import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Channel } from '../channels/channel.js';
import { ToolChannel } from '../tools/tool-channel.js';
import type { WorkflowFactory } from '../config/config-schema.js';
import type { HyperstreamConfig } from '../config/load-config.js';
import { loadConfig, unwrapDefault } from '../config/load-config.js';
import { Engine } from '../engine/engine.js';
// Type only: the driver itself is imported only when MongoDB storage is configured.
import type { MongoEngineOptions } from '../mongodb.js';
import { WorkflowDefinitionError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import { loadPlugins } from '../tools/plugins.js';
import { CompositeToolSource } from '../tools/tool-source.js';
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
 * Loads the config and builds an engine: the built-in `tools` channel and each plugin's; with
 * MongoDB storage the Database and Assets channels and the meta-data, plate, workflow and session
 * stores; then the workflows of the configured files.
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
  let mongo: MongoEngineOptions | undefined;
  if (config.storage.kind === 'mongodb') {
    // Loaded only when configured, so memory use never loads the driver.
    const { createMongoEngineOptions } = await import('../mongodb.js');
    mongo = await createMongoEngineOptions({
      uri: config.storage.uri,
      database: config.storage.database,
    });
    channels.push(...mongo.channels);
  }
  const tools = new CompositeToolSource(toolChannels);
  const engine = await Engine.create({
    channels,
    tools,
    ...(mongo?.defaultChannel ? { defaultChannel: mongo.defaultChannel } : {}),
    ...(mongo ? { stores: mongo.stores } : {}),
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
    for (const definition of definitions) workflows.push(await engine.loadDefinition(definition));
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
    workflows.push(
      await buildWithFactory(engine, factory as WorkflowFactory, name, `workflow file "${file}"`),
    );
  }
  return workflows;
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
