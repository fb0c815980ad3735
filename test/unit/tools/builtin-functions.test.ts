import { describe, expect, it } from 'vitest';
import { BUILTIN_FUNCTIONS, percentileOfSorted } from '../../../src/tools/builtin-functions.js';
import { createFunctionRegistry, defaultFunctions } from '../../../src/tools/function-scope.js';
import { FunctionRegistry, functionRegistry } from '../../../src/tools/functions.js';

type Fn = (...args: unknown[]) => unknown;
const fn = (name: string): Fn => BUILTIN_FUNCTIONS[name] as unknown as Fn;

describe('built-in functions', () => {
  it('reduce lists, ignoring entries that are not numbers', () => {
    const values = [4, null, 1, 'x', 3, 2];
    expect(fn('mean')(values)).toBe(2.5);
    expect(fn('sum')(values)).toBe(10);
    expect(fn('min')(values)).toBe(1);
    expect(fn('max')(values)).toBe(4);
    expect(fn('median')(values)).toBe(2.5);
    expect(fn('median')([3, 1, 2])).toBe(2);
    expect(fn('count')(values)).toBe(6);
    expect(fn('first')(values)).toBe(4);
    expect(fn('last')(values)).toBe(2);
  });

  it('give undefined (no output) for reductions over no numbers', () => {
    for (const name of ['mean', 'min', 'max', 'median', 'variance', 'stddev']) {
      expect(fn(name)([]), name).toBeUndefined();
      expect(fn(name)([null]), name).toBeUndefined();
    }
    expect(fn('sum')([])).toBe(0);
    expect(fn('sample_variance')([5])).toBeUndefined();
  });

  it('compute population and sample spread', () => {
    const values = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(fn('variance')(values)).toBe(4);
    expect(fn('stddev')(values)).toBe(2);
    expect(fn('sample_variance')(values)).toBeCloseTo(32 / 7, 12);
    expect(fn('sample_stddev')(values)).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('sum long lists without losing precision', () => {
    expect(fn('sum')([1e16, 1, -1e16])).toBe(1);
    expect(fn('mean')(Array.from({ length: 10 }, () => 0.1))).toBe(0.1);
  });

  it('map single values', () => {
    expect(fn('identity')('x')).toBe('x');
    expect(fn('abs')(-3)).toBe(3);
    expect(fn('round')(2.5)).toBe(3);
    expect(fn('round')(-2.5)).toBe(-3);
    expect(fn('round')(1.4)).toBe(1);
  });

  it('cover what tutorial 5 applies', () => {
    expect(fn('split_temperatures')({ TokyoMax: 11.2, TokyoMin: 4.2, NYMax: 8, Other: 1 })).toEqual(
      {
        Tokyo: { max: 11.2, min: 4.2 },
        NY: { max: 8 },
      },
    );
    // TempAustralia.csv spells some suffixes in lower case.
    expect(fn('split_temperatures')({ Melbournemax: 24.3, MelbourneMin: 15.9 })).toEqual({
      Melbourne: { max: 24.3, min: 15.9 },
    });
    expect(fn('dict_mean')({ max: 16.5, min: 14.6 })).toBeCloseTo(15.55, 12);
    expect(fn('dict_mean')({ max: 8, min: null })).toBe(8);
    expect(fn('dict_mean')('x')).toBeUndefined();
  });

  it('interpolate percentiles of sorted numbers', () => {
    expect(percentileOfSorted([1, 2, 3, 4], 25)).toBe(1.75);
    expect(percentileOfSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(percentileOfSorted([1, 2, 3, 4], 100)).toBe(4);
    expect(percentileOfSorted([], 50)).toBeUndefined();
  });

  it('start every new registry and the default resolver, not the process-wide one', () => {
    const registry = createFunctionRegistry();
    for (const name of Object.keys(BUILTIN_FUNCTIONS)) {
      expect(registry.get(name)).toBe(BUILTIN_FUNCTIONS[name]);
      expect(defaultFunctions().get(name)).toBe(BUILTIN_FUNCTIONS[name]);
      expect(functionRegistry.has(name)).toBe(false);
    }
  });

  it('keep registries apart: a function registered in one is unknown to another', () => {
    const one = createFunctionRegistry([['triple', (x: number) => 3 * x]]);
    const other = createFunctionRegistry();
    expect(one.has('triple')).toBe(true);
    expect(other.has('triple')).toBe(false);
    expect(() => other.get('triple')).toThrow(/function "triple" is not registered/);
    // A built-in name is taken: replacing it is an error, not a silent change of meaning.
    expect(() => createFunctionRegistry([['mean', () => 42]])).toThrow(/already registered/);
  });

  it('fall back to the deprecated process-wide registrations', () => {
    const fn = (): number => 7;
    functionRegistry.register('test.builtin.fallback', fn);
    try {
      const registry = new FunctionRegistry([], { fallback: functionRegistry });
      expect(registry.get('test.builtin.fallback')).toBe(fn);
      expect(registry.nameOf(fn)).toBe('test.builtin.fallback');
      expect(createFunctionRegistry().has('test.builtin.fallback')).toBe(true);
    } finally {
      functionRegistry.unregister('test.builtin.fallback');
    }
  });
});
