// Bad input to stream ids: names, meta-data (including `$`-prefixed and dotted keys), keys and JSON.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidStreamIdError } from '../../../src/errors.js';
import type { MetaDataInput } from '../../../src/streams/stream-id.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { RUNS, nearValid, oddValue, outcome } from './typed-error.js';

const ID_FRAGMENTS = [
  'temp',
  'house',
  '[',
  ']',
  '=',
  ',',
  '%',
  '%25',
  '%5B',
  '%00',
  '%zz',
  '$gt',
  '$where',
  '.',
  'a.b',
  '__proto__',
  'constructor',
  ' ',
  '\u0000',
  '\u001f',
  '\ud800',
  'é',
  '{"$ne":null}',
];

const text = nearValid(fc.string({ minLength: 1, maxLength: 10 }), ID_FRAGMENTS);
/** Meta-data keys and values users might send, operators and paths included. */
const metaKey = fc.oneof(text, fc.constantFrom('$gt', '$where', 'a.b', '.', '$', 'x.$y'));
const metaValue = fc.oneof(text, fc.integer(), fc.boolean(), oddValue);
const metaInput: fc.Arbitrary<unknown> = fc.oneof(
  fc.dictionary(metaKey, metaValue, { maxKeys: 4 }),
  fc.array(fc.tuple(metaKey, metaValue), { maxLength: 4 }),
  fc.array(fc.array(metaValue, { maxLength: 3 }), { maxLength: 3 }),
  oddValue,
);

/** A well-formed id's key parses back to it and its JSON rebuilds it. */
function roundTrips(id: StreamId): boolean {
  return (
    StreamId.parse(id.key).equals(id) &&
    StreamId.fromJSON(JSON.parse(JSON.stringify(id))).equals(id)
  );
}

describe('stream ids (bad input)', () => {
  it('StreamId.of: any name and meta-data give an id that round-trips, or InvalidStreamIdError', () => {
    fc.assert(
      fc.property(fc.oneof(text, oddValue), metaInput, (name, meta) => {
        const result = outcome(
          () => StreamId.of(name as string, meta as MetaDataInput),
          [InvalidStreamIdError],
        );
        if (result.ok) expect(roundTrips(result.value)).toBe(true);
        if (typeof name !== 'string') expect(result.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('StreamId.of: "$" and "." in keys and values are kept verbatim, as any other character', () => {
    const operatorKey = fc.constantFrom('$gt', '$where', 'a.b', '$', '.', 'x.$y', '$in.0');
    fc.assert(
      fc.property(operatorKey, operatorKey, (key, value) => {
        const id = StreamId.of(key, { [key]: value });
        expect(id.name).toBe(key);
        expect(id.get(key)).toBe(value);
        expect(roundTrips(id)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('StreamId.parse: any text gives an id whose key parses to itself, or InvalidStreamIdError', () => {
    const key = nearValid(
      fc
        .tuple(text, fc.dictionary(text, text, { maxKeys: 3 }))
        .map(([name, meta]) => outcome(() => StreamId.of(name, meta), [InvalidStreamIdError]))
        .map((result) => (result.ok ? result.value.key : 'fallback')),
      ID_FRAGMENTS,
    );
    fc.assert(
      fc.property(fc.oneof(key, oddValue), (input) => {
        const result = outcome(() => StreamId.parse(input as string), [InvalidStreamIdError]);
        if (result.ok) expect(StreamId.parse(result.value.key).equals(result.value)).toBe(true);
        if (typeof input !== 'string') expect(result.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('StreamId.fromJSON: any value gives an id that round-trips, or InvalidStreamIdError', () => {
    const json = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc.record({ name: fc.oneof(text, oddValue), meta: metaInput }, { requiredKeys: [] }),
    );
    fc.assert(
      fc.property(json, (value) => {
        const result = outcome(() => StreamId.fromJSON(value), [InvalidStreamIdError]);
        if (result.ok) expect(roundTrips(result.value)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

// Counterexamples the properties above found, kept as plain examples.
describe('regressions found by the bad-input properties', () => {
  it('a bigint name or meta-data key is InvalidStreamIdError, not a TypeError from JSON.stringify', () => {
    expect(() => StreamId.of(0n as unknown as string)).toThrow(/invalid stream name 0n/);
    expect(() => StreamId.fromJSON({ name: '!', meta: [[0n, false]] })).toThrow(
      InvalidStreamIdError,
    );
  });

  it('null or a string as meta-data is InvalidStreamIdError, not a TypeError or {0: …}', () => {
    expect(() => StreamId.of('temp', null as unknown as MetaDataInput)).toThrow(
      InvalidStreamIdError,
    );
    expect(() => StreamId.of('temp', 'ab' as unknown as MetaDataInput)).toThrow(
      InvalidStreamIdError,
    );
  });

  it('StreamId.parse of a non-string is InvalidStreamIdError, not a stream named "null"', () => {
    expect(() => StreamId.parse(null as unknown as string)).toThrow(InvalidStreamIdError);
    expect(() => StreamId.parse(new Date(0) as unknown as string)).toThrow(InvalidStreamIdError);
  });
});

describe('regressions found by the security tests', () => {
  it('an unpaired surrogate is refused: MongoDB stored U+FFFD, so two ids became one stream', () => {
    expect(() => StreamId.of('a\ud800')).toThrow(/unpaired surrogates/);
    expect(() => StreamId.of('a', { k: 'v\udc00' })).toThrow(InvalidStreamIdError);
    expect(() => StreamId.of('a', { ['\ud800']: 'v' })).toThrow(InvalidStreamIdError);
    expect(StreamId.of('emoji 😀', { 'k😀': 'v😀' }).name).toBe('emoji 😀');
  });
});
