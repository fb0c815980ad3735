import { describe, expect, it } from 'vitest';
import { MetaDataError, PlateNotFoundError } from '../../../src/errors.js';
import { combinePlateValues, formatPlateValue } from '../../../src/plates/plate.js';
import { PlateManager } from '../../../src/plates/plate-manager.js';
import { MemoryMetaDataStore } from '../../../src/storage/memory/memory-meta-data-store.js';
import { MemoryPlateStore } from '../../../src/storage/memory/memory-plate-store.js';

async function world(
  options: Parameters<typeof PlateManager.create>[0] = {},
): Promise<PlateManager> {
  const plates = await PlateManager.create(options);
  for (const [country, cities] of [
    ['NZ', ['Auckland', 'Wellington']],
    ['USA', ['NY', 'Chicago', 'Seattle']],
  ] as const) {
    await plates.addMetaData([], 'country', country);
    for (const city of cities) await plates.addMetaData([['country', country]], 'city', city);
  }
  await plates.createPlate({ id: 'C', metaKey: 'country' });
  await plates.createPlate({ id: 'C.C', metaKey: 'city', parent: 'C' });
  return plates;
}

const show = (values: readonly (readonly (readonly [string, string])[])[]): string[] =>
  values.map(formatPlateValue);

describe('plates', () => {
  it('gives values carrying their ancestors pairs', async () => {
    const plates = await world();
    expect(show(plates.values('C'))).toEqual(['country=NZ', 'country=USA']);
    expect(show(plates.values('C.C'))).toEqual([
      'country=NZ, city=Auckland',
      'country=NZ, city=Wellington',
      'country=USA, city=NY',
      'country=USA, city=Chicago',
      'country=USA, city=Seattle',
    ]);
    expect(plates.getPlate('C.C').keys).toEqual(['country', 'city']);
  });

  it('filters with a whitelist or a complement (HyperStream ignored complement)', async () => {
    const plates = await world();
    await plates.createPlate({ id: 'NZ', metaKey: 'country', include: ['NZ'] });
    await plates.createPlate({ id: 'notNY', metaKey: 'city', parent: 'C', exclude: ['NY'] });
    expect(show(plates.values('NZ'))).toEqual(['country=NZ']);
    expect(show(plates.values('notNY'))).toHaveLength(4);
    expect(show(plates.values('notNY'))).not.toContain('country=USA, city=NY');
    await expect(
      plates.createPlate({ id: 'x', metaKey: 'city', include: ['a'], exclude: ['b'] }),
    ).rejects.toThrow(/not both/);
    await expect(plates.createPlate({ id: 'x', metaKey: 'city', include: [] })).rejects.toThrow(
      /empty include/,
    );
  });

  it('recomputes values when the tree changes, never frozen', async () => {
    const plates = await world();
    const cities = plates.getPlate('C.C');
    expect(cities.values()).toHaveLength(5);
    await plates.addMetaData([['country', 'NZ']], 'city', 'Dunedin');
    expect(cities.values()).toHaveLength(6);
    await plates.deleteMetaData([['country', 'USA']]);
    expect(show(cities.values())).toEqual([
      'country=NZ, city=Auckland',
      'country=NZ, city=Wellington',
      'country=NZ, city=Dunedin',
    ]);
  });

  it('combines any number of plates: nested collapse, unrelated multiply', async () => {
    const plates = await world();
    for (const v of ['a', 'b', 'c']) await plates.addMetaData([], 'variant', v);
    for (const s of ['1', '2']) await plates.addMetaData([], 'seed', s);
    await plates.createPlate({ id: 'V', metaKey: 'variant' });
    await plates.createPlate({ id: 'S', metaKey: 'seed' });
    expect(plates.combine([])).toEqual([[]]);
    expect(plates.combine(['C', 'C.C'])).toEqual(plates.values('C.C'));
    expect(plates.combine(['C.C', 'C'])).toHaveLength(5);
    expect(plates.combine(['C', 'V'])).toHaveLength(2 * 3);
    expect(plates.combine(['C.C', 'V', 'S'])).toHaveLength(5 * 3 * 2);
    expect(show(plates.combine(['C', 'V']))[0]).toBe('country=NZ, variant=a');
    await plates.createPlate({ id: 'NZ', metaKey: 'country', include: ['NZ'] });
    expect(plates.combine(['NZ', 'C.C'])).toHaveLength(2);
    expect(
      combinePlateValues([plates.getPlate('NZ'), plates.getPlate('C.C'), plates.getPlate('S')]),
    ).toHaveLength(4);
  });

  it('creates plates idempotently and rejects a different definition under the same id', async () => {
    const plates = await world();
    expect(await plates.createPlate({ id: 'C', metaKey: 'country' })).toBe(plates.getPlate('C'));
    await expect(plates.createPlate({ id: 'C', metaKey: 'city' })).rejects.toThrow(MetaDataError);
    await expect(plates.createPlate({ id: 'X', metaKey: 'country', parent: 'C' })).rejects.toThrow(
      /already covers/,
    );
    await expect(plates.createPlate({ id: 'Y', metaKey: 'z', parent: 'nope' })).rejects.toThrow(
      PlateNotFoundError,
    );
    expect(() => plates.getPlate('nope')).toThrow(/known plates: C, C.C/);
  });

  it('deletes plates (children first) and optionally their meta-data', async () => {
    const plates = await world();
    await expect(plates.deletePlate('C')).rejects.toThrow(/child plates C.C/);
    expect(await plates.deletePlate('C.C', { deleteMetaData: true })).toBe(true);
    expect(plates.tree.children([['country', 'NZ']])).toEqual([]);
    expect(await plates.deletePlate('C.C')).toBe(false);
    expect(plates.values('C')).toHaveLength(2);
  });

  it('persists the tree and plates and reloads them, children before parents in any stored order', async () => {
    const metaDataStore = new MemoryMetaDataStore();
    const plateStore = new MemoryPlateStore();
    const first = await world({ metaDataStore, plateStore });
    await first.createPlate({ id: 'A.child', metaKey: 'city', parent: 'C' }); // sorts before its parent C
    await first.deleteMetaData([
      ['country', 'USA'],
      ['city', 'NY'],
    ]);
    const second = await PlateManager.create({ metaDataStore, plateStore });
    expect(show(second.values('C.C'))).toEqual(show(first.values('C.C')));
    expect(second.getPlate('A.child').parent?.id).toBe('C');
    expect(second.tree.toString()).toBe(first.tree.toString());
  });

  it('validates stored data with zod', async () => {
    const plateStore = new MemoryPlateStore();
    await plateStore.save({ id: 'bad', metaKey: '', filter: { kind: 'all' } });
    await expect(PlateManager.create({ plateStore })).rejects.toThrow(
      /stored plate definition 0 is invalid/,
    );
  });
});
