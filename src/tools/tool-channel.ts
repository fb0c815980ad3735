import type { Channel } from '../channels/channel.js';
import type { ModuleChannelOptions, ModuleDocument } from '../channels/module-channel.js';
import { ModuleChannel } from '../channels/module-channel.js';
import { PathOutsideRootError, ToolLoadError, type ToolNotFoundError } from '../errors.js';
import { compareVersions } from '../internal/versions.js';
import type { ToolDefinition } from './tool.js';
import { isToolDefinition } from './tool.js';
import type { GetToolOptions, ToolListing, ToolSource, ToolVersion } from './tool-source.js';
import { chooseVersion, toolNotFound, versionNotFound } from './tool-source.js';

/** Options of a {@link ToolChannel}; the id defaults to `tools`. */
export type ToolChannelOptions = ModuleChannelOptions;

/**
 * A module channel of tools: each sub-folder is a tool (`clock/`), each `<date>_v<semver>.ts`
 * file in it a version exporting `defineTool(...)` as `default` (or as `tool`).
 *
 * @remarks
 * A module counts as a tool by its brand ({@link isToolDefinition}), never `instanceof`: a tool
 * file may load its own copy of this package. A file that does not import, exports nothing, exports
 * something else, or defines a tool whose name or version disagrees with its folder and file name
 * gives `ToolLoadError` with the path and the cause. {@link FileChannel.refresh} finds new files
 * without a restart.
 *
 * @example
 * const tools = new ToolChannel({ path: 'tools' });
 * const clock = await tools.get('clock');                        // newest version
 * const old = await tools.get('clock', { version: '^1.0.0' });   // highest 1.x.y
 * const then = await tools.get('clock', { at: '2024-03-01' });   // valid at that time
 */
export class ToolChannel extends ModuleChannel implements ToolSource {
  override readonly kind: string = 'tool';

  constructor(options: ToolChannelOptions) {
    super({ ...options, id: options.id ?? 'tools' });
  }

  /**
   * The tool `name`: the newest version, an exact or range `version`, or the version valid `at` a
   * time. `ToolNotFoundError` (with close names or the versions there are), `ToolLoadError` when
   * the file is broken.
   */
  async get(name: string, options: GetToolOptions = {}): Promise<ToolDefinition> {
    return await this.loadTool(await this.find(name, options));
  }

  /** The file `get` would load, without loading it. */
  async find(name: string, options: GetToolOptions = {}): Promise<ModuleDocument> {
    const docs = await this.documents(name);
    if (docs.length === 0) throw await this.#notFound(name);
    const chosen = chooseVersion(docs, options);
    if (!chosen) throw versionNotFound(name, `channel "${this.id}"`, options, docs);
    return chosen;
  }

  /** True when a folder named `name` holds at least one version file. */
  async has(name: string): Promise<boolean> {
    return (await this.documents(name)).length > 0;
  }

  /** The tool names (folders with at least one version file), sorted. */
  async names(): Promise<string[]> {
    const names = await this.streamNames();
    const found = await Promise.all(
      names.map(async (name) => ((await this.has(name)) ? name : undefined)),
    );
    return found.filter((name): name is string => name !== undefined);
  }

  /** The versions of a tool on disk, oldest first. */
  async versions(name: string): Promise<ToolVersion[]> {
    return (await this.documents(name)).map(({ version, timestamp, path }) => ({
      version,
      timestamp,
      path,
    }));
  }

  /** Every tool with its versions, and the kind and description of its newest version. */
  async list(): Promise<ToolListing[]> {
    const names = await this.names();
    return await Promise.all(
      names.map(async (name): Promise<ToolListing> => {
        const versions = await this.versions(name);
        try {
          const tool = await this.get(name);
          return {
            name,
            channel: this.id,
            versions,
            kind: tool.kind,
            description: tool.description,
          };
        } catch (error) {
          return {
            name,
            channel: this.id,
            versions,
            error: error instanceof Error ? error : new Error(String(error)),
          };
        }
      }),
    );
  }

