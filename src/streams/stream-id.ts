import { InvalidStreamIdError } from '../errors.js';

/** One meta-data pair `[key, value]`, e.g. `['house', '1']`. */
export type MetaDataPair = readonly [key: string, value: string];

/** Meta-data as given by users: an object (insertion order kept) or ordered pairs. */
export type MetaDataInput =
  | Readonly<Record<string, string | number | boolean>>
  | readonly (readonly [string, string | number | boolean])[];

/** Anything that names a stream: a `StreamId`, a bare name, or `{ name, meta }`. */
export type StreamIdLike =
  StreamId | string | { readonly name: string; readonly meta?: MetaDataInput };

/** The JSON form of a {@link StreamId}: meta-data as ordered pairs. */
export interface StreamIdJSON {
  readonly name: string;
  readonly meta: readonly MetaDataPair[];
}

const RESERVED = /[%[\]=,]/g;
const HAS_RESERVED = /[%[\]=,]/;
// Control characters, and unpaired surrogates (not valid UTF-8: MongoDB would store U+FFFD, so
// two different ids would become one stream). In `u` mode \p{Cs} matches only unpaired ones.
const UNSAFE_TEXT = /[\p{Cc}\p{Cs}]/u;

/**
 * The identity of a stream: a name plus meta-data (the plate value, e.g. `house=1, resident=A`).
 * Meta-data keep the order given (ancestors first) for display, but identity does not depend on it:
 * {@link StreamId.key} sorts the pairs, so equality and hashing agree (HyperStream's did not).
 *
 * @example
 * const id = StreamId.of('temp', { country: 'NZ', city: 'Auckland' });
 * id.key; // 'temp[city=Auckland,country=NZ]'
 * StreamId.parse(id.key).equals(id); // true
 */
export class StreamId {
  readonly name: string;
  readonly meta: readonly MetaDataPair[];
  /** The canonical string form: the storage key, equality and hash. */
  readonly key: string;

  private constructor(name: string, meta: readonly MetaDataPair[]) {
    this.name = name;
    this.meta = Object.freeze(meta.map((pair) => Object.freeze([pair[0], pair[1]] as const)));
    let sorted = this.meta;
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i - 1]![0] > sorted[i]![0]) {
        sorted = [...sorted].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        break;
      }
    }
    this.key =
      escape(name) +
      (sorted.length ? `[${sorted.map(([k, v]) => `${escape(k)}=${escape(v)}`).join(',')}]` : '');
    Object.freeze(this);
  }

  /** Builds a stream id; values may be strings, numbers or booleans (stored as strings). */
  static of(name: string, meta: MetaDataInput = []): StreamId {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new InvalidStreamIdError(
        `invalid stream name ${quote(name)}: expected a non-empty string`,
        {
          name: typeof name === 'string' ? name : quote(name),
        },
      );
    }
    if (UNSAFE_TEXT.test(name)) {
      throw new InvalidStreamIdError(
        `invalid stream name ${quote(name)}: control characters and unpaired surrogates are not allowed`,
      );
    }
    return new StreamId(name, normaliseMeta(name, meta));
  }

  /** Accepts a `StreamId`, a bare name or `{ name, meta }`. */
  static from(value: StreamIdLike): StreamId {
    if (value instanceof StreamId) return value;
    if (typeof value === 'string') return StreamId.of(value);
    if (typeof value === 'object' && value !== null && 'name' in value) {
      return StreamId.of(value.name, value.meta ?? []);
    }
    throw new InvalidStreamIdError(
      `invalid stream id ${typeof value}: expected a StreamId, a name or { name, meta }`,
    );
  }

  /** Parses the canonical key back (`name[k1=v1,k2=v2]`, reserved characters %-escaped). */
  static parse(key: string): StreamId {
    if (typeof key !== 'string') {
      throw new InvalidStreamIdError(
        `invalid stream key of type ${typeof key}: expected a string such as name[key=value,…]`,
      );
    }
    const match = /^([^[\]]+)(?:\[([^[\]]*)\])?$/.exec(key);
    if (!match) {
      throw new InvalidStreamIdError(
        `invalid stream key "${key}": expected name or name[key=value,…]`,
        {
          key,
        },
      );
    }
    const meta: [string, string][] = [];
    if (match[2]) {
      for (const part of match[2].split(',')) {
        const pieces = part.split('=');
        if (pieces.length !== 2) {
          throw new InvalidStreamIdError(
            `invalid stream key "${key}": meta-data "${part}" is not key=value`,
            {
              key,
            },
          );
        }
        meta.push([unescape(pieces[0]!, key), unescape(pieces[1]!, key)]);
      }
    }
    return StreamId.of(unescape(match[1]!, key), meta);
  }

  /** Rebuilds a stream id from {@link StreamId.toJSON} output. */
  static fromJSON(json: unknown): StreamId {
    if (
      typeof json !== 'object' ||
      json === null ||
      typeof (json as { name?: unknown }).name !== 'string'
    ) {
      throw new InvalidStreamIdError(
        `invalid stream id JSON: expected { "name": string, "meta": [[key, value], …] }`,
      );
    }
    const { name, meta } = json as { name: string; meta?: unknown };
    if (meta !== undefined && !Array.isArray(meta) && (typeof meta !== 'object' || meta === null)) {
      throw new InvalidStreamIdError(
        `invalid stream id JSON for "${name}": meta must be pairs or an object`,
      );
    }
    return StreamId.of(name, (meta ?? []) as MetaDataInput);
  }

  /** The value of one meta-data key. */
  get(key: string): string | undefined {
    return this.meta.find((pair) => pair[0] === key)?.[1];
  }

  /** Meta-data as a plain object. */
  metaObject(): Record<string, string> {
    return Object.fromEntries(this.meta);
  }

  /** True when every pair of `partial` is in this id's meta-data. */
  matches(partial: Readonly<Record<string, string>>): boolean {
    for (const [k, v] of Object.entries(partial)) if (this.get(k) !== v) return false;
    return true;
  }

  /** A copy with more (or replaced) meta-data pairs. */
  withMeta(extra: MetaDataInput): StreamId {
    const added = normaliseMeta(this.name, extra);
    const keys = new Set(added.map((p) => p[0]));
    return new StreamId(this.name, [...this.meta.filter((p) => !keys.has(p[0])), ...added]);
  }

  equals(other: StreamId): boolean {
    return this.key === other.key;
  }

  /** `name` or `name: [k1=v1, k2=v2]` (HyperStream's form, meta-data in given order). */
  toString(): string {
    return this.meta.length
      ? `${this.name}: [${this.meta.map(([k, v]) => `${k}=${v}`).join(', ')}]`
      : this.name;
  }

  toJSON(): StreamIdJSON {
    return { name: this.name, meta: this.meta };
  }
}

