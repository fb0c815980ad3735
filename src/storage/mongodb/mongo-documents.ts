import { z } from 'zod';
import { ValueNotStorableError } from '../../errors.js';
import type { Batch, Column } from '../../streams/batch.js';
import { valueAt } from '../../streams/batch.js';
import { StreamId } from '../../streams/stream-id.js';
import type { StreamInstance } from '../../streams/stream-instance.js';
import { checkInstanceTimestamp } from '../../streams/stream-instance.js';
import { TimeInterval } from '../../time/time-interval.js';
import { TimeIntervals } from '../../time/time-intervals.js';

/**
 * One stream instance in MongoDB. The compound `_id` makes (stream, timestamp) unique and ordered
 * with no second index: a window is one range scan of `_id`, and recomputing upserts by `_id`.
 * `s` must come before `t`: BSON compares embedded documents field by field, in order.
 */
export interface InstanceDocument {
  readonly _id: { readonly s: string; readonly t: Date };
  readonly v: unknown;
}

/** One stream definition: identity, owning channel and calculated intervals (with a CAS version). */
export interface DefinitionDocument {
  readonly _id: string;
  readonly name: string;
  readonly meta: readonly { readonly k: string; readonly v: string }[];
  readonly channel: string;
  readonly calculatedIntervals: readonly { readonly start: Date; readonly end: Date }[];
  /** Incremented by every calculated-interval change; updates compare-and-set on it. */
  readonly version: number;
  readonly createdAt: Date;
  readonly lastUpdated?: Date;
  readonly lastAccessed?: Date;
}

const intervalsSchema = z.array(z.object({ start: z.date(), end: z.date() }));

/** What loading checks in a definition document; anything else is reported as corrupt. */
export const definitionSchema = z.object({
  _id: z.string().min(1),
  name: z.string().min(1),
  meta: z.array(z.object({ k: z.string().min(1), v: z.string() })),
  channel: z.string(),
  calculatedIntervals: intervalsSchema,
  version: z.number().int().nonnegative(),
  createdAt: z.date(),
  lastUpdated: z.date().optional(),
  lastAccessed: z.date().optional(),
});

/** A document that failed validation while loading: reported, then skipped. */
export interface InvalidDocumentReport {
  readonly collection: string;
  readonly id: unknown;
  readonly problem: string;
}

