import { describe, expect, it } from 'vitest';
import { MetaDataError } from '../../../src/errors.js';
import { MetaDataTree, pathIdentifier } from '../../../src/plates/meta-data-tree.js';

function tree(): MetaDataTree {
  const t = new MetaDataTree();
  t.insert([], 'country', 'NZ');
  t.insert([['country', 'NZ']], 'city', 'Auckland');
  t.insert([['country', 'NZ']], 'city', 'Wellington');
  t.insert([], 'country', 'USA');
  t.insert([['country', 'USA']], 'city', 'NY');
  return t;
}

describe('MetaDataTree', () => {
  it('inserts, looks up and lists children by key', () => {
    const t = tree();
    expect(
      t.has([
        ['country', 'NZ'],
        ['city', 'Auckland'],
      ]),
    ).toBe(true);
    expect(
      t.has([
        ['country', 'USA'],
        ['city', 'Auckland'],
      ]),
    ).toBe(false);
    expect(t.children([['country', 'NZ']], 'city').map((p) => p[1]![1])).toEqual([
      'Auckland',
      'Wellington',
    ]);
    expect(t.children([], 'city')).toEqual([]);
    expect(
      pathIdentifier([
        ['country', 'NZ'],
        ['city', 'Auckland'],
      ]),
    ).toBe('country_NZ.city_Auckland');
  });

  it('refuses duplicates, missing parents and keys reused by an ancestor', () => {
    const t = tree();
    expect(() => t.insert([], 'country', 'NZ')).toThrow(/already exists: use ensure/);
    expect(t.ensure([], 'country', 'NZ')).toBe(false);
    expect(() => t.insert([['country', 'UK']], 'city', 'London')).toThrow(MetaDataError);
    expect(() => t.insert([['country', 'UK']], 'city', 'London')).toThrow(
      /parent "country_UK" is not in the meta-data tree/,
    );
    expect(() => t.insert([['country', 'NZ']], 'country', 'X')).toThrow(
      /already used by an ancestor/,
    );
    expect(() => t.insert([], 'country', '')).toThrow(/non-empty/);
  });

  it('deletes a whole subtree and reports every removed path', () => {
    const t = tree();
    const before = t.version;
    const removed = t.delete([['country', 'NZ']]);
    expect(removed.map(pathIdentifier)).toEqual([
      'country_NZ.city_Auckland',
      'country_NZ.city_Wellington',
      'country_NZ',
    ]);
    expect(t.has([['country', 'NZ']])).toBe(false);
    expect(t.version).toBeGreaterThan(before);
    expect(() => t.delete([['country', 'NZ']])).toThrow(/not found/);
    expect(() => t.delete([])).toThrow(/root/);
    // Re-inserting after deletion works: nothing orphaned was left behind.
    t.insert([], 'country', 'NZ');
    expect(t.children([['country', 'NZ']])).toEqual([]);
  });

  it('lists records parents first and prints readably', () => {
    const t = tree();
    const records = t.records();
    expect(records[0]).toEqual({ parent: [], key: 'country', value: 'NZ' });
    expect(records.map((r) => r.parent.length)).toEqual([0, 1, 1, 0, 1]);
    expect(t.toString()).toBe(
      [
        'root',
        '├── country_NZ[country:NZ]',
        '│   ├── country_NZ.city_Auckland[city:Auckland]',
        '│   └── country_NZ.city_Wellington[city:Wellington]',
        '└── country_USA[country:USA]',
        '    └── country_USA.city_NY[city:NY]',
      ].join('\n'),
    );
  });

  it('keeps labels', () => {
    const t = new MetaDataTree();
    t.insert([], 'airport', 'LHR', 'London Heathrow');
    expect(t.label([['airport', 'LHR']])).toBe('London Heathrow');
    expect(t.records()[0]).toEqual({
      parent: [],
      key: 'airport',
      value: 'LHR',
      label: 'London Heathrow',
    });
  });
});

describe('meta-data validation', () => {
  it('refuses values that could not name a stream, with MetaDataError', () => {
    const tree = new MetaDataTree();
    expect(() => tree.insert([], 'house', 'a\nb')).toThrow(MetaDataError);
    expect(() => tree.insert([], 'house', 'a\ud800')).toThrow(MetaDataError);
    expect(() => tree.insert([], 1n as never, 'x')).toThrow(MetaDataError);
    expect(() => tree.insert(null as never, 'house', '1')).toThrow(MetaDataError);
    expect(tree.insert([], 'house', '1')).toEqual([['house', '1']]);
  });
});
