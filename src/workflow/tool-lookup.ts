import { InvalidArgumentError, ToolNotFoundError } from '../errors.js';
import type { ToolDefinition } from '../tools/tool.js';
import { isToolDefinition } from '../tools/tool.js';

/**
 * Finds a tool definition by name (and version): what `Workflow.fromDefinition` needs. `ToolChannel`
 * and the plugin `ToolResolver` (src/tools/plugins.ts) fit it.
 */
export interface ToolLookup {
  get(
    name: string,
    options?: { readonly version?: string },
  ): Promise<ToolDefinition> | ToolDefinition;
}

/**
 * Any tool definition, whatever its kind and parameters: a `ToolDefinition<'tool', S>` is not
 * assignable to `ToolDefinition` (its `execute` takes a narrower context), so collections of
 * definitions take this and check the brand at run time.
 */
export type AnyToolDefinition = Pick<ToolDefinition, 'name' | 'version' | 'kind' | 'description'>;

/** A tool resolver over definitions held in memory (built-in tools imported in code, tests). */
export class ToolRegistry implements ToolLookup {
  readonly #tools = new Map<string, ToolDefinition[]>();

  constructor(tools: Iterable<AnyToolDefinition> = []) {
    for (const tool of tools) this.add(tool);
  }

  /** Adds a definition; the same name and version twice is an error unless it is the same object. */
  add(definition: AnyToolDefinition): this {
    if (!isToolDefinition(definition)) {
      throw new InvalidArgumentError(
        'ToolRegistry.add expects a tool definition made with defineTool',
      );
    }
    const tool = definition;
    const versions = this.#tools.get(tool.name) ?? [];
    const existing = versions.find((v) => v.version === tool.version);
    if (existing && existing !== tool) {
      throw new InvalidArgumentError(`tool "${tool.name}" ${tool.version} is already registered`);
    }
    if (!existing) versions.push(tool);
    versions.sort((a, b) => compareSemver(a.version, b.version));
    this.#tools.set(tool.name, versions);
    return this;
  }

  /** The requested version, or the latest; `ToolNotFoundError` listing what exists. */
  get(name: string, options: { readonly version?: string } = {}): ToolDefinition {
    const versions = this.#tools.get(name);
    if (!versions?.length) {
      throw new ToolNotFoundError(
        `tool "${name}" not found; known tools: ${[...this.#tools.keys()].sort().join(', ') || '(none)'}`,
        { tool: name },
      );
    }
    if (options.version === undefined) return versions[versions.length - 1]!;
    const found = versions.find((v) => v.version === options.version);
    if (!found) {
      throw new ToolNotFoundError(
        `tool "${name}" has no version ${options.version}; available: ${versions.map((v) => v.version).join(', ')}`,
        { tool: name, version: options.version },
      );
    }
    return found;
  }

  list(): ToolDefinition[] {
    return [...this.#tools.values()].flat();
  }
}

function compareSemver(a: string, b: string): number {
  const pa = a.split(/[.-]/).slice(0, 3).map(Number);
  const pb = b.split(/[.-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return a.length - b.length;
}
