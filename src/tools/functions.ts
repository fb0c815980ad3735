import { FunctionNotRegisteredError, InvalidArgumentError } from '../errors.js';

/** A function a tool parameter may hold (`apply(func)`, `aggregate(func)`). */
export type ToolFunction = (...args: never[]) => unknown;

/** How a stored definition refers to a registered function: never code, only a name. */
export interface FunctionRef {
  readonly fn: string;
}

/** Where named functions are looked up: what tool parameters `{ fn: 'mean' }` resolve through. */
export interface FunctionResolver {
  has(name: string): boolean;
  /** The function registered under `name`; `FunctionNotRegisteredError` otherwise. */
  get(name: string): ToolFunction;
  /** The name `fn` was registered under, if any. */
  nameOf(fn: ToolFunction): string | undefined;
  names(): string[];
}

/**
 * Named functions that stored workflow definitions may refer to as `{ fn: 'mean' }`. Definitions
 * never carry code: loading one that names an unregistered function is an error. Each engine has
 * its own (`engine.functions`, seeded with the built-ins); a registry may fall back to another.
 */
export class FunctionRegistry implements FunctionResolver {
  readonly #byName = new Map<string, ToolFunction>();
  readonly #names = new WeakMap<ToolFunction, string>();
  readonly #fallback: FunctionResolver | undefined;

  /** `entries` are registered at once; names not found here are looked up in `fallback`. */
  constructor(
    entries: Iterable<readonly [string, ToolFunction]> = [],
    options: { readonly fallback?: FunctionResolver } = {},
  ) {
    this.#fallback = options.fallback;
    for (const [name, fn] of entries) this.register(name, fn);
  }

  /** Registers `fn` under `name`; re-registering the same function is a no-op, another one an error. */
  register(name: string, fn: ToolFunction): void {
    if (typeof name !== 'string' || !/^[A-Za-z_][\w.:-]*$/.test(name)) {
      throw new InvalidArgumentError(
        `invalid function name ${JSON.stringify(name)}: use letters, digits, "_", ".", ":" or "-"`,
      );
    }
    if (typeof fn !== 'function') {
      throw new InvalidArgumentError(
        `cannot register "${name}": expected a function, got ${typeof fn}`,
      );
    }
    const existing = this.#byName.get(name);
    if (existing && existing !== fn) {
      throw new InvalidArgumentError(
        `function "${name}" is already registered: unregister it first or choose another name`,
      );
    }
    this.#byName.set(name, fn);
    this.#names.set(fn, name);
  }

  unregister(name: string): boolean {
    return this.#byName.delete(name);
  }

  has(name: string): boolean {
    return this.#byName.has(name) || (this.#fallback?.has(name) ?? false);
  }

  get(name: string): ToolFunction {
    const fn = this.#byName.get(name);
    if (fn) return fn;
    if (this.#fallback?.has(name)) return this.#fallback.get(name);
    throw new FunctionNotRegisteredError(
      `function "${name}" is not registered: register it (Engine.create({ functions: { ${name}: fn } }) or ` +
        `engine.functions.register("${name}", fn)) before loading the definition; registered: ${this.names().join(', ') || '(none)'}`,
      { function: name },
    );
  }

  nameOf(fn: ToolFunction): string | undefined {
    const name = this.#names.get(fn);
    if (name !== undefined && this.#byName.get(name) === fn) return name;
    return this.#fallback?.nameOf(fn);
  }

  names(): string[] {
    return [...new Set([...this.#byName.keys(), ...(this.#fallback?.names() ?? [])])].sort();
  }
}

/**
 * The registry of the deprecated process-wide {@link registerFunction}: every engine and the
 * default resolver fall back to it, so code written for 0.1 keeps working.
 *
 * @deprecated register functions on an engine: `Engine.create({ functions })` or `engine.functions.register`.
 */
export const functionRegistry = new FunctionRegistry();

/**
 * Registers a named function for every engine of this process.
 *
 * @deprecated register functions on an engine: `Engine.create({ functions })` or `engine.functions.register`.
 */
export function registerFunction(name: string, fn: ToolFunction): void {
  functionRegistry.register(name, fn);
}
