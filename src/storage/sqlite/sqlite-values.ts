import type { ValueNotStorableError } from '../../errors.js';
import type { StorableValueLimits } from '../storable-values.js';
import { findStorableProblem, valueNotStorable } from '../storable-values.js';

/**
 * How stream values are kept in SQLite's one untyped value column, so that they read back exactly
 * (as from memory, and as BSON does for MongoDB):
 *
 * | value | stored as |
 * | --- | --- |
 * | safe integer (not -0) | INTEGER (1–8 bytes) |
 * | any other number but NaN (-0, fractions, ±Infinity, large) | REAL (the IEEE bits) |
 * | string not starting with U+0001 | TEXT, as is |
 * | null | NULL |
 * | `Uint8Array` / `Buffer` | BLOB (read back as a `Buffer`) |
 * | anything else | TEXT tagged by a leading U+0001 and a letter |
 *
 * Tags: `s` a string that began with U+0001; `t`/`f` booleans; `N` NaN; `j` plain JSON (objects
 * and arrays holding only strings, finite numbers other than -0, booleans and null); `x` extended
 * JSON, where strings starting with U+0001 carry the values JSON lacks (`d` Date, `z` -0, `N` NaN,
 * `I`/`i` ±Infinity, `b` bytes as base64, `r` RegExp, `s` an escaped string).
 */
const TAG = '\u0001';
const TAG_CODE = 1;

/** What the quick scan of a value found. */
const PLAIN = 0;
const EXTENDED = 1;
const BAD = 2;
type Scan = typeof PLAIN | typeof EXTENDED | typeof BAD;

const LONE_SURROGATE = /\p{Cs}/u;
/** Beyond this depth the scan also checks for cycles (a deeper plain value is rare). */
const CYCLE_CHECK_DEPTH = 64;

/** A value as bound to the value column. */
export type StoredValue = number | bigint | string | null | Uint8Array;

/**
 * The stored form of a value; throws {@link ValueNotStorableError} naming where the value is not
 * storable (a function, a symbol, a bigint, undefined, a class instance, a cycle, an unpaired
 * surrogate).
 */
export function encodeValue(value: unknown, streamKey: string, timestamp: number): StoredValue {
  switch (typeof value) {
    case 'number':
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) return BigInt(value);
      return Number.isNaN(value) ? `${TAG}N` : value;
    case 'string':
      if (LONE_SURROGATE.test(value)) break;
      return value.charCodeAt(0) === TAG_CODE ? `${TAG}s${value}` : value;
    case 'boolean':
      return value ? `${TAG}t` : `${TAG}f`;
    case 'object': {
      if (value === null) return null;
      if (value instanceof Uint8Array) return value;
      const scan = scanObject(value, 0, []);
      if (scan === PLAIN) return `${TAG}j${JSON.stringify(value)}`;
      if (scan === EXTENDED) return `${TAG}x${JSON.stringify(value, extendedReplacer)}`;
      break;
    }
  }
  throw notStorable(value, streamKey, timestamp);
}

/** The value a stored form stands for. */
export function decodeValue(stored: unknown): unknown {
  if (typeof stored !== 'string') return typeof stored === 'bigint' ? Number(stored) : stored;
  if (stored.charCodeAt(0) !== TAG_CODE) return stored;
  switch (stored.charAt(1)) {
    case 's':
      return stored.slice(2);
    case 't':
      return true;
    case 'f':
      return false;
    case 'N':
      return NaN;
    case 'j':
      return JSON.parse(stored.slice(2)) as unknown;
    case 'x':
      return JSON.parse(stored.slice(2), extendedReviver) as unknown;
    default:
      // Not written by this module: hand it back untouched rather than guess.
      return stored;
  }
}

/**
 * PLAIN when `JSON.stringify` keeps the value exactly, EXTENDED when it needs tags, BAD otherwise.
 * `value` is a plain object or an array.
 */
