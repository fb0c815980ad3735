import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidStreamIdError } from '../../../src/errors.js';
import { StreamId } from '../../../src/streams/stream-id.js';

describe('StreamId', () => {
  it('has a canonical key independent of meta-data order, and prints in the given order', () => {
    const a = StreamId.of('temp', { country: 'NZ', city: 'Auckland' });
    const b = StreamId.of('temp', [
      ['city', 'Auckland'],
      ['country', 'NZ'],
    ]);
    expect(a.key).toBe('temp[city=Auckland,country=NZ]');
    expect(a.equals(b)).toBe(true);
    expect(a.toString()).toBe('temp: [country=NZ, city=Auckland]');
    expect(StreamId.of('ticker').key).toBe('ticker');
    expect(StreamId.of('ticker').toString()).toBe('ticker');
  });

  it('parses its key back, escaping reserved characters', () => {
    const odd = StreamId.of('a[b]=c,d%', { 'k=1': 'v,[x]', plain: 'ok' });
    expect(StreamId.parse(odd.key).equals(odd)).toBe(true);
    expect(StreamId.parse('temp[city=Auckland,country=NZ]').get('city')).toBe('Auckland');
  });

  it('stores numbers and booleans as strings', () => {
    const id = StreamId.of('x', { house: 1, active: true });
    expect(id.get('house')).toBe('1');
    expect(id.metaObject()).toEqual({ house: '1', active: 'true' });
  });

  it('matches partial meta-data and extends with withMeta', () => {
    const id = StreamId.of('x', { house: '1', resident: 'A' });
    expect(id.matches({ house: '1' })).toBe(true);
    expect(id.matches({ house: '2' })).toBe(false);
    expect(id.withMeta({ room: 'kitchen', house: '2' }).key).toBe(
      'x[house=2,resident=A,room=kitchen]',
    );
  });

  it('converts from names, objects and JSON', () => {
    const id = StreamId.of('x', { a: '1' });
    expect(StreamId.from('x').equals(StreamId.of('x'))).toBe(true);
    expect(StreamId.from({ name: 'x', meta: { a: '1' } }).equals(id)).toBe(true);
    expect(StreamId.from(id)).toBe(id);
    expect(StreamId.fromJSON(JSON.parse(JSON.stringify(id))).equals(id)).toBe(true);
  });

  it('rejects bad names, keys, values and keys with InvalidStreamIdError', () => {
    const bad: (() => unknown)[] = [
      () => StreamId.of(''),
      () => StreamId.of('  '),
      () => StreamId.of('a\nb'),
      () => StreamId.of('x', { '': 'v' }),
      () => StreamId.of('x', { k: null as never }),
      () => StreamId.of('x', { k: {} as never }),
      () => StreamId.of('x', { k: Number.NaN }),
      () =>
        StreamId.of('x', [
          ['k', '1'],
          ['k', '2'],
        ]),
      () => StreamId.parse('x[k]'),
      () => StreamId.parse('[k=v]'),
      () => StreamId.parse('x[k=%zz]'),
      () => StreamId.fromJSON(42),
      () => StreamId.from(42 as never),
    ];
    for (const fn of bad) expect(fn).toThrow(InvalidStreamIdError);
  });

  it('round-trips any name and meta-data through its key (property)', () => {
    const text = fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((s) => s.trim() !== '' && !/\p{Cc}/u.test(s));
    fc.assert(
      fc.property(text, fc.dictionary(text, text, { maxKeys: 4 }), (name, meta) => {
        const id = StreamId.of(name, meta);
        const back = StreamId.parse(id.key);
        return back.equals(id) && back.key === id.key;
      }),
      { numRuns: 1000 },
    );
  });
});
