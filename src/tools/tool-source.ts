import { isAbsolute } from 'node:path';
import {
  ChannelAlreadyExistsError,
  ChannelNotFoundError,
  InvalidArgumentError,
  PathOutsideRootError,
  ToolNotFoundError,
} from '../errors.js';
import { checkVersionRange, compareVersions, satisfiesVersion } from '../internal/versions.js';
import type { TimeLike } from '../time/timestamp.js';
import { formatTimestamp, toTimestamp } from '../time/timestamp.js';
import type { ToolDefinition, ToolKind } from './tool.js';
import { isToolDefinition } from './tool.js';

/** Which version of a tool to get. */
export interface GetToolOptions {
  /** An exact version (`1.2.0`) or an npm range (`^1.2.0`, `~1.2`, `>=1.0.0 <2.0.0`, `1.x`): the highest match. */
  readonly version?: string;
  /** The version valid at this time: the newest whose file date is at or before it. */
  readonly at?: TimeLike;
}

/** One version of a tool a source holds. */
export interface ToolVersion {
  readonly version: string;
  /** When it became valid (epoch ms): the date in its file name; absent for tools held in memory. */
  readonly timestamp?: number;
  /** Its file, for tools loaded from a folder. */
  readonly path?: string;
}

/** A tool as `tools list` shows it. */
export interface ToolListing {
  readonly name: string;
  /** The source (tool channel) it comes from. */
  readonly channel: string;
  /** Oldest first. */
  readonly versions: readonly ToolVersion[];
  /** Kind and description of the newest version, when it loads. */
  readonly kind?: ToolKind;
  readonly description?: string;
  /** Why the newest version does not load. */
  readonly error?: Error;
}

/**
 * Where tools come from, by name and version: a folder of tool files ({@link ToolChannel}), tools
 * held in memory ({@link MemoryToolSource}) or several sources at once ({@link CompositeToolSource}).
 * Versions follow npm's semver rules everywhere.
 */
export interface ToolSource {
  /** The source's id (a tool channel's id). */
  readonly id: string;
  /** The tool `name`: the newest version, an exact or range `version`, or the version valid `at` a time. */
  get(name: string, options?: GetToolOptions): Promise<ToolDefinition>;
  /** True when the source has a tool named `name`. */
  has(name: string): Promise<boolean>;
  /** The tool names, sorted. */
  names(): Promise<string[]>;
  /** Every tool with its versions. */
  list(): Promise<ToolListing[]>;
  /** Finds tools added since it last looked (folders); optional. */
  refresh?(): Promise<void>;
}

/**
 * The version `options` ask for among `candidates` (oldest first): the newest (valid `at` a time),
 * or the highest in the `version` range; a version listed twice: the later entry.
 */
export function chooseVersion<T extends ToolVersion>(
  candidates: readonly T[],
  options: GetToolOptions,
): T | undefined {
  const at = options.at === undefined ? undefined : toTimestamp(options.at);
  let valid =
    at === undefined
      ? candidates
      : candidates.filter((c) => c.timestamp === undefined || c.timestamp <= at);
  if (options.version === undefined) {
    return valid.reduce<T | undefined>(
      (best, c) => (!best || compareVersions(c.version, best.version) >= 0 ? c : best),
      undefined,
    );
  }
  const range = checkVersionRange(options.version);
  valid = valid.filter((c) => satisfiesVersion(c.version, range));
  return valid.reduce<T | undefined>(
    (best, c) => (!best || compareVersions(c.version, best.version) >= 0 ? c : best),
    undefined,
  );
}

