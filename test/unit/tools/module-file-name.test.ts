import { describe, expect, it } from 'vitest';
import { isFileNameRejection } from '../../../src/channels/file-name.js';
import {
  formatModuleFileName,
  parseModuleFileName,
} from '../../../src/channels/module-file-name.js';

function reason(name: string): string {
  const result = parseModuleFileName(name);
  if (!isFileNameRejection(result)) throw new Error(`${name} was accepted`);
  return result.reason;
}

describe('parseModuleFileName', () => {
  it('reads <ISO date>_v<semver>.ts', () => {
    expect(parseModuleFileName('2024-01-15_v1.0.0.ts')).toEqual({
      timestamp: Date.UTC(2024, 0, 15),
      version: '1.0.0',
      extension: '.ts',
    });
  });

  it('accepts .mts, .js and .mjs, pre-release versions and compact date-times', () => {
    expect(parseModuleFileName('2024-01-15_v1.0.0.mjs')).toMatchObject({ extension: '.mjs' });
    expect(parseModuleFileName('2024-01-15_v1.0.0.js')).toMatchObject({ extension: '.js' });
    expect(parseModuleFileName('2024-01-15_v1.0.0.mts')).toMatchObject({ extension: '.mts' });
    expect(parseModuleFileName('2024-01-15_v2.0.0-beta.1.ts')).toMatchObject({
      version: '2.0.0-beta.1',
    });
    expect(parseModuleFileName('2016-07-13T1058Z_v0.1.0.ts')).toMatchObject({
      timestamp: Date.UTC(2016, 6, 13, 10, 58),
      version: '0.1.0',
    });
  });

  it('rejects other files with a reason', () => {
    expect(reason('2024-01-15_v1.0.0.d.ts')).toMatch(/declaration/);
    expect(reason('2024-01-15_v1.0.0.ts~HEAD')).toMatch(/code module/);
    expect(reason('2024-01-15_v1.0.0.py')).toMatch(/code module/);
    expect(reason('2024-01-15_1.0.0.ts')).toMatch(/_v<version>/);
    expect(reason('index.ts')).toMatch(/_v<version>/);
    expect(reason('2024-01-15_v1.0.ts')).toMatch(/semantic version/);
    expect(reason('2024-01-15_v01.0.0.ts')).toMatch(/semantic version/);
    expect(reason('2024-02-30_v1.0.0.ts')).toMatch(/not a real date/);
    expect(reason('2024_01_15_00_00_00_000_v1.0.0.ts')).toMatch(/ISO date/);
  });

  it('round-trips through formatModuleFileName', () => {
    for (const t of [
      Date.UTC(2024, 0, 15),
      Date.UTC(2016, 6, 13, 10, 58),
      Date.UTC(2016, 6, 13, 10, 58, 7, 250),
    ]) {
      const name = formatModuleFileName(t, '1.2.3');
      expect(name).not.toContain(':');
      expect(parseModuleFileName(name)).toEqual({
        timestamp: t,
        version: '1.2.3',
        extension: '.ts',
      });
    }
    expect(formatModuleFileName(Date.UTC(2024, 0, 15), '1.0.0')).toBe('2024-01-15_v1.0.0.ts');
  });
});
