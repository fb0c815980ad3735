import { describe, expect, it } from 'vitest';
import {
  extensionOf,
  isFileNameRejection,
  parseIsoDateTime,
  parseTimestampedFileName,
} from '../../../src/channels/file-name.js';
import { MIN_DATE } from '../../../src/time/timestamp.js';

describe('parseTimestampedFileName', () => {
  it('reads HyperStream names yyyy_mm_dd_hh_mm_ss_mmm_<rest>', () => {
    expect(parseTimestampedFileName('2016_04_28_20_00_00_123_reading.json')).toEqual({
      timestamp: Date.UTC(2016, 3, 28, 20, 0, 0, 123),
      rest: 'reading.json',
      extension: '.json',
    });
  });

  it('accepts a bare timestamp followed by the extension', () => {
    expect(parseTimestampedFileName('2016_04_28_20_00_00_000.CSV')).toMatchObject({
      timestamp: Date.UTC(2016, 3, 28, 20),
      rest: '.CSV',
      extension: '.csv',
    });
  });

  it('reads ISO date prefixes, with optional extended or compact UTC times', () => {
    expect(parseTimestampedFileName('2016-04-29_summary.txt')).toMatchObject({
      timestamp: Date.UTC(2016, 3, 29),
      rest: 'summary.txt',
    });
    expect(parseTimestampedFileName('2016-07-13T1058Z_x.json')).toMatchObject({
      timestamp: Date.UTC(2016, 6, 13, 10, 58),
    });
    expect(parseTimestampedFileName('2016-07-13T10:58:30.5Z.json')).toMatchObject({
      timestamp: Date.UTC(2016, 6, 13, 10, 58, 30, 500),
      extension: '.json',
    });
  });

  it('rejects names without a time prefix, with a reason naming the accepted forms', () => {
    const result = parseTimestampedFileName('reading.json');
    expect(isFileNameRejection(result)).toBe(true);
    expect((result as { reason: string }).reason).toMatch(/yyyy_mm_dd_hh_mm_ss_mmm/);
  });

  it('rejects a prefix glued to more digits or letters', () => {
    expect(isFileNameRejection(parseTimestampedFileName('2016_04_28_20_00_00_0001.json'))).toBe(
      true,
    );
    expect(isFileNameRejection(parseTimestampedFileName('2016-04-29summary.txt'))).toBe(true);
  });

  it('rejects impossible dates and times instead of rolling them over', () => {
    for (const name of [
      '2016_13_01_00_00_00_000.json',
      '2016_02_30_00_00_00_000.json',
      '2015-02-29_x.txt',
      '2016_04_28_24_00_00_000.json',
      '2016_04_28_20_60_00_000.json',
    ]) {
      const result = parseTimestampedFileName(name);
      expect(isFileNameRejection(result), name).toBe(true);
      expect((result as { reason: string }).reason).toMatch(/not a real date/);
    }
    expect(isFileNameRejection(parseTimestampedFileName('2016-02-29_leap.txt'))).toBe(false);
  });

  it('handles years before 100 (no two-digit-year rollover)', () => {
    expect(parseTimestampedFileName('0001_01_01_00_00_00_001.json')).toMatchObject({
      timestamp: MIN_DATE + 1,
    });
  });
});

describe('parseIsoDateTime', () => {
  it('needs the whole text to be a date', () => {
    expect(parseIsoDateTime('2024-01-15')).toBe(Date.UTC(2024, 0, 15));
    expect(isFileNameRejection(parseIsoDateTime('2024-01-15x'))).toBe(true);
    expect(isFileNameRejection(parseIsoDateTime('20240115'))).toBe(true);
  });
});

describe('extensionOf', () => {
  it('is the last dot part, lower-cased, and empty for dotfiles and names without one', () => {
    expect(extensionOf('a.b.JSON')).toBe('.json');
    expect(extensionOf('.hidden')).toBe('');
    expect(extensionOf('plain')).toBe('');
  });
});
