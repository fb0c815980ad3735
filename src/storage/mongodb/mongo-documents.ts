import type { Document, UpdateFilter } from 'mongodb';
import { z } from 'zod';
import type { Batch, Column } from '../../streams/batch.js';
import { valueAt } from '../../streams/batch.js';
import { StreamId } from '../../streams/stream-id.js';
import type { StreamInstance } from '../../streams/stream-instance.js';
import { checkInstanceTimestamp } from '../../streams/stream-instance.js';
import { TimeInterval } from '../../time/time-interval.js';
import { CalculatedRanges } from '../calculated-ranges.js';
import type { StorableProblem, StorableValueLimits } from '../storable-values.js';
import { findStorableProblem, valueNotStorable } from '../storable-values.js';
import type { MongoServerProfile } from './mongo-server.js';

/**
 * One stream instance in MongoDB. The compound `_id` makes (stream, timestamp) unique and ordered
 * with no second index: a window is one range scan of `_id`, and recomputing upserts by `_id`.
 * `s` must come before `t`: BSON compares embedded documents field by field, in order.
 */
export interface InstanceDocument {
  readonly _id: { readonly s: string; readonly t: Date };
  readonly v: unknown;
}

/**
 * One stream definition: identity, owning channel and times. Its calculated intervals are kept
 * apart, as {@link IntervalsDocument}s: the definition is updated by every writer (`lastUpdated`,
 * `lastAccessed`), and such updates must never be able to undo an interval change.
 */
export interface DefinitionDocument {
  readonly _id: string;
  readonly name: string;
  readonly meta: readonly { readonly k: string; readonly v: string }[];
  readonly channel: string;
  readonly createdAt: Date;
  readonly lastUpdated?: Date;
  readonly lastAccessed?: Date;
}

/**
 * One version of a stream's calculated intervals, written once and never updated: a change
 * inserts version `v + 1` over the newest version `v` it read, and the unique `_id` lets exactly
 * one of several concurrent changes win (the others read again and redo theirs). This
 * compare-and-set needs nothing but a unique `_id`, which every server enforces atomically; an
 * update filtered on a version field would not do on FerretDB v1, which applies an update by
 * reading the document, changing it and writing it back whole, with nothing atomic in between.
 *
 * @remarks
 * Old versions are deleted, but only once a newer one exists and they are 10 minutes old (by
 * their `at`), while a change whose read and acknowledged insert lie more than 60 s apart fails
 * with a retryable `StorageError`. A change that read version `v - 1` could otherwise insert `v`
 * again after `v` was deleted and count itself applied although a newer version without it is the
 * newest; as it is, that needs two writers' clocks to differ by more than nine minutes.
 */
export interface IntervalsDocument {
  readonly _id: { readonly s: string; readonly v: number };
  /** The calculated ranges, each with its stamp (ranges stored before fingerprints have none). */
  readonly intervals: readonly RangeDocument[];
  /** When this version was written. */
  readonly at: Date;
}

/** One calculated range in a version. */
export interface RangeDocument {
  readonly start: Date;
  readonly end: Date;
  readonly fingerprint?: string;
  readonly session?: string;
  readonly invalidated?: true;
}

const intervalsSchema = z.array(
  z.object({
    start: z.date(),
    end: z.date(),
    fingerprint: z.string().optional(),
    session: z.string().optional(),
    invalidated: z.literal(true).optional(),
  }),
);

/** What loading checks in a definition document; anything else is reported as corrupt. */
export const definitionSchema = z.object({
  _id: z.string().min(1),
  name: z.string().min(1),
  meta: z.array(z.object({ k: z.string().min(1), v: z.string() })),
  channel: z.string(),
  createdAt: z.date(),
  lastUpdated: z.date().optional(),
  lastAccessed: z.date().optional(),
});

/** What loading checks in a calculated-intervals version. */
export const intervalsDocumentSchema = z.object({
  _id: z.object({ s: z.string(), v: z.number().int().positive() }),
  intervals: intervalsSchema,
  at: z.date(),
});

