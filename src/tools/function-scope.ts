import { BUILTIN_FUNCTIONS } from './builtin-functions.js';
import type { FunctionResolver } from './functions.js';
import { FunctionRegistry, functionRegistry } from './functions.js';

// Zod parses tool parameters synchronously, so the functions a `{ fn: name }` parameter resolves
// through are set for the duration of one `create(params)` call: the engine's, or the default.

let defaults: FunctionRegistry | undefined;
let active: FunctionResolver | undefined;

/** The built-in functions, then the deprecated process-wide registrations. */
export function defaultFunctions(): FunctionResolver {
  return (defaults ??= new FunctionRegistry(Object.entries(BUILTIN_FUNCTIONS), {
    fallback: functionRegistry,
  }));
}

/** A new registry holding the built-ins and `entries`, falling back to the process-wide registrations. */
export function createFunctionRegistry(
  entries: Iterable<readonly [string, (...args: never[]) => unknown]> = [],
): FunctionRegistry {
  return new FunctionRegistry([...Object.entries(BUILTIN_FUNCTIONS), ...entries], {
    fallback: functionRegistry,
  });
}

/** Runs `body` with `functions` as the resolver of function parameters. */
export function withFunctions<T>(functions: FunctionResolver | undefined, body: () => T): T {
  const previous = active;
  active = functions ?? defaultFunctions();
  try {
    return body();
  } finally {
    active = previous;
  }
}

/** The resolver of the `create(params)` call under way (the default outside one). */
export function activeFunctions(): FunctionResolver {
  return active ?? defaultFunctions();
}
