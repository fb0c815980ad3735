// Bad input to the file-name readers of the File, Module and Tool channels: any name is read or
// rejected with a reason, never thrown on; generated valid names read back exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  extensionOf,
  isFileNameRejection,
  parseTimestampedFileName,
} from '../../../src/channels/file-name.js';
import {
  formatModuleFileName,
  parseModuleFileName,
} from '../../../src/channels/module-file-name.js';
import { MAX_DATE, MIN_DATE, formatTimestamp } from '../../../src/time/timestamp.js';
import { RUNS, inRangeTimestamp, nearValid } from './typed-error.js';

const NAME_FRAGMENTS = [
  '2016_04_28_20_00_00_000',
  '2016-04-28',
  'T20:00:00Z',
  'T2000Z',
  'T200000.5Z',
  '_',
  '-',
  '.',
  '.json',
  '.ts',
  '.d.ts',
  '.mjs',
  '.ts~',
  '_v',
  '_v1.0.0',
  '1.0.0-beta.1',
  '01.0.0',
  '0000',
  '9999',
  '99',
  '00',
  '13',
  '31',
  '24',
  '60',
  '../',
  '\u0000',
  ' ',
];

const version = fc
  .tuple(fc.nat({ max: 999 }), fc.nat({ max: 999 }), fc.nat({ max: 999 }), fc.boolean())
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-rc.${a}` : ''}`);
const rest = fc.stringMatching(/^[a-z0-9_.-]{0,12}$/);

/** `yyyy_mm_dd_hh_mm_ss_mmm` of a timestamp, HyperStream's form. */
function underscored(t: number): string {
  return formatTimestamp(t)
    .slice(0, 23)
    .replace(/[-T:.]/g, '_');
}

function isWellFormedTime(t: number, after = MIN_DATE - 1): boolean {
  return Number.isInteger(t) && t > after && t <= MAX_DATE;
}

/** Times a document can have: windows are (start, end], so never MIN_DATE itself. */
const documentTime = fc.integer({ min: MIN_DATE + 1, max: MAX_DATE });

describe('file names (bad input)', () => {
  const anyName = nearValid(
    fc.tuple(documentTime, rest).map(([t, r]) => `${underscored(t)}_${r}`),
    NAME_FRAGMENTS,
  );

  it('parseTimestampedFileName: any name gives a time in range or a reason, never an exception', () => {
    fc.assert(
      fc.property(fc.oneof(anyName, fc.string({ unit: 'binary', maxLength: 40 })), (name) => {
        const result = parseTimestampedFileName(name);
        if (isFileNameRejection(result)) {
          expect(result.reason.length).toBeGreaterThan(0);
        } else {
          expect(isWellFormedTime(result.timestamp, MIN_DATE)).toBe(true);
          expect(result.extension).toBe(extensionOf(name));
          expect(name.endsWith(result.rest)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('parseTimestampedFileName: yyyy_mm_dd_hh_mm_ss_mmm_<rest> and ISO prefixes read back exactly', () => {
    fc.assert(
      fc.property(documentTime, rest, (t, r) => {
        const name = `${underscored(t)}_${r}`;
        expect(parseTimestampedFileName(name)).toEqual({
          timestamp: t,
          rest: r,
          extension: extensionOf(name),
        });
        const iso = `${formatTimestamp(t)}_${r}`;
        expect(parseTimestampedFileName(iso)).toMatchObject({ timestamp: t, rest: r });
      }),
      { numRuns: RUNS },
    );
  });

  it('parseModuleFileName: any name gives a date and semantic version or a reason', () => {
    const moduleName = nearValid(
      fc
        .tuple(inRangeTimestamp, version, fc.constantFrom('.ts', '.mts', '.js', '.mjs'))
        .map(([t, v, ext]) => formatModuleFileName(t, v, ext)),
      NAME_FRAGMENTS,
    );
    fc.assert(
      fc.property(fc.oneof(moduleName, fc.string({ unit: 'binary', maxLength: 40 })), (name) => {
        const result = parseModuleFileName(name);
        if (isFileNameRejection(result)) {
          expect(result.reason.length).toBeGreaterThan(0);
        } else {
          expect(isWellFormedTime(result.timestamp)).toBe(true);
          expect(name.endsWith(`_v${result.version}${result.extension}`)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('formatModuleFileName then parseModuleFileName gives back the time, version and extension', () => {
    fc.assert(
      fc.property(
        inRangeTimestamp,
        version,
        fc.constantFrom('.ts', '.mts', '.js', '.mjs'),
        (t, v, extension) => {
          const name = formatModuleFileName(t, v, extension);
          expect(name).not.toMatch(/[:/\\]/);
          expect(parseModuleFileName(name)).toEqual({ timestamp: t, version: v, extension });
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// Counterexamples the properties found, kept as plain examples.
describe('regressions found by the bad-input properties', () => {
  it('a document named at MIN_DATE is rejected: no (start, end] window could read it', () => {
    expect(parseTimestampedFileName('0001_01_01_00_00_00_000_a.json')).toHaveProperty('reason');
    expect(parseTimestampedFileName('0001_01_01_00_00_00_001_a.json')).toMatchObject({
      timestamp: MIN_DATE + 1,
    });
  });
});
