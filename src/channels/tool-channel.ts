import { PathOutsideRootError, ToolLoadError, ToolNotFoundError } from '../errors.js';
import type { TimeLike } from '../time/timestamp.js';
import { formatTimestamp, toTimestamp } from '../time/timestamp.js';
import { compareSemVer, parseRange, satisfiesRange } from '../tools/semver.js';
import type { ToolDefinition, ToolKind } from '../tools/tool.js';
import { isToolDefinition } from '../tools/tool.js';
import type { Channel } from './channel.js';
import type { ModuleChannelOptions, ModuleDocument } from './module-channel.js';
import { ModuleChannel } from './module-channel.js';

/** Which version of a tool to get. */
export interface GetToolOptions {
  /** An exact version (`1.2.0`) or a range (`^1.2.0`, `~1.2.0`, `>=1.0.0`, `1.x`): the highest match. */
  readonly version?: string;
  /** The version valid at this time: the newest whose file date is at or before it. */
  readonly at?: TimeLike;
}

/** One version of a tool found on disk. */
export interface ToolVersion {
  readonly version: string;
  /** The date in the file name (epoch ms). */
  readonly timestamp: number;
  readonly path: string;
}

/** A tool as `tools list` shows it. */
export interface ToolListing {
  readonly name: string;
  /** The channel it comes from. */
  readonly channel: string;
  /** Oldest first. */
  readonly versions: readonly ToolVersion[];
  /** Kind and description of the newest version, when it loads. */
  readonly kind?: ToolKind;
  readonly description?: string;
  /** Why the newest version does not load. */
  readonly error?: Error;
}

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
export class ToolChannel extends ModuleChannel {
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
    const at = options.at === undefined ? undefined : toTimestamp(options.at);
    let candidates = at === undefined ? docs : docs.filter((doc) => doc.timestamp <= at);
    let chosen: ModuleDocument | undefined;
    if (options.version !== undefined) {
      const range = options.version;
      parseRange(range);
      candidates = candidates.filter((doc) => satisfiesRange(doc.version, range));
      // The highest matching version; a version in two files: the later file.
      chosen = candidates.reduce<ModuleDocument | undefined>(
        (best, doc) => (!best || compareSemVer(doc.version, best.version) >= 0 ? doc : best),
        undefined,
      );
    } else {
      chosen = candidates.at(-1);
    }
    if (!chosen) {
      const wanted = [
        options.version === undefined ? undefined : `version ${options.version}`,
        at === undefined ? undefined : `valid at ${formatTimestamp(at)}`,
      ]
        .filter(Boolean)
        .join(' ');
      throw new ToolNotFoundError(
        `tool "${name}" has no ${wanted} in channel "${this.id}"; available: ${describeVersions(docs)}`,
        {
          tool: name,
          channel: this.id,
          version: options.version,
          at,
          available: docs.map((d) => d.version),
        },
      );
    }
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
    if (compareSemVer(tool.version, document.version) !== 0) {
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

/** `ToolNotFoundError` for `name`, suggesting the closest of `known`. */
export function toolNotFound(
  name: string,
  known: readonly string[],
  where: string,
  details: Readonly<Record<string, unknown>> = {},
): ToolNotFoundError {
  const close = closeNames(name, known);
  const hint = close.length
    ? `did you mean ${close.map((n) => `"${n}"`).join(', ')}?`
    : `known tools: ${known.length ? known.join(', ') : '(none)'}`;
  return new ToolNotFoundError(`tool "${name}" not found in ${where}; ${hint}`, {
    ...details,
    tool: name,
    suggestions: close,
  });
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

function describeVersions(docs: readonly ModuleDocument[]): string {
  return docs
    .map((doc) => `${doc.version} (${formatTimestamp(doc.timestamp).slice(0, 10)})`)
    .join(', ');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Names within a small edit distance of `name`, or containing it, closest first (at most 5). */
function closeNames(name: string, known: readonly string[]): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  return known
    .map((candidate) => ({
      candidate,
      distance: editDistance(name.toLowerCase(), candidate.toLowerCase()),
    }))
    .filter(
      ({ candidate, distance }) =>
        distance <= limit ||
        (name.length >= 3 && candidate.toLowerCase().includes(name.toLowerCase())),
    )
    .sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : 1))
    .slice(0, 5)
    .map(({ candidate }) => candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}