/** Parses a definition, checking that `_id` is the canonical key of its name and meta-data. */
export function parseDefinition(
  raw: unknown,
):
  | { ok: true; id: StreamId; intervals: TimeIntervals; version: number }
  | { ok: false; problem: string } {
  const parsed = definitionSchema.safeParse(raw);
  if (!parsed.success)
    return { ok: false, problem: z.prettifyError(parsed.error).replace(/\n/g, '; ') };
  const doc = parsed.data;
  try {
    const id = StreamId.of(
      doc.name,
      doc.meta.map((pair) => [pair.k, pair.v] as const),
    );
    if (id.key !== doc._id) {
      return {
        ok: false,
        problem: `_id "${doc._id}" is not the key of its name and meta-data ("${id.key}")`,
      };
    }
    return {
      ok: true,
      id,
      intervals: intervalsFromDocument(doc.calculatedIntervals),
      version: doc.version,
    };
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
}

export function intervalsFromDocument(
  intervals: readonly { readonly start: Date; readonly end: Date }[],
): TimeIntervals {
  return TimeIntervals.from(
    intervals.map((i) => new TimeInterval(i.start.getTime(), i.end.getTime())),
  );
}

export function intervalsToDocument(intervals: TimeIntervals): { start: Date; end: Date }[] {
  return intervals.toArray().map((i) => ({ start: new Date(i.start), end: new Date(i.end) }));
}

export function newDefinition(id: StreamId, channel: string, now: Date): DefinitionDocument {
  return {
    _id: id.key,
    name: id.name,
    meta: id.meta.map(([k, v]) => ({ k, v })),
    channel,
    calculatedIntervals: [],
    version: 0,
    createdAt: now,
  };
}

/**
 * Validates and converts instances to documents, keeping the last of equal timestamps (the latest
 * write wins, as in memory).
 */
export function toInstanceDocuments(
  id: StreamId,
  instances: readonly StreamInstance[],
): InstanceDocument[] {
  const documents: InstanceDocument[] = new Array<InstanceDocument>(instances.length);
  let increasing = true;
  for (let i = 0; i < instances.length; i++) {
    const { timestamp, value } = instances[i]!;
    checkInstanceTimestamp(timestamp, id.key);
    checkStorable(value, id.key, timestamp);
    documents[i] = { _id: { s: id.key, t: new Date(timestamp) }, v: value };
    if (i > 0 && timestamp <= instances[i - 1]!.timestamp) increasing = false;
  }
  if (increasing) return documents;
  // Rare: out of order or repeated timestamps; a bulk write must not carry one _id twice.
  const byTime = new Map<number, InstanceDocument>();
  for (const document of documents) {
    const t = document._id.t.getTime();
    byTime.delete(t);
    byTime.set(t, document);
  }
  return [...byTime.values()];
}

/**
 * The documents of a batch whose timestamps are checked and strictly increasing: values checked
 * once per column (numbers always store; strings once per dictionary entry; struct field names
 * once; object values one by one), then one document per row, as the driver needs.
 */
export function batchToDocuments(id: StreamId, batch: Batch): InstanceDocument[] {
  checkColumnStorable(batch.values, id.key, batch.timestamps, '');
  const ts = batch.timestamps;
  const column = batch.values;
  const documents = new Array<InstanceDocument>(batch.length);
  for (let i = 0; i < batch.length; i++) {
    documents[i] = { _id: { s: id.key, t: new Date(ts[i]!) }, v: valueAt(column, i) };
  }
  return documents;
}

function checkColumnStorable(
  column: Column,
  streamKey: string,
  timestamps: Float64Array,
  path: string,
): void {
  const fail = (row: number, problem: Problem): never => {
    const where = problem.path ? ` at "${problem.path}"` : '';
    throw new ValueNotStorableError(
      `cannot store the value of stream "${streamKey}" at ${new Date(timestamps[row]!).toISOString()}${where}: ` +
        problem.reason,
      { stream: streamKey, timestamp: timestamps[row]!, path: problem.path },
    );
  };
  switch (column.type) {
    case 'number':
      return;
    case 'string': {
      const checked = new Uint8Array(column.dictionary.length);
      for (let i = 0; i < column.codes.length; i++) {
        const code = column.codes[i]!;
        if (checked[code]) continue;
        checked[code] = 1;
        const problem = storableProblem(column.dictionary[code], path, new Set());
        if (problem) fail(i, problem);
      }
      return;
    }
    case 'object':
      for (let i = 0; i < column.values.length; i++) {
        const value = column.values[i];
        // A struct field that is undefined is left out of the document, as for plain objects.
        if (path && value === undefined) continue;
        const problem = storableProblem(value, path, new Set());
        if (problem) fail(i, problem);
      }
      return;
    case 'struct':
      for (let k = 0; k < column.fields.length; k++) {
        const key = column.fields[k]!;
        const fieldPath = path ? `${path}.${key}` : key;
        if (
          timestamps.length > 0 &&
          (key.startsWith('$') || key.includes('.') || key.includes('\0'))
        ) {
          fail(0, {
            path: fieldPath,
            reason: `key "${key}" cannot be stored: keys must not start with "$" or contain "." or NUL; rename it`,
          });
        }
        checkColumnStorable(column.columns[k]!, streamKey, timestamps, fieldPath);
      }
      return;
  }
}

/**
 * Throws {@link ValueNotStorableError} unless `value` round-trips through BSON unchanged in meaning:
 * JSON-like data, `Date`, `RegExp`, `Uint8Array`/`Buffer` and BSON values. Keys starting with `$`
 * or containing `.` or NUL are rejected rather than escaped, so stored documents stay queryable as
 * written. Object properties that are `undefined` are dropped, as JSON does.
 */
export function checkStorable(value: unknown, streamKey: string, timestamp: number): void {
  const problem = storableProblem(value, '', new Set());
  if (problem) {
    const where = problem.path ? ` at "${problem.path}"` : '';
    throw new ValueNotStorableError(
      `cannot store the value of stream "${streamKey}" at ${new Date(timestamp).toISOString()}${where}: ` +
        problem.reason,
      { stream: streamKey, timestamp, path: problem.path },
    );
  }
}

const LONE_SURROGATE = /\p{Cs}/u;

interface Problem {
  readonly path: string;
  readonly reason: string;
}

function storableProblem(value: unknown, path: string, parents: Set<object>): Problem | undefined {
  switch (typeof value) {
    case 'string':
      // BSON is UTF-8: a lone surrogate would come back as U+FFFD, a different string.
      return LONE_SURROGATE.test(value)
        ? { path, reason: 'a string with an unpaired UTF-16 surrogate would not round-trip' }
        : undefined;
    case 'number':
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
  if (value instanceof Date) {
    return Number.isNaN(value.getTime())
      ? { path, reason: 'an invalid Date cannot be stored' }
      : undefined;
  }
  if (value instanceof RegExp || value instanceof Uint8Array || '_bsontype' in object)
    return undefined;
  if (value instanceof Map || value instanceof Set) {
    return {
      path,
      reason: `a ${value.constructor.name} cannot be stored; convert it to an object or an array`,
    };
  }
  if (parents.has(object)) return { path, reason: 'the value contains a circular reference' };
  parents.add(object);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const itemPath = `${path}[${i}]`;
        if (item === undefined)
          return { path: itemPath, reason: 'undefined in an array would come back as null' };
        const problem = storableProblem(item, itemPath, parents);
        if (problem) return problem;
      }
      return undefined;
    }
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
      if (key.startsWith('$') || key.includes('.') || key.includes('\0')) {
        return {
          path: itemPath,
          reason: `key "${key}" cannot be stored: keys must not start with "$" or contain "." or NUL; rename it`,
        };
      }
      if (item === undefined) continue;
      const problem = storableProblem(item, itemPath, parents);
      if (problem) return problem;
    }
    return undefined;
  } finally {
    parents.delete(object);
  }
}
