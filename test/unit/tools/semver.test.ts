import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import {
  compareSemVer,
  isExactVersion,
  parseSemVer,
  satisfiesRange,
} from '../../../src/tools/semver.js';

describe('compareSemVer', () => {
  it('orders by major, minor, patch, and puts pre-releases before their release', () => {
    const sorted = [
      '0.0.1',
      '0.1.0',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.10',
      '1.2.0',
      '10.0.0',
    ];
    const shuffled = [...sorted].reverse();
    expect(shuffled.sort(compareSemVer)).toEqual(sorted);
  });

  it('is antisymmetric on generated versions', () => {
    const version = fc
      .tuple(fc.nat(20), fc.nat(20), fc.nat(20))
      .map(([a, b, c]) => `${a}.${b}.${c}`);
    fc.assert(
      fc.property(version, version, (a, b) => compareSemVer(a, b) === -compareSemVer(b, a)),
    );
  });

  it('throws InvalidArgumentError for a non-version', () => {
    expect(() => compareSemVer('1.0', '1.0.0')).toThrow(InvalidArgumentError);
    expect(parseSemVer('1.0.0.0')).toBeUndefined();
  });
});

describe('satisfiesRange', () => {
  const cases: [string, string, boolean][] = [
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '1.2.3', false],
    ['1.2.3', '=1.2.3', true],
    ['1.9.0', '^1.2.3', true],
    ['1.2.2', '^1.2.3', false],
    ['2.0.0', '^1.2.3', false],
    ['0.2.5', '^0.2.3', true],
    ['0.3.0', '^0.2.3', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.3.0', '~1', true],
    ['1.2.0', '~1.2', true],
    ['1.3.0', '~1.2', false],
    ['2.0.0', '>=1.2.0', true],
    ['1.1.9', '>=1.2.0', false],
    ['1.2.1', '>1.2.0', true],
    ['1.2.0', '>1.2.0', false],
    ['1.9.9', '<2.0.0', true],
    ['2.0.0', '<2.0.0', false],
    ['1.4.0', '<=1.4.0', true],
    ['1.7.0', '1.x', true],
    ['2.0.0', '1.x', false],
    ['1.2.7', '1.2.x', true],
    ['1.3.0', '1.2.x', false],
    ['1.2.7', '1.2', true],
    ['3.1.4', '*', true],
    ['1.5.0', '>=1.2.0 <2.0.0', true],
    ['2.5.0', '>=1.2.0 <2.0.0', false],
    ['1.9.0', '^1.2', true],
    ['1.9.0', '<2', true],
  ];
  it.each(cases)('%s satisfies %s: %s', (version, range, expected) => {
    expect(satisfiesRange(version, range)).toBe(expected);
  });

  it('lets pre-releases match only an exact request', () => {
    expect(satisfiesRange('2.0.0-beta.1', '^1.0.0')).toBe(false);
    expect(satisfiesRange('2.0.0-beta.1', '>=1.0.0')).toBe(false);
    expect(satisfiesRange('2.0.0-beta.1', '2.0.0-beta.1')).toBe(true);
  });

  it('throws InvalidArgumentError naming the supported forms for anything else', () => {
    for (const range of ['', 'latest', '^^1.0.0', '1.x.3', '>1.2', '1.0.0 || 2.0.0', '~>1.0.0']) {
      expect(() => satisfiesRange('1.0.0', range), range).toThrow(/invalid version range/);
    }
  });

  it('tells exact versions from ranges', () => {
    expect(isExactVersion('1.2.3')).toBe(true);
    expect(isExactVersion('=1.2.3')).toBe(true);
    expect(isExactVersion('^1.2.3')).toBe(false);
    expect(isExactVersion('1.x')).toBe(false);
  });
});
