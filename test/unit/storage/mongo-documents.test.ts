import { describe, expect, it } from 'vitest';
import { ValueNotStorableError } from '../../../src/errors.js';
import {
  checkStorable,
  insertIfAbsent,
  parseDefinition,
  parseIntervals,
  toInstanceDocuments,
} from '../../../src/storage/mongodb/mongo-documents.js';
import type { MongoServerProfile } from '../../../src/storage/mongodb/mongo-server.js';
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
    createdAt: new Date(0),
  };

  it('reads a valid definition', () => {
    const parsed = parseDefinition(good);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.id.key).toBe('temp[house=1]');
  });

  it.each([
    ['a missing name', { ...good, name: undefined }, /name/],
    ['meta-data that is not pairs', { ...good, meta: [['house', '1']] }, /meta/],
    ['an _id that is not its key', { ...good, _id: 'temp' }, /not the key/],
  ])('reports %s', (_, raw, reason) => {
    const parsed = parseDefinition(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(reason);
  });
});

describe('parseIntervals', () => {
  const good = {
    _id: { s: 'temp[house=1]', v: 3 },
    intervals: [
      { start: new Date(20), end: new Date(30) },
      { start: new Date(0), end: new Date(20) },
    ],
    at: new Date(0),
  };

  it('reads a valid version, normalising its intervals', () => {
    const parsed = parseIntervals(good);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.ranges.intervals.toJSON()).toEqual([{ start: 0, end: 30 }]);
    expect(parsed.version).toBe(3);
  });

  it.each([
    ['intervals that are not dates', { ...good, intervals: [{ start: 1, end: 2 }] }, /intervals/],
    [
      'a reversed interval',
      { ...good, intervals: [{ start: new Date(5), end: new Date(1) }] },
      /after end/,
    ],
    ['a version that is not positive', { ...good, _id: { s: 'temp', v: 0 } }, /_id\.v/],
  ])('reports %s', (_, raw, reason) => {
    const parsed = parseIntervals(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(reason);
  });
});

describe('insertIfAbsent', () => {
  it('inserts empty arrays with $push of nothing, everything else with $setOnInsert', () => {
    expect(insertIfAbsent({ _id: 'a', name: 'a', meta: [], list: [1], nested: { e: [] } })).toEqual(
      {
        $setOnInsert: { name: 'a', list: [1], nested: { e: [] } },
        $push: { meta: { $each: [] } },
      },
    );
    expect(insertIfAbsent({ _id: 'a', name: 'a' })).toEqual({ $setOnInsert: { name: 'a' } });
  });
});

describe('values a server with limits cannot store (FerretDB v1)', () => {
  const ferretDb: MongoServerProfile = {
    name: 'FerretDB v1.24.2',
    storesEveryNumberAndArray: false,
    replaceScansCollection: true,
    maxUpdateStatements: 8,
  };
  const refused = (value: unknown): string => {
    try {
      checkStorable(value, 's', T, ferretDb);
    } catch (error) {
      expect(error).toBeInstanceOf(ValueNotStorableError);
      return (error as Error).message;
    }
    throw new Error('expected the value to be refused');
  };

  it('refuses NaN and ±Infinity anywhere, naming the path and the server', () => {
    expect(refused(NaN)).toMatch(/FerretDB v1\.24\.2 cannot store NaN or ±Infinity/);
    expect(refused({ a: [1, Infinity] })).toMatch(/at "a\[1\]"/);
    expect(refused({ a: { b: -Infinity } })).toMatch(/at "a\.b"/);
  });

  it('refuses an array directly inside an array, not one inside an object inside an array', () => {
    expect(refused([[1, 2], [3]])).toMatch(/at "\[0\]".*array directly inside an array/);
    expect(refused({ a: [1, []] })).toMatch(/at "a\[1\]"/);
    expect(() => checkStorable([{ items: [1, 2] }], 's', T, ferretDb)).not.toThrow();
    expect(() => checkStorable({ a: [1, 2], b: -0 }, 's', T, ferretDb)).not.toThrow();
  });

  it('leaves them to servers that store them', () => {
    const mongo: MongoServerProfile = {
      name: 'MongoDB 7.0.14',
      storesEveryNumberAndArray: true,
      replaceScansCollection: false,
      maxUpdateStatements: undefined,
    };
    expect(() => checkStorable([[NaN, Infinity]], 's', T, mongo)).not.toThrow();
    expect(() => checkStorable([[NaN, Infinity]], 's', T)).not.toThrow();
  });
});

describe('strings that would not round-trip through BSON', () => {
  it('rejects unpaired surrogates, accepts paired ones', () => {
    expect(() => checkStorable({ v: 'a\ud800' }, 's', 1)).toThrow(/unpaired/);
    expect(() => checkStorable('😀', 's', 1)).not.toThrow();
  });
});
