// combinePlateValues and plateValueKey are cached (per plates array, per value); the caches must
// follow the meta-data tree and never leak a caller's changes.
import { describe, expect, it } from 'vitest';
import {
  combinePlateValues,
  formatPlateValue,
  plateValueKey,
  projectPlateValue,
} from '../../../src/plates/plate.js';
import { PlateManager } from '../../../src/plates/plate-manager.js';

async function world(): Promise<PlateManager> {
  const plates = await PlateManager.create();
  for (const house of ['1', '2']) {
    await plates.addMetaData([], 'house', house);
    await plates.addMetaData([['house', house]], 'resident', 'A');
  }
  await plates.addMetaData([], 'kind', 'x');
  await plates.createPlate({ id: 'H', metaKey: 'house' });
  await plates.createPlate({ id: 'H.R', metaKey: 'resident', parent: 'H' });
  await plates.createPlate({ id: 'K', metaKey: 'kind' });
  return plates;
}

describe('plate value caches', () => {
  it('recomputes combinations when the meta-data tree changes', async () => {
    const plates = await world();
    const onPlates = [plates.getPlate('H.R'), plates.getPlate('K')];
    expect(combinePlateValues(onPlates).map(formatPlateValue)).toEqual([
      'house=1, resident=A, kind=x',
      'house=2, resident=A, kind=x',
    ]);
    await plates.addMetaData([['house', '2']], 'resident', 'B');
    await plates.addMetaData([], 'kind', 'y');
    expect(combinePlateValues(onPlates).map(formatPlateValue)).toEqual([
      'house=1, resident=A, kind=x',
      'house=1, resident=A, kind=y',
      'house=2, resident=A, kind=x',
      'house=2, resident=A, kind=y',
      'house=2, resident=B, kind=x',
      'house=2, resident=B, kind=y',
    ]);
  });

  it('gives each caller its own array, and the tree’s own values for nested plates', async () => {
    const plates = await world();
    const nested = [plates.getPlate('H'), plates.getPlate('H.R')];
    const first = combinePlateValues(nested);
    first.pop();
    const second = combinePlateValues(nested);
    expect(second).toHaveLength(2);
    // Same values (by identity) as the plate's own, so caches keyed by value keep hitting.
    expect(second[0]).toBe(plates.getPlate('H.R').values()[0]);
    expect(combinePlateValues(nested)[1]).toBe(second[1]);
  });

  it('keys values independently of pair order, and projects without copying when nothing is dropped', () => {
    const value = [
      ['resident', 'A'],
      ['house', '1'],
    ] as const;
    expect(plateValueKey(value)).toBe(plateValueKey([...value].reverse()));
    expect(plateValueKey(value)).toBe(plateValueKey(value));
    expect(projectPlateValue(value, new Set(['house', 'resident']))).toBe(value);
    expect(projectPlateValue(value, new Set(['house']))).toEqual([['house', '1']]);
  });
});
