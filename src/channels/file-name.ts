import { MAX_DATE, MIN_DATE } from '../time/timestamp.js';

/** A file name read as a document: its time, what follows the time, and its extension. */
export interface TimestampedFileName {
  /** Epoch ms (UTC) of the time prefix. */
  readonly timestamp: number;
  /** The part after the time prefix and its `_` separator, extension included (may be empty). */
  readonly rest: string;
  /** The lower-cased extension with its dot (`.json`), or `''`. */
  readonly extension: string;
}

/** Why a file name was not accepted: a sentence for `onFileIgnored`. */
export interface FileNameRejection {
  readonly reason: string;
}

// HyperStream's form: yyyy_mm_dd_hh_mm_ss_mmm, then the end, `_` or `.`.
const UNDERSCORED = /^(\d{4})_(\d{2})_(\d{2})_(\d{2})_(\d{2})_(\d{2})_(\d{3})(?=$|[_.])/;
// ISO date, optionally with a UTC time in extended (10:58:00.123) or compact (1058) form.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):?(\d{2})(?::?(\d{2})(?:\.(\d{1,3}))?)?Z)?(?=$|[_.])/;

/** The accepted time prefixes, for messages. */
export const TIMESTAMP_PREFIX_FORMS = 'yyyy_mm_dd_hh_mm_ss_mmm or YYYY-MM-DD[THH:MM[:SS[.mmm]]Z]';

/**
 * Reads the time at the start of a file name: `2016_04_28_20_00_00_000_reading.json` or
 * `2016-04-28_notes.txt` (UTC). Returns why not when the name does not start with a valid time.
 */
export function parseTimestampedFileName(
  fileName: string,
): TimestampedFileName | FileNameRejection {
  const match = UNDERSCORED.exec(fileName) ?? ISO.exec(fileName);
  if (!match) {
    return { reason: `file name does not start with a time (${TIMESTAMP_PREFIX_FORMS})` };
  }
  const timestamp = utcFromParts(match.slice(1, 8));
  if (typeof timestamp !== 'number') return timestamp;
  // Windows are (start, end] and never start before MIN_DATE: a document there could not be read.
  if (timestamp === MIN_DATE) {
    return { reason: 'the time in the file name must be after 0001-01-01T00:00:00.000Z' };
  }
  const rest = fileName.slice(match[0].length).replace(/^_/, '');
  return { timestamp, rest, extension: extensionOf(fileName) };
}

/**
 * Reads an ISO 8601 UTC date or date-time written whole (`2024-01-15`, `2016-07-13T1058Z`,
 * `2016-07-13T10:58:00.000Z`) as epoch ms, or returns why not.
 */
export function parseIsoDateTime(text: string): number | FileNameRejection {
  const match = ISO.exec(text);
  if (!match || match[0].length !== text.length) {
    return { reason: `"${text}" is not an ISO date such as 2024-01-15 or 2024-01-15T10:58Z` };
  }
  return utcFromParts(match.slice(1, 8));
}

/** The lower-cased extension of a file name with its dot, or `''`. */
export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot).toLowerCase() : '';
}

/** Type guard for a rejected name. */
export function isFileNameRejection(value: unknown): value is FileNameRejection {
  return typeof value === 'object' && value !== null && 'reason' in value;
}

function utcFromParts(parts: readonly (string | undefined)[]): number | FileNameRejection {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts
    .slice(0, 6)
    .map((p) => (p === undefined ? 0 : Number(p)));
  // `.5` is 500 ms, not 5.
  const millis = parts[6] === undefined ? 0 : Number(parts[6].padEnd(3, '0'));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const t = date.getTime();
  // Date rolls 2016-02-30 over to March: a round trip catches impossible dates and times.
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    date.getUTCSeconds() !== second
  ) {
    return {
      reason: `the time in the file name is not a real date or time (${parts.slice(0, 3).join('-')})`,
    };
  }
  if (t < MIN_DATE || t > MAX_DATE) {
    return { reason: 'the time in the file name is outside 0001-01-01 … 9999-12-31' };
  }
  return t;
}
