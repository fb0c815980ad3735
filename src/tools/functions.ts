import { FunctionNotRegisteredError, InvalidArgumentError } from '../errors.js';
import { registerBuiltinFunctions } from './builtin-functions.js';

/** A function a tool parameter may hold (`apply(func)`, `aggregate(func)`). */
export type ToolFunction = (...args: never[]) => unknown;

/** How a stored definition refers to a registered function: never code, only a name. */
export interface FunctionRef {
  readonly fn: string;
}

const REGISTRY_KEY = Symbol.for('hyperstream.functions');

/**
 * Named functions that stored workflow definitions may refer to as `{ fn: 'mean' }`. Definitions
 * never carry code: loading one that names an unregistered function is an error.
 */
export class FunctionRegistry {
  readonly #byName = new Map<string, ToolFunction>();
  readonly #names = new WeakMap<ToolFunction, string>();

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
    return this.#byName.has(name);
  }

  /** The function registered under `name`; `FunctionNotRegisteredError` otherwise. */
  get(name: string): ToolFunction {
    const fn = this.#byName.get(name);
    if (!fn) {
      throw new FunctionNotRegisteredError(
        `function "${name}" is not registered: call registerFunction("${name}", fn) before loading the definition; ` +
          `registered: ${[...this.#byName.keys()].sort().join(', ') || '(none)'}`,
        { function: name },
      );
    }
    return fn;
  }

  /** The name `fn` was registered under, if any. */
  nameOf(fn: ToolFunction): string | undefined {
    const name = this.#names.get(fn);
    return name !== undefined && this.#byName.get(name) === fn ? name : undefined;
  }

  names(): string[] {
    return [...this.#byName.keys()].sort();
  }
}

/**
 * The process-wide default registry. It lives on `globalThis` under a registered symbol so that
 * tool files which load their own copy of this package still share it.
 */
export const functionRegistry: FunctionRegistry = ((): FunctionRegistry => {
  const holder = globalThis as Record<symbol, unknown>;
  const existing = holder[REGISTRY_KEY];
  if (
    existing &&
    typeof existing === 'object' &&
    typeof (existing as FunctionRegistry).get === 'function'
  ) {
    return existing as FunctionRegistry;
  }
  const registry = new FunctionRegistry();
  holder[REGISTRY_KEY] = registry;
  return registry;
})();
// Stored definitions may name the built-ins (`{ fn: 'mean' }`) without any set-up.
registerBuiltinFunctions(functionRegistry);

/** Registers a named function in the default registry. */
export function registerFunction(name: string, fn: ToolFunction): void {
  functionRegistry.register(name, fn);
}
