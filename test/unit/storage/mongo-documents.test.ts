import { describe, expect, it } from 'vitest';
import { ValueNotStorableError } from '../../../src/errors.js';
import {
  checkStorable,
  parseDefinition,
  toInstanceDocuments,
} from '../../../src/storage/mongodb/mongo-documents.js';
import { StreamId } from '../../../src/streams/stream-id.js';

const T = Date.parse('2016-04-28T20:00:00Z');

function problem(value: unknown): ValueNotStorableError {
  try {
    checkStorable(value, 'temp[house=1]', T);
  } catch (error) {
    expect(error).toBeInstanceOf(ValueNotStorableError);
    return error as ValueNotStorableError;
  }
  throw new Error('expected the value to be rejected');
}

class Reading {
  constructor(readonly celsius: number) {}
}

describe('checkStorable', () => {
  it('accepts JSON-like data, dates, binary and BSON values', () => {
    for (const value of [
      0,
      'text',
      true,
      null,
      [1, [2, [3]]],
      { a: { b: [{ c: null }] } },
      new Date(T),
      /x/i,
      Buffer.from('ab'),
      new Uint8Array([1]),
      { _bsontype: 'ObjectId' },
      { optional: undefined },
      Object.create(null) as object,
    ]) {
      expect(() => checkStorable(value, 's', T)).not.toThrow();
    }
  });

  it.each([
    ['a function', () => 1, '', /function cannot be stored/],
    ['a symbol inside', { a: [Symbol('x')] }, 'a[0]', /symbol/],
    ['undefined', undefined, '', /undefined cannot be stored/],
    ['undefined in an array', [1, undefined], '[1]', /come back as null/],
    ['a bigint', { n: 10n }, 'n', /bigint/],
    ['a Map', { m: new Map() }, 'm', /Map cannot be stored/],
    ['a Set (HyperStream dropped these silently)', new Set(['a']), '', /Set cannot be stored/],
    ['a $ key', { ok: { $where: 1 } }, 'ok.$where', /must not start with "\$"/],
    ['a dotted key', { 'a.b': 1 }, 'a.b', /contain "\."/],
    ['a class instance', { r: new Reading(3) }, 'r', /Reading instance would lose its class/],
    ['a typed array', new Float64Array(2), '', /Float64Array/],
    ['an invalid date', new Date(Number.NaN), '', /invalid Date/],
  ])('rejects %s, naming the stream, time and key path', (_, value, path, reason) => {
    const error = problem(value);
    expect(error.message).toMatch(reason);
    expect(error.message).toContain('stream "temp[house=1]" at 2016-04-28T20:00:00.000Z');
    expect(error.details).toEqual({ stream: 'temp[house=1]', timestamp: T, path });
  });

  it('rejects circular values instead of overflowing the stack', () => {
    const value: Record<string, unknown> = { a: 1 };
    value.self = { back: value };
    expect(problem(value).message).toMatch(/circular reference/);
    // A shared (not circular) object is fine.
    const shared = { x: 1 };
    expect(() => checkStorable({ a: shared, b: [shared] }, 's', T)).not.toThrow();
  });
});

describe('toInstanceDocuments', () => {
  it('keys documents by (stream, time) and keeps the last of equal timestamps', () => {
    const id = StreamId.of('s', { k: 'v' });
    const docs = toInstanceDocuments(id, [
      { timestamp: 2, value: 'a' },
      { timestamp: 1, value: 'b' },
      { timestamp: 2, value: 'c' },
    ]);
    expect(docs).toEqual([
      { _id: { s: 's[k=v]', t: new Date(1) }, v: 'b' },
      { _id: { s: 's[k=v]', t: new Date(2) }, v: 'c' },
    ]);
    expect(Object.keys(docs[0]!._id)).toEqual(['s', 't']);
  });

  it('validates every instance before returning any', () => {
    const id = StreamId.of('s');
    expect(() =>
      toInstanceDocuments(id, [
        { timestamp: 1, value: 1 },
        { timestamp: 2, value: () => 2 },
      ]),
    ).toThrow(ValueNotStorableError);
    expect(() => toInstanceDocuments(id, [{ timestamp: 1.5, value: 1 }])).toThrow(
      ValueNotStorableError,
    );
  });
});

describe('parseDefinition', () => {
  const good = {
    _id: 'temp[house=1]',
    name: 'temp',
    meta: [{ k: 'house', v: '1' }],
    channel: 'mongo',
    calculatedIntervals: [
      { start: new Date(20), end: new Date(30) },
      { start: new Date(0), end: new Date(20) },
    ],
    version: 3,
    createdAt: new Date(0),
  };

  it('reads a valid definition, normalising its intervals', () => {
    const parsed = parseDefinition(good);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.id.key).toBe('temp[house=1]');
    expect(parsed.intervals.toJSON()).toEqual([{ start: 0, end: 30 }]);
    expect(parsed.version).toBe(3);
  });

  it.each([
    ['a missing name', { ...good, name: undefined }, /name/],
    [
      'intervals that are not dates',
      { ...good, calculatedIntervals: [{ start: 1, end: 2 }] },
      /calculatedIntervals/,
    ],
    [
      'a reversed interval',
      { ...good, calculatedIntervals: [{ start: new Date(5), end: new Date(1) }] },
      /after end/,
    ],
    ['an _id that is not its key', { ...good, _id: 'temp' }, /not the key/],
    ['a negative version', { ...good, version: -1 }, /version/],
  ])('reports %s', (_, raw, reason) => {
    const parsed = parseDefinition(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(reason);
  });
});

describe('strings that would not round-trip through BSON', () => {
  it('rejects unpaired surrogates, accepts paired ones', () => {
    expect(() => checkStorable({ v: 'a\ud800' }, 's', 1)).toThrow(/unpaired/);
    expect(() => checkStorable('😀', 's', 1)).not.toThrow();
  });
});