/** `ToolNotFoundError` for a version that is not there, listing the versions that are. */
export function versionNotFound(
  name: string,
  where: string,
  options: GetToolOptions,
  available: readonly ToolVersion[],
): ToolNotFoundError {
  const at = options.at === undefined ? undefined : toTimestamp(options.at);
  const wanted = [
    options.version === undefined ? undefined : `version ${options.version}`,
    at === undefined ? undefined : `valid at ${formatTimestamp(at)}`,
  ]
    .filter(Boolean)
    .join(' ');
  const list = available
    .map((v) =>
      v.timestamp === undefined
        ? v.version
        : `${v.version} (${formatTimestamp(v.timestamp).slice(0, 10)})`,
    )
    .join(', ');
  return new ToolNotFoundError(
    `tool "${name}" has no ${wanted} in ${where}; available: ${list || '(none)'}`,
    { tool: name, version: options.version, at, available: available.map((v) => v.version) },
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

/**
 * Tool definitions held in memory (built-in tools imported in code, tests): versions by semver,
 * the same name and version twice only when it is the same definition.
 */
export class MemoryToolSource implements ToolSource {
  readonly id: string;
  readonly #tools = new Map<string, ToolDefinition[]>();

  constructor(
    tools: Iterable<Pick<ToolDefinition, 'name' | 'version' | 'kind' | 'description'>> = [],
    options: { readonly id?: string } = {},
  ) {
    this.id = options.id ?? 'memory-tools';
    for (const tool of tools) this.add(tool);
  }

  /** Adds a definition made with `defineTool`. */
  add(definition: Pick<ToolDefinition, 'name' | 'version' | 'kind' | 'description'>): this {
    if (!isToolDefinition(definition)) {
      throw new InvalidArgumentError('a tool source holds tool definitions made with defineTool');
    }
    const tool = definition;
    const versions = this.#tools.get(tool.name) ?? [];
    const existing = versions.find((v) => v.version === tool.version);
    if (existing && existing !== tool) {
      throw new InvalidArgumentError(`tool "${tool.name}" ${tool.version} is already registered`);
    }
    if (!existing) versions.push(tool);
    versions.sort((a, b) => compareVersions(a.version, b.version));
    this.#tools.set(tool.name, versions);
    return this;
  }

  get(name: string, options: GetToolOptions = {}): Promise<ToolDefinition> {
    return Promise.resolve().then(() => {
      const versions = this.#tools.get(name);
      if (!versions?.length) throw toolNotFound(name, [...this.#tools.keys()].sort(), this.id);
      const found = chooseVersion(versions, options);
      if (!found) throw versionNotFound(name, this.id, options, versions);
      return found;
    });
  }

  has(name: string): Promise<boolean> {
    return Promise.resolve(this.#tools.has(name));
  }

  names(): Promise<string[]> {
    return Promise.resolve([...this.#tools.keys()].sort());
  }

  list(): Promise<ToolListing[]> {
    return Promise.resolve(
      [...this.#tools.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, versions]) => ({
          name,
          channel: this.id,
          versions: versions.map((v) => ({ version: v.version })),
          kind: versions.at(-1)!.kind,
          description: versions.at(-1)!.description,
        })),
    );
  }
}

/** The tools of `source`, each passed through `map` when it is got (e.g. bound to a base folder). */
export function mapTools(
  source: ToolSource,
  map: (tool: ToolDefinition) => ToolDefinition,
): ToolSource {
  return {
    id: source.id,
    get: async (name, options) => map(await source.get(name, options)),
    has: async (name) => await source.has(name),
    names: async () => await source.names(),
    list: async () => await source.list(),
    refresh: async () => await source.refresh?.(),
  };
}

/** A tool asked for by name, optionally in one source. */
export interface ToolRef {
  readonly name: string;
  /** The source (tool channel) id, e.g. `acme_tools`; needed when several sources have the name. */
  readonly channel?: string;
}

/**
 * Finds tools across several sources (the built-in tools and each plugin's). A name in exactly one
 * source resolves; a name in several is an error unless the source is given (`'acme_tools/clock'`
 * or `{ name: 'clock', channel: 'acme_tools' }`): never silently the last.
 *
 * @example
 * const tools = new CompositeToolSource([builtIns, ...plugins.flatMap((p) => p.toolChannel ?? [])]);
 * const scale = await tools.get('acme_tools/scale', { version: '^1.0.0' });
 */
export class CompositeToolSource implements ToolSource {
  readonly id: string;
  readonly #sources = new Map<string, ToolSource>();

  constructor(sources: Iterable<ToolSource>, options: { readonly id?: string } = {}) {
    this.id = options.id ?? 'tools';
    for (const source of sources) {
      if (this.#sources.has(source.id)) throw new ChannelAlreadyExistsError(source.id);
      this.#sources.set(source.id, source);
    }
  }

  /** The sources, in the order given. */
  get sources(): ToolSource[] {
    return [...this.#sources.values()];
  }

  /** The tool `ref` (`name`, `source/name` or `{ name, channel }`), version as in {@link ToolSource.get}. */
  async get(ref: string | ToolRef, options: GetToolOptions = {}): Promise<ToolDefinition> {
    const { source, name } = await this.locate(ref);
    return await source.get(name, options);
  }

  async has(ref: string): Promise<boolean> {
    try {
      await this.locate(ref);
      return true;
    } catch (error) {
      if (error instanceof ToolNotFoundError || error instanceof ChannelNotFoundError) return false;
      throw error;
    }
  }

  async names(): Promise<string[]> {
    const all = await Promise.all(this.sources.map((s) => s.names()));
    return [...new Set(all.flat())].sort();
  }

  /**
   * Which source holds `ref`. `ToolNotFoundError` when none does (with close names) or when
   * several do and no source was given; `PathOutsideRootError` for a name that is a path.
   */
  async locate(
    ref: string | ToolRef,
  ): Promise<{ readonly source: ToolSource; readonly name: string }> {
    const { name, channel: sourceId } = this.#parse(ref);
    if (sourceId !== undefined) {
      const source = this.#sources.get(sourceId);
      if (!source) throw new ChannelNotFoundError(sourceId, [...this.#sources.keys()]);
      if (!(await source.has(name))) {
        throw toolNotFound(name, await source.names(), `channel "${source.id}"`, {
          channel: source.id,
        });
      }
      return { source, name };
    }
    const holders: ToolSource[] = [];
    for (const source of this.#sources.values()) if (await source.has(name)) holders.push(source);
    const [only, other] = holders;
    if (only && !other) return { source: only, name };
    if (only) {
      const choices = holders.map((c) => `"${c.id}/${name}"`).join(', ');
      throw new ToolNotFoundError(
        `tool "${name}" is in several tool channels (${holders.map((c) => c.id).join(', ')}): ask for one of ${choices}`,
        { tool: name, ambiguous: true, channels: holders.map((c) => c.id) },
      );
    }
    throw toolNotFound(
      name,
      await this.names(),
      `tool channels ${[...this.#sources.keys()].join(', ') || '(none)'}`,
    );
  }

  async list(): Promise<ToolListing[]> {
    return (await Promise.all(this.sources.map((s) => s.list()))).flat();
  }

  async refresh(): Promise<void> {
    await Promise.all(this.sources.map(async (s) => await s.refresh?.()));
  }

  #parse(ref: string | ToolRef): ToolRef {
    const text =
      typeof ref === 'string'
        ? ref
        : ref.channel === undefined
          ? ref.name
          : `${ref.channel}/${ref.name}`;
    const parts = text.split('/');
    if (
      parts.length > 2 ||
      parts.some((p) => p === '..' || p === '.' || p.includes('\\')) ||
      isAbsolute(text)
    ) {
      throw new PathOutsideRootError(
        text,
        this.sources.map((s) => s.id).join(', ') || '(no tool sources)',
      );
    }
    return parts.length === 2 ? { channel: parts[0]!, name: parts[1]! } : { name: text };
  }
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
