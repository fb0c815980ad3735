import { ValueNotStorableError } from '../errors.js';

/** Where in a value a store cannot keep it (`''`: the value itself), and why. */
export interface StorableProblem {
  readonly path: string;
  readonly reason: string;
}

/**
 * What one backend's format cannot keep, beyond what none keeps (see {@link findStorableProblem}).
 * Such values are refused whole before anything is written, never altered.
 */
export interface StorableValueLimits {
  /** The server that refuses NaN and ±Infinity, named for messages (FerretDB v1). */
  readonly refusesNonFinite?: string;
  /** The server that refuses an array directly inside an array, named for messages (FerretDB v1). */
  readonly refusesNestedArrays?: string;
  /** Why an object key cannot be stored, or undefined when it can. */
  keyProblem(key: string): string | undefined;
  /** Objects of a class the backend stores as they are (BSON values), besides Date, RegExp and bytes. */
  storesAsIs?(value: object): boolean;
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The first part of `value` that a backend with `limits` cannot store, with its path (`a.b[2]`), or
 * undefined when all of it can be. No backend keeps undefined (but as an object property, which is
 * dropped as JSON does), functions, symbols, bigints, invalid Dates, Maps, Sets, class instances
 * other than Date, RegExp and `Uint8Array`, cycles, or strings with an unpaired UTF-16 surrogate.
 * Slow: for messages and for values a faster check cannot vouch for.
 */
export function findStorableProblem(
  value: unknown,
  limits: StorableValueLimits,
  path = '',
): StorableProblem | undefined {
  return walk(value, path, new Set(), limits);
}

/** The error for a value that cannot be stored, naming where in it the problem is. */
export function valueNotStorable(
  streamKey: string,
  timestamp: number,
  problem: StorableProblem,
): ValueNotStorableError {
  const where = problem.path ? ` at "${problem.path}"` : '';
  const time = Number.isFinite(timestamp) ? new Date(timestamp).toISOString() : String(timestamp);
  return new ValueNotStorableError(
    `cannot store the value of stream "${streamKey}" at ${time}${where}: ${problem.reason}`,
    { stream: streamKey, timestamp, path: problem.path },
  );
}

function walk(
  value: unknown,
  path: string,
  parents: Set<object>,
  limits: StorableValueLimits,
): StorableProblem | undefined {
  switch (typeof value) {
    case 'string':
      // Stores keep UTF-8: a lone surrogate would come back as U+FFFD, a different string.
      return LONE_SURROGATE.test(value)
        ? { path, reason: 'a string with an unpaired UTF-16 surrogate would not round-trip' }
        : undefined;
    case 'number':
      return limits.refusesNonFinite !== undefined && !Number.isFinite(value)
        ? {
            path,
            reason: `${limits.refusesNonFinite} cannot store NaN or ±Infinity; store null (or a string) instead, or use another server`,
          }
        : undefined;
    case 'boolean':
      return undefined;
    case 'undefined':
      return { path, reason: 'undefined cannot be stored; use null or leave the value out' };
    case 'function':
      return {
        path,
        reason: 'a function cannot be stored; register it by name and store the name',
      };
    case 'symbol':
      return { path, reason: 'a symbol cannot be stored; use a string' };
    case 'bigint':
      return {
        path,
        reason: 'a bigint would come back as a number; store it as a string or a number',
      };
  }
  if (value === null) return undefined;
  const object = value as object;
  if (object instanceof Date) {
    return Number.isNaN(object.getTime())
      ? { path, reason: 'an invalid Date cannot be stored' }
      : undefined;
  }
  if (object instanceof RegExp || object instanceof Uint8Array || limits.storesAsIs?.(object)) {
    return undefined;
  }
  if (object instanceof Map || object instanceof Set) {
    return {
      path,
      reason: `a ${object.constructor.name} cannot be stored; convert it to an object or an array`,
    };
  }
  if (parents.has(object)) return { path, reason: 'the value contains a circular reference' };
  parents.add(object);
  try {
    if (Array.isArray(object)) return walkArray(object, path, parents, limits);
    const proto = Object.getPrototypeOf(object) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const name = (object.constructor as { name?: string } | undefined)?.name ?? 'object';
      return {
        path,
        reason: `a ${name} instance would lose its class; convert it to a plain object`,
      };
    }
    for (const [key, item] of Object.entries(object)) {
      const itemPath = path ? `${path}.${key}` : key;
      const keyProblem = limits.keyProblem(key);
      if (keyProblem !== undefined) return { path: itemPath, reason: keyProblem };
      if (item === undefined) continue;
      const problem = walk(item, itemPath, parents, limits);
      if (problem) return problem;
    }
    return undefined;
  } finally {
    parents.delete(object);
  }
}

function walkArray(
  array: readonly unknown[],
  path: string,
  parents: Set<object>,
  limits: StorableValueLimits,
): StorableProblem | undefined {
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    const itemPath = `${path}[${i}]`;
    if (item === undefined) {
      return { path: itemPath, reason: 'undefined in an array would come back as null' };
    }
    if (limits.refusesNestedArrays !== undefined && Array.isArray(item)) {
      return {
        path: itemPath,
        reason: `${limits.refusesNestedArrays} cannot store an array directly inside an array; wrap the inner array in an object (e.g. { items: [...] }), or use another server`,
      };
    }
    const problem = walk(item, itemPath, parents, limits);
    if (problem) return problem;
  }
  return undefined;
}