function scanValue(value: object, depth: number, parents: object[]): Scan {
  if (depth >= CYCLE_CHECK_DEPTH && parents.includes(value)) return BAD;
  let result: Scan = PLAIN;
  parents.push(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined) return BAD; // JSON would turn it into null
      const scan = scanItem(item, depth, parents);
      if (scan === BAD) return BAD;
      if (scan === EXTENDED) result = EXTENDED;
    }
  } else {
    for (const key in value) {
      // for…in also walks inherited keys; a plain object has none.
      if (LONE_SURROGATE.test(key)) return BAD;
      const item: unknown = (value as Record<string, unknown>)[key];
      if (item === undefined) continue; // dropped, as JSON and MongoDB do
      const scan = scanItem(item, depth, parents);
      if (scan === BAD) return BAD;
      if (scan === EXTENDED) result = EXTENDED;
    }
  }
  parents.pop();
  return result;
}

function scanItem(item: unknown, depth: number, parents: object[]): Scan {
  switch (typeof item) {
    case 'number':
      return Number.isFinite(item) && !Object.is(item, -0) ? PLAIN : EXTENDED;
    case 'string':
      if (LONE_SURROGATE.test(item)) return BAD;
      return item.charCodeAt(0) === TAG_CODE ? EXTENDED : PLAIN;
    case 'boolean':
      return PLAIN;
    case 'object':
      return item === null ? PLAIN : scanObject(item, depth + 1, parents);
    default:
      return BAD;
  }
}

/** Plain objects and arrays are walked; Date, RegExp and bytes need tags; other classes are refused. */
function scanObject(value: object, depth: number, parents: object[]): Scan {
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto === Object.prototype || proto === null || Array.isArray(value)) {
    return scanValue(value, depth, parents);
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? BAD : EXTENDED;
  if (value instanceof RegExp || value instanceof Uint8Array) return EXTENDED;
  return BAD;
}

/** JSON.stringify replacer of the extended form (`this[key]` is the value before `toJSON`). */
function extendedReplacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  switch (typeof raw) {
    case 'number':
      if (Number.isFinite(raw)) return Object.is(raw, -0) ? `${TAG}z` : raw;
      return Number.isNaN(raw) ? `${TAG}N` : raw > 0 ? `${TAG}I` : `${TAG}i`;
    case 'string':
      return raw.charCodeAt(0) === TAG_CODE ? `${TAG}s${raw}` : raw;
    case 'object':
      if (raw instanceof Date) return `${TAG}d${raw.getTime()}`;
      if (raw instanceof RegExp) return `${TAG}r${raw.flags}/${raw.source}`;
      if (raw instanceof Uint8Array) {
        return `${TAG}b${Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')}`;
      }
      return value;
    default:
      return value;
  }
}

function extendedReviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'string' || value.charCodeAt(0) !== TAG_CODE) return value;
  const rest = value.slice(2);
  switch (value.charAt(1)) {
    case 's':
      return rest;
    case 'z':
      return -0;
    case 'N':
      return NaN;
    case 'I':
      return Infinity;
    case 'i':
      return -Infinity;
    case 'd':
      return new Date(Number(rest));
    case 'b':
      return Buffer.from(rest, 'base64');
    case 'r': {
      const slash = rest.indexOf('/');
      return new RegExp(rest.slice(slash + 1), rest.slice(0, slash));
    }
    default:
      return value;
  }
}

/** The error for a value that cannot be stored, naming where in it the problem is. */
function notStorable(value: unknown, streamKey: string, timestamp: number): ValueNotStorableError {
  const problem = findStorableProblem(value, SQLITE_LIMITS) ?? {
    path: '',
    reason: 'the value cannot be stored',
  };
  return valueNotStorable(streamKey, timestamp, problem);
}

/** Any value the walk allows is encoded; only keys must be whole UTF-16 to round-trip. */
const SQLITE_LIMITS: StorableValueLimits = {
  keyProblem: (key) =>
    LONE_SURROGATE.test(key)
      ? 'a key with an unpaired UTF-16 surrogate would not round-trip'
      : undefined,
};
