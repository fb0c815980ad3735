// No hang on long input: every text parser handles 50,000 characters of a repeated near-valid
// fragment in linear time (a backtracking pattern would take seconds to minutes).
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/channels/file-channel.js';
import { parseTimestampedFileName } from '../../../src/channels/file-name.js';
import {
  InvalidCsvError,
  InvalidDurationError,
  InvalidIntervalError,
  InvalidStreamIdError,
  InvalidTimestampError,
} from '../../../src/errors.js';
import { parseCron } from '../../../src/online/cron.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { VirtualClock } from '../../../src/time/clock.js';
import { parseIsoDuration } from '../../../src/time/duration.js';
import { parseTimeInterval } from '../../../src/time/parse-interval.js';
import { RelativeTimeInterval } from '../../../src/time/relative-time-interval.js';
import { toTimestamp } from '../../../src/time/timestamp.js';
import { DATE_PARSERS } from '../../../src/tools/csv.js';
import { parseModuleFileName } from '../../../src/channels/module-file-name.js';
import { outcome } from './typed-error.js';

const clock = new VirtualClock(0);
const typed = [
  InvalidIntervalError,
  InvalidDurationError,
  InvalidTimestampError,
  InvalidStreamIdError,
];

/** Each parser, called so that any typed rejection counts as handled. */
const PARSERS: Record<string, (text: string) => unknown> = {
  parseTimeInterval: (t) => outcome(() => parseTimeInterval(t, { clock }), typed),
  'RelativeTimeInterval.parse': (t) => outcome(() => RelativeTimeInterval.parse(t), typed),
  parseIsoDuration: (t) => outcome(() => parseIsoDuration(t), typed),
  toTimestamp: (t) => outcome(() => toTimestamp(t), typed),
  'StreamId.parse': (t) => outcome(() => StreamId.parse(t), typed),
  'StreamId.of': (t) => outcome(() => StreamId.of(t, { [t]: t }), typed),
  parseTimestampedFileName,
  parseModuleFileName,
  parseCsv: (t) => outcome(() => parseCsv(t, ','), [InvalidCsvError]),
  'parseCsv (semicolons)': (t) => outcome(() => parseCsv(t, ';'), [InvalidCsvError]),
  'DATE_PARSERS.iso': (t) => outcome(() => DATE_PARSERS.iso(t), typed),
  'DATE_PARSERS.epochMs': (t) => outcome(() => DATE_PARSERS.epochMs(t), typed),
  'DATE_PARSERS.epochS': (t) => outcome(() => DATE_PARSERS.epochS(t), typed),
  'DATE_PARSERS.yyyyMmm': (t) => outcome(() => DATE_PARSERS.yyyyMmm(t), typed),
  parseCron: (t) => {
    try {
      return parseCron(t);
    } catch (error) {
      return error;
    }
  },
};

const FRAGMENTS = [
  '1',
  '0',
  '.',
  'e',
  '-',
  '+',
  ':',
  'T',
  'P',
  'PT1H',
  '_',
  '2016-04-28',
  ',',
  '"',
  '[',
  '=',
  '%',
  'a',
  ' ',
  '*',
  '/',
];

describe('long input (no hang)', { timeout: 120_000 }, () => {
  // Exhaustive rather than random: a slow case needs one parser, one fragment and one ending
  // together (e.g. epochMs on "111…1x"), too rare for random sampling to meet reliably.
  it('every parser reads 50,000 characters of any repeated fragment in well under a second', () => {
    const slow: string[] = [];
    let calls = 0;
    for (const [name, parse] of Object.entries(PARSERS)) {
      for (const fragment of FRAGMENTS) {
        for (const head of ['', '2016-04-28T']) {
          for (const tail of ['', 'x', '/PT1H', ']']) {
            const text = head + fragment.repeat(Math.ceil(50_000 / fragment.length)) + tail;
            const started = performance.now();
            parse(text);
            calls++;
            const ms = performance.now() - started;
            // Linear parsing takes a millisecond or so; quadratic backtracking takes seconds.
            if (ms > 500)
              slow.push(
                `${name}(${JSON.stringify(`${head}${fragment}…${tail}`)}): ${ms.toFixed(0)} ms`,
              );
          }
        }
      }
    }
    expect(slow).toEqual([]);
    expect(calls).toBe(Object.keys(PARSERS).length * FRAGMENTS.length * 8);
  });
});