function normaliseMeta(name: string, meta: MetaDataInput): MetaDataPair[] {
  // Object.entries would read a string as {0: …} and throw a TypeError on null.
  if (typeof meta !== 'object' || meta === null) {
    throw new InvalidStreamIdError(
      `invalid meta-data for stream "${name}": expected an object or [key, value] pairs, got ${meta === null ? 'null' : typeof meta}`,
    );
  }
  const entries: readonly (readonly [string, unknown])[] = Array.isArray(meta)
    ? (meta as readonly (readonly [string, unknown])[])
    : Object.entries(meta);
  const seen = new Set<string>();
  const pairs: MetaDataPair[] = [];
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2) {
      throw new InvalidStreamIdError(
        `invalid meta-data for stream "${name}": expected [key, value] pairs`,
      );
    }
    const [key, value] = entry as readonly [unknown, unknown];
    if (typeof key !== 'string' || key === '' || UNSAFE_TEXT.test(key)) {
      throw new InvalidStreamIdError(
        `invalid meta-data key ${quote(key)} for stream "${name}": expected a non-empty string without control characters or unpaired surrogates`,
      );
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new InvalidStreamIdError(
        `invalid meta-data value for "${key}" of stream "${name}": expected a string, number or boolean, got ${value === null ? 'null' : typeof value}`,
      );
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new InvalidStreamIdError(
        `invalid meta-data value for "${key}" of stream "${name}": ${value} is not finite`,
      );
    }
    const text = String(value);
    if (UNSAFE_TEXT.test(text)) {
      throw new InvalidStreamIdError(
        `invalid meta-data value for "${key}" of stream "${name}": control characters and unpaired surrogates are not allowed`,
      );
    }
    if (seen.has(key)) {
      throw new InvalidStreamIdError(`duplicate meta-data key "${key}" for stream "${name}"`);
    }
    seen.add(key);
    pairs.push([key, text]);
  }
  return pairs;
}

/** A value for a message: JSON where it can be written so (a bigint cannot), else its type. */
function quote(value: unknown): string {
  return typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
}

function escape(text: string): string {
  if (!HAS_RESERVED.test(text)) return text;
  return text.replace(
    RESERVED,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

function unescape(text: string, key: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})|%/g, (whole, hex: string | undefined) => {
    if (hex === undefined) {
      throw new InvalidStreamIdError(
        `invalid stream key "${key}": a lone "%" must be written %25`,
        { key },
      );
    }
    return String.fromCharCode(parseInt(hex, 16));
  });
}