  /** Imports a version file and checks that it is the tool its folder and file name say. */
  async loadTool(document: ModuleDocument): Promise<ToolDefinition> {
    let module: unknown;
    try {
      module = await this.importDocument(document);
    } catch (error) {
      if (error instanceof PathOutsideRootError) throw error;
      throw this.#loadError(
        document,
        `it does not load: ${messageOf(error)}`,
        'fix the error in the file',
        error,
      );
    }
    const tool = pickTool(module);
    if (typeof tool === 'string')
      throw this.#loadError(document, tool, 'export default defineTool({ ... })');
    if (tool.name !== document.stream) {
      throw this.#loadError(
        document,
        `it defines tool "${tool.name}" but lies in folder "${document.stream}"`,
        'make the folder name and the tool name the same',
      );
    }
    if (compareVersions(tool.version, document.version) !== 0) {
      throw this.#loadError(
        document,
        `it defines version ${tool.version} but its file name says ${document.version}`,
        'make the file name and the version the same',
      );
    }
    return tool;
  }

  protected override async load(document: ModuleDocument): Promise<unknown> {
    return await this.loadTool(document);
  }

  protected override loadError(document: ModuleDocument, error: unknown): Error {
    if (error instanceof ToolLoadError || error instanceof PathOutsideRootError) return error;
    return this.#loadError(document, messageOf(error), 'fix the file', error);
  }

  #loadError(
    document: ModuleDocument,
    problem: string,
    fix: string,
    cause?: unknown,
  ): ToolLoadError {
    return new ToolLoadError(
      `cannot load tool file "${document.path}": ${problem}; ${fix}`,
      { path: document.path, tool: document.stream, version: document.version, channel: this.id },
      cause,
    );
  }

  async #notFound(name: string): Promise<ToolNotFoundError> {
    const known = await this.names();
    return toolNotFound(name, known, `channel "${this.id}"`, { channel: this.id });
  }
}

/** True for a tool channel, even one from another copy of this package (no `instanceof`). */
export function isToolChannel(channel: unknown): channel is ToolChannel {
  return (
    typeof channel === 'object' &&
    channel !== null &&
    (channel as Channel).kind === 'tool' &&
    typeof (channel as ToolChannel).get === 'function' &&
    typeof (channel as ToolChannel).has === 'function'
  );
}

/** The export that is the tool, or why there is none. */
function pickTool(module: unknown): ToolDefinition | string {
  if (typeof module !== 'object' || module === null) return 'it is not a module';
  const exports = module as Record<string, unknown>;
  const found: [string, ToolDefinition][] = [];
  const wrong: string[] = [];
  for (const key of ['default', 'tool']) {
    let value = exports[key];
    // A CommonJS tool file imported from ESM puts its exports under `default`.
    if (
      key === 'default' &&
      !isToolDefinition(value) &&
      typeof value === 'object' &&
      value !== null
    ) {
      const inner =
        (value as Record<string, unknown>).default ?? (value as Record<string, unknown>).tool;
      if (isToolDefinition(inner)) value = inner;
    }
    if (value === undefined) continue;
    if (isToolDefinition(value)) found.push([key, value]);
    else
      wrong.push(`its ${key} export is ${describeValue(value)}, not a tool made with defineTool`);
  }
  const [first, second] = found;
  if (first && second && first[1] !== second[1]) {
    return 'its default and tool exports are two different tools: export one tool per file';
  }
  if (first) return first[1];
  if (wrong.length) return wrong.join('; ');
  const names = Object.keys(exports);
  return `it has no default or tool export (exports: ${names.length ? names.join(', ') : 'none'})`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return `an object with ${keys.length ? keys.slice(0, 6).join(', ') : 'no keys'}`;
  }
  return `a ${typeof value}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