/** Parses a calculated-intervals version. */
export function parseIntervals(
  raw: unknown,
): { ok: true; ranges: CalculatedRanges; version: number } | { ok: false; problem: string } {
  const parsed = intervalsDocumentSchema.safeParse(raw);
  if (!parsed.success)
    return { ok: false, problem: z.prettifyError(parsed.error).replace(/\n/g, '; ') };
  try {
    return {
      ok: true,
      ranges: rangesFromDocument(parsed.data.intervals),
      version: parsed.data._id.v,
    };
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
}

/** A document that failed validation while loading: reported, then skipped. */
export interface InvalidDocumentReport {
  readonly collection: string;
  readonly id: unknown;
  readonly problem: string;
}

/** Parses a definition, checking that `_id` is the canonical key of its name and meta-data. */
export function parseDefinition(
  raw: unknown,
): { ok: true; id: StreamId } | { ok: false; problem: string } {
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
    return { ok: true, id };
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
}

export function rangesFromDocument(ranges: readonly RangeDocument[]): CalculatedRanges {
  return CalculatedRanges.from(
    ranges.map(({ start, end, ...stamp }) => {
      const interval = new TimeInterval(start.getTime(), end.getTime());
      return { ...stamp, start: interval.start, end: interval.end };
    }),
  );
}

export function rangesToDocument(ranges: CalculatedRanges): RangeDocument[] {
  return ranges.ranges.map(({ start, end, ...stamp }) => ({
    start: new Date(start),
    end: new Date(end),
    ...stamp,
  }));
}

export function newDefinition(id: StreamId, channel: string, now: Date): DefinitionDocument {
  return {
    _id: id.key,
    name: id.name,
    meta: id.meta.map(([k, v]) => ({ k, v })),
    channel,
    createdAt: now,
  };
}

/**
 * The update of an upsert that inserts `document` when no document has its `_id` and leaves an
 * existing one unchanged.
 *
 * @remarks
 * Empty arrays are not put in `$setOnInsert`: FerretDB v1 drops them from it, leaving the field
 * out. `$push` of no elements creates the empty array in a new document, and changes nothing in
 * an existing one, on every server.
 */
export function insertIfAbsent<TDocument extends Document>(
  document: TDocument,
): UpdateFilter<TDocument> {
  const onInsert: Document = {};
  const empty: Document = {};
  for (const [field, value] of Object.entries(document) as [string, unknown][]) {
    if (field === '_id') continue;
    if (Array.isArray(value) && value.length === 0) empty[field] = { $each: [] };
    else onInsert[field] = value;
  }
  return {
    $setOnInsert: onInsert,
    ...(Object.keys(empty).length > 0 ? { $push: empty } : {}),
  } as UpdateFilter<TDocument>;
}

/** Key/value pairs as stored: objects, as arrays inside an array cannot be stored everywhere (FerretDB v1). */
export type PairDocuments = readonly { readonly k: string; readonly v: string }[];

export function pairsToDocument(pairs: readonly (readonly [string, string])[]): PairDocuments {
  return pairs.map(([k, v]) => ({ k, v }));
}

export function pairsFromDocument(pairs: PairDocuments): [string, string][] {
  return pairs.map(({ k, v }) => [k, v]);
}

/**
 * Validates and converts instances to documents, keeping the last of equal timestamps (the latest
 * write wins, as in memory). `server`: the values it cannot store are refused too.
 */
export function toInstanceDocuments(
  id: StreamId,
  instances: readonly StreamInstance[],
  server?: MongoServerProfile,
): InstanceDocument[] {
  const limits = bsonLimits(server);
  const documents: InstanceDocument[] = new Array<InstanceDocument>(instances.length);
  let increasing = true;
  for (let i = 0; i < instances.length; i++) {
    const { timestamp, value } = instances[i]!;
    checkInstanceTimestamp(timestamp, id.key);
    const problem = findStorableProblem(value, limits);
    if (problem) throw valueNotStorable(id.key, timestamp, problem);
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
export function batchToDocuments(
  id: StreamId,
  batch: Batch,
  server?: MongoServerProfile,
): InstanceDocument[] {
  checkColumnStorable(batch.values, id.key, batch.timestamps, '', bsonLimits(server));
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
  limits: StorableValueLimits,
): void {
  const fail = (row: number, problem: StorableProblem): never => {
    throw valueNotStorable(streamKey, timestamps[row]!, problem);
  };
  switch (column.type) {
    case 'number':
      if (limits.refusesNonFinite === undefined) return;
      for (let i = 0; i < column.values.length; i++) {
        const problem = findStorableProblem(column.values[i], limits, path);
        if (problem) fail(i, problem);
      }
      return;
    case 'string': {
      const checked = new Uint8Array(column.dictionary.length);
      for (let i = 0; i < column.codes.length; i++) {
        const code = column.codes[i]!;
        if (checked[code]) continue;
        checked[code] = 1;
        const problem = findStorableProblem(column.dictionary[code], limits, path);
        if (problem) fail(i, problem);
      }
      return;
    }
    case 'object':
      for (let i = 0; i < column.values.length; i++) {
        const value = column.values[i];
        // A struct field that is undefined is left out of the document, as for plain objects.
        if (path && value === undefined) continue;
        const problem = findStorableProblem(value, limits, path);
        if (problem) fail(i, problem);
      }
      return;
    case 'struct':
      for (let k = 0; k < column.fields.length; k++) {
        const key = column.fields[k]!;
        const fieldPath = path ? `${path}.${key}` : key;
        const keyProblem = limits.keyProblem(key);
        if (timestamps.length > 0 && keyProblem !== undefined) {
          fail(0, { path: fieldPath, reason: keyProblem });
        }
        checkColumnStorable(column.columns[k]!, streamKey, timestamps, fieldPath, limits);
      }
      return;
  }
}

/**
 * Throws {@link ValueNotStorableError} unless `value` round-trips through BSON unchanged in meaning:
 * JSON-like data, `Date`, `RegExp`, `Uint8Array`/`Buffer` and BSON values. Keys starting with `$`
 * or containing `.` or NUL are rejected rather than escaped, so stored documents stay queryable as
 * written. Object properties that are `undefined` are dropped, as JSON does. With the profile of
 * a server that cannot store NaN, ±Infinity or arrays directly inside arrays (FerretDB v1),
 * values holding them are refused too, before anything is written.
 */
export function checkStorable(
  value: unknown,
  streamKey: string,
  timestamp: number,
  server?: MongoServerProfile,
): void {
  const problem = findStorableProblem(value, bsonLimits(server));
  if (problem) throw valueNotStorable(streamKey, timestamp, problem);
}

/**
 * BSON keeps BSON values as they are, and refuses keys that would read as operators or paths; a
 * server that cannot store every number and array refuses those too.
 */
function bsonLimits(server: MongoServerProfile | undefined): StorableValueLimits {
  if (server === undefined || server.storesEveryNumberAndArray) return BSON_LIMITS;
  return { ...BSON_LIMITS, refusesNonFinite: server.name, refusesNestedArrays: server.name };
}

const BSON_LIMITS: StorableValueLimits = {
  keyProblem: (key) =>
    key.startsWith('$') || key.includes('.') || key.includes('\0')
      ? `key "${key}" cannot be stored: keys must not start with "$" or contain "." or NUL; rename it`
      : undefined,
  storesAsIs: (value) => '_bsontype' in value,
};
