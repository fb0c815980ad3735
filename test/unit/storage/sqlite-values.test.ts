// The SQLite value encoding: what is written is what is read, exactly (-0, NaN, ±Infinity, large
// numbers, strings that look like tags, dates, bytes), and unstorable values are refused by name.
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueNotStorableError } from '../../../src/errors.js';
import { decodeValue, encodeValue } from '../../../src/storage/sqlite/sqlite-values.js';

const T = Date.parse('2016-04-28T20:00:00Z');
const roundTrip = (value: unknown): unknown => decodeValue(encodeValue(value, 's', T));

/** Deep equality that also tells -0 from 0 and NaN from everything but NaN. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (a instanceof RegExp && b instanceof RegExp) return String(a) === String(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keysA = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const keysB = Object.keys(b);
    return (
      keysA.length === keysB.length &&
      keysA.every((k, i) => k === keysB[i] && same((a as never)[k], (b as never)[k]))
    );
  }
  return a === b;
}

describe('SQLite value encoding', () => {
  it('stores numbers compactly: safe integers as INTEGER, other numbers as REAL', () => {
    expect(encodeValue(42, 's', T)).toBe(42n);
    expect(encodeValue(-7, 's', T)).toBe(-7n);
    expect(encodeValue(2 ** 53 - 1, 's', T)).toBe(BigInt(2 ** 53 - 1));
    expect(encodeValue(1.5, 's', T)).toBe(1.5);
    expect(encodeValue(2 ** 60, 's', T)).toBe(2 ** 60);
    expect(Object.is(encodeValue(-0, 's', T), -0)).toBe(true);
    expect(encodeValue('plain', 's', T)).toBe('plain');
    expect(encodeValue(null, 's', T)).toBeNull();
  });

  it('reads back every kind of value exactly', () => {
    const values: unknown[] = [
      0,
      -0,
      1,
      -1,
      0.1,
      1e300,
      -1e-300,
      2 ** 53,
      2 ** 53 + 2,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      NaN,
      Infinity,
      -Infinity,
      '',
      'text',
      '\u0001',
      '\u0001j{}',
      '\u0001s',
      '{"a":1}',
      'emoji 🎉 and NUL \u0000 inside',
      true,
      false,
      null,
      [],
      {},
      [1, 'two', null, true, [3, [4]]],
      { a: { b: [{ c: null }] }, empty: {}, list: [] },
      { a: -0, b: [0, -0], c: NaN, d: Infinity, e: -Infinity },
      { when: new Date(T), nested: [new Date(0), { deep: new Date(-1) }] },
      new Date(T),
      { bytes: new Uint8Array([0, 1, 255]), re: /a.b\/c/gi, tag: '\u0001x' },
      /top-level/m,
      { $gt: '', 'dotted.key': 1, __proto__x: 2 },
      Object.assign(Object.create(null) as object, { bare: 1 }),
    ];
    for (const value of values) {
      const back = roundTrip(value);
      expect(same(back, value), `${inspect(value)} read back as ${inspect(back)}`).toBe(true);
    }
    expect([...(roundTrip(new Uint8Array([1, 2])) as Uint8Array)]).toEqual([1, 2]);
  });

  it('drops undefined object properties, as JSON and MongoDB do', () => {
    expect(roundTrip({ a: 1, b: undefined })).toEqual({ a: 1 });
  });

  it('round-trips any JSON-like value (property)', () => {
    const leaf = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.string(),
      fc.string({ unit: 'binary' }).map((s) => `\u0001${s}`),
      fc.boolean(),
      fc.constant(null),
      fc.date({ noInvalidDate: true }),
    );
    const value = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
      array: fc.array(tie('tree'), { maxLength: 4 }),
      object: fc.dictionary(fc.string(), tie('tree'), { maxKeys: 4 }),
    })).tree;
    fc.assert(
      fc.property(value, (v) => {
        // Unpaired surrogates are refused rather than mangled (UTF-8 cannot hold them).
        let back: unknown;
        try {
          back = roundTrip(v);
        } catch (error) {
          expect(error).toBeInstanceOf(ValueNotStorableError);
          return;
        }
        expect(same(back, v)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what would not read back, naming where', () => {
    class Reading {
      constructor(readonly celsius: number) {}
    }
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = { again: circular };
    const cases: [unknown, RegExp][] = [
      [undefined, /undefined cannot be stored/],
      [() => 1, /a function cannot be stored/],
      [Symbol('s'), /a symbol cannot be stored/],
      [10n, /a bigint would come back as a number/],
      [{ list: [1, undefined] }, /at "list\[1\]": undefined in an array/],
      [{ r: new Reading(1) }, /at "r": a Reading instance would lose its class/],
      [new Map(), /a Map cannot be stored; convert it to an object or an array/],
      [{ s: new Set([1]) }, /at "s": a Set cannot be stored/],
      [{ when: new Date(NaN) }, /at "when": an invalid Date/],
      [circular, /circular reference/],
      ['lone \ud800 surrogate', /unpaired UTF-16 surrogate/],
      [{ ['k\udc00']: 1 }, /a key with an unpaired UTF-16 surrogate/],
    ];
    for (const [value, message] of cases) {
      let error: unknown;
      try {
        encodeValue(value, 'temp[house=1]', T);
      } catch (caught) {
        error = caught;
      }
      expect(error, String(message)).toBeInstanceOf(ValueNotStorableError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(
        'stream "temp[house=1]" at 2016-04-28T20:00:00.000Z',
      );
    }
  });

  it('finds a cycle deeper than the quick scan looks', () => {
    const root: Record<string, unknown> = {};
    let node = root;
    for (let i = 0; i < 100; i++) node = node.next = {};
    node.back = root;
    expect(() => encodeValue(root, 's', T)).toThrow(/circular reference/);
  });
});
