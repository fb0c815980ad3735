// The 3,000,000 US flights of vega-datasets (2001-01-01 … 2001-07-01), decoded once from parquet
// and cached as typed arrays under .cache/flights/ so later runs load them in a fraction of a second.

import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DecodedArray } from 'hyparquet';
import { parquetRead } from 'hyparquet';
import { asyncBufferFromFile } from 'hyparquet/src/node.js';
import { compressors } from 'hyparquet-compressors';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import type { Batch } from '../../src/streams/batch.js';
import { makeBatch, numberColumn, structColumn } from '../../src/streams/batch.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the compact form is cached (git-ignored). */
export const FLIGHTS_CACHE_DIR = path.join(ROOT, '.cache', 'flights');
/** Bump when the cached layout or the timestamp rule changes. */
const CACHE_VERSION = 2;
const MINUTE = 60_000;

/**
 * Flights sorted by time, column by column.
 *
 * Many flights share a scheduled minute, but a stream holds one instance per timestamp. So each
 * flight's timestamp is its minute minus, in milliseconds, the number of flights after it in that
 * minute (file order): timestamps are unique and strictly increasing, and every flight stays
 * inside the half-open minute `(minute − 1 min, minute]` it was scheduled in, so any window on
 * whole minutes (hours, days, months) holds exactly the flights it would hold with the original
 * times.
 */
export interface Flights {
  readonly count: number;
  /** Epoch ms, strictly increasing. */
  readonly timestamps: Float64Array;
  /** Departure delay in minutes (negative: early). */
  readonly delay: Int16Array;
  /** Miles. */
  readonly distance: Int16Array;
  /** Index into {@link Flights.airports}. */
  readonly origin: Uint16Array;
  /** Index into {@link Flights.airports}. */
  readonly destination: Uint16Array;
  /** IATA codes of every origin and destination, sorted. */
  readonly airports: readonly string[];
}

export interface LoadFlightsOptions {
  /** Only the first (earliest) `rows` flights. */
  readonly rows?: number;
  /** Only flights of this month of 2001 (1–6), i.e. inside `(month start, next month start]`. */
  readonly month?: number;
  /** Ignore the cache and decode the parquet file again (and refresh the cache). */
  readonly refresh?: boolean;
  /**
   * Decode only the first `sample` rows of the file, never cached: a quick real sample for tests
   * (`--tiny`). The file's row groups are not in date order, so this is not the same as `rows`.
   */
  readonly sample?: number;
}

export interface LoadedFlights {
  readonly flights: Flights;
  /** Milliseconds spent decoding the parquet file (or the sample), now or when the cache was made. */
  readonly decodeMs: number;
  /** Milliseconds spent loading the cache (undefined when it was decoded instead). */
  readonly cacheLoadMs: number | undefined;
  /** `cache`; `parquet` (decoded and cached); `sample` (the start of the file, not cached). */
  readonly source: 'cache' | 'parquet' | 'sample';
}

/** Path of `flights-3m.parquet` in the installed vega-datasets package. */
export function flightsParquetPath(): string {
  // The package exports only its JS entry (build/index.js); the data folder sits beside build/.
  const entry = createRequire(import.meta.url).resolve('vega-datasets');
  return path.join(path.dirname(entry), '..', 'data', 'flights-3m.parquet');
}

/** Start of a month of 2001 in epoch ms (month 1–7; 7 is the end of the data). */
export function monthStart(month: number): number {
  return Date.UTC(2001, month - 1, 1);
}

/** Loads the flights, from the cache when it is current, else from parquet (then caches them). */
export async function loadFlights(options: LoadFlightsOptions = {}): Promise<LoadedFlights> {
  const source = flightsParquetPath();
  const started = performance.now();
  if (options.sample !== undefined) {
    const flights = await decodeParquet(source, options.sample);
    return {
      flights: select(flights, options),
      decodeMs: performance.now() - started,
      cacheLoadMs: undefined,
      source: 'sample',
    };
  }
  const cached = options.refresh ? undefined : await readCache(source);
  if (cached) {
    return {
      flights: select(cached.flights, options),
      decodeMs: cached.decodeMs,
      cacheLoadMs: performance.now() - started,
      source: 'cache',
    };
  }
  const flights = await decodeParquet(source);
  const decodeMs = performance.now() - started;
  await writeCache(source, flights, decodeMs);
  return { flights: select(flights, options), decodeMs, cacheLoadMs: undefined, source: 'parquet' };
}

/** One flight as a stream value. */
export interface Flight {
  readonly delay: number;
  readonly distance: number;
  readonly origin: string;
  readonly destination: string;
}

/** The flights as stream instances (one object per flight, as a user's ingest would build them). */
export function flightInstances(flights: Flights): StreamInstance<Flight>[] {
  const out = new Array<StreamInstance<Flight>>(flights.count);
  for (let i = 0; i < flights.count; i++) {
    out[i] = {
      timestamp: flights.timestamps[i]!,
      value: {
        delay: flights.delay[i]!,
        distance: flights.distance[i]!,
        origin: flights.airports[flights.origin[i]!]!,
        destination: flights.airports[flights.destination[i]!]!,
      },
    };
  }
  return out;
}

/**
 * The flights as one column batch (what a columnar ingest, e.g. from parquet, writes): a struct
 * column with the fields of {@link Flight} in the same order, origin and destination
 * dictionary-encoded over the airport codes. Same instances as {@link flightInstances}.
 */
export function flightsBatch(flights: Flights): Batch {
  const dictionary = flights.airports;
  return makeBatch(
    flights.timestamps,
    structColumn({
      delay: numberColumn(Float64Array.from(flights.delay)),
      distance: numberColumn(Float64Array.from(flights.distance)),
      origin: { type: 'string', codes: Uint32Array.from(flights.origin), dictionary },
      destination: { type: 'string', codes: Uint32Array.from(flights.destination), dictionary },
    }),
  );
}

/** A contiguous slice of the flights (views, no copy). */
export function sliceFlights(flights: Flights, from: number, to: number): Flights {
  return {
    count: Math.max(0, to - from),
    timestamps: flights.timestamps.subarray(from, to),
    delay: flights.delay.subarray(from, to),
    distance: flights.distance.subarray(from, to),
    origin: flights.origin.subarray(from, to),
    destination: flights.destination.subarray(from, to),
    airports: flights.airports,
  };
}

function select(flights: Flights, options: LoadFlightsOptions): Flights {
  let out = flights;
  if (options.month !== undefined) {
    if (!Number.isInteger(options.month) || options.month < 1 || options.month > 6) {
      throw new RangeError(
        `flights month ${options.month}: expected 1 to 6 (January to June 2001)`,
      );
    }
    const from = firstAfter(out.timestamps, monthStart(options.month));
    const to = firstAfter(out.timestamps, monthStart(options.month + 1));
    out = sliceFlights(out, from, to);
  }
  if (options.rows !== undefined) out = sliceFlights(out, 0, Math.min(out.count, options.rows));
  return out;
}

/** Index of the first timestamp > t. */
export function firstAfter(timestamps: Float64Array, t: number): number {
  let lo = 0;
  let hi = timestamps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timestamps[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Decodes the file, or only its first `rowEnd` rows. */
async function decodeParquet(source: string, rowEnd?: number): Promise<Flights> {
  const file = await asyncBufferFromFile(source);
  const columns = ['date', 'delay', 'distance', 'origin', 'destination'] as const;
  const chunks = new Map<string, { rowStart: number; data: DecodedArray }[]>(
    columns.map((c) => [c, []]),
  );
  await parquetRead({
    file,
    columns: [...columns],
    compressors,
    ...(rowEnd === undefined ? {} : { rowStart: 0, rowEnd }),
    // Microseconds since the epoch as a number of ms, not a Date per row.
    parsers: { timestampFromMicroseconds: (micros: bigint) => Number(micros / 1000n) },
    onChunk: ({ columnName, columnData, rowStart }) => {
      chunks.get(columnName)?.push({ rowStart, data: columnData });
    },
  });
  const column = (name: string): unknown[] => {
    const parts = (chunks.get(name) ?? []).sort((a, b) => a.rowStart - b.rowStart);
    const out: unknown[] = [];
    for (const { data } of parts) for (let i = 0; i < data.length; i++) out.push(data[i]);
    return out;
  };
  const date = column('date');
  const delay = column('delay');
  const distance = column('distance');
  const origin = column('origin');
  const destination = column('destination');
  const decoded = date.length;
  for (const [name, values] of [
    ['delay', delay],
    ['distance', distance],
    ['origin', origin],
    ['destination', destination],
  ] as const) {
    if (values.length !== decoded)
      throw new Error(
        `flights parquet: column ${name} has ${values.length} rows, date has ${decoded}`,
      );
  }
  // hyparquet hands over whole pages, which may run past rowEnd.
  const n = Math.min(decoded, rowEnd ?? decoded);

  const airports = [...new Set([...(origin as string[]), ...(destination as string[])])].sort();
  const airportIndex = new Map(airports.map((code, i) => [code, i]));
  const minutes = new Float64Array(n);
  for (let i = 0; i < n; i++) minutes[i] = toMs(date[i], i);

  // Stable sort by time keeps the file's order within a minute, so the ranks are reproducible.
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => minutes[a]! - minutes[b]! || a - b);

  const flights = {
    count: n,
    timestamps: new Float64Array(n),
    delay: new Int16Array(n),
    distance: new Int16Array(n),
    origin: new Uint16Array(n),
    destination: new Uint16Array(n),
    airports,
  };
  for (let group = 0; group < n;) {
    const minute = minutes[order[group]!]!;
    let groupEnd = group + 1;
    while (groupEnd < n && minutes[order[groupEnd]!] === minute) groupEnd++;
    const size = groupEnd - group;
    if (size > MINUTE)
      throw new Error(`flights parquet: more than ${MINUTE} flights in the minute ${minute}`);
    for (let k = group; k < groupEnd; k++) {
      const i = order[k]!;
      // The last flight of the minute keeps the minute; earlier ones step back 1 ms each.
      flights.timestamps[k] = minute - (groupEnd - 1 - k);
      flights.delay[k] = toInt16(delay[i], 'delay', i);
      flights.distance[k] = toInt16(distance[i], 'distance', i);
      flights.origin[k] = airportIndex.get(origin[i] as string)!;
      flights.destination[k] = airportIndex.get(destination[i] as string)!;
    }
    group = groupEnd;
  }
  return flights;
}

function toMs(value: unknown, row: number): number {
  const ms = typeof value === 'number' ? value : value instanceof Date ? value.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new Error(`flights parquet: row ${row} has no date`);
  return ms;
}

function toInt16(value: unknown, column: string, row: number): number {
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : NaN;
  if (!Number.isInteger(n) || n < -32768 || n > 32767) {
    throw new Error(
      `flights parquet: row ${row} ${column} ${String(value)} does not fit a 16-bit integer`,
    );
  }
  return n;
}

// --- cache: one binary file per column plus a JSON header, invalidated by the source's size and mtime

interface CacheHeader {
  version: number;
  sourceSize: number;
  sourceMtimeMs: number;
  count: number;
  airports: string[];
  decodeMs: number;
}

const COLUMN_FILES = ['timestamps', 'delay', 'distance', 'origin', 'destination'] as const;

async function sourceStamp(source: string): Promise<{ sourceSize: number; sourceMtimeMs: number }> {
  const info = await stat(source);
  return { sourceSize: info.size, sourceMtimeMs: Math.floor(info.mtimeMs) };
}

async function readCache(
  source: string,
): Promise<{ flights: Flights; decodeMs: number } | undefined> {
  let header: CacheHeader;
  try {
    header = JSON.parse(
      await readFile(path.join(FLIGHTS_CACHE_DIR, 'header.json'), 'utf8'),
    ) as CacheHeader;
  } catch {
    return undefined;
  }
  const stamp = await sourceStamp(source);
  if (
    header.version !== CACHE_VERSION ||
    header.sourceSize !== stamp.sourceSize ||
    header.sourceMtimeMs !== stamp.sourceMtimeMs
  ) {
    return undefined;
  }
  const buffers = await Promise.all(
    COLUMN_FILES.map((name) => readFile(path.join(FLIGHTS_CACHE_DIR, `${name}.bin`))),
  );
  // A view on the file's buffer when aligned (large reads are), else a copy.
  const view = <T>(
    i: number,
    Type: new (b: ArrayBuffer, offset?: number, length?: number) => T,
    bytes: number,
  ): T => {
    const b = buffers[i]!;
    if (b.byteOffset % bytes === 0) return new Type(b.buffer, b.byteOffset, b.byteLength / bytes);
    return new Type(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
  const flights: Flights = {
    count: header.count,
    timestamps: view(0, Float64Array, 8),
    delay: view(1, Int16Array, 2),
    distance: view(2, Int16Array, 2),
    origin: view(3, Uint16Array, 2),
    destination: view(4, Uint16Array, 2),
    airports: header.airports,
  };
  return flights.timestamps.length === header.count
    ? { flights, decodeMs: header.decodeMs }
    : undefined;
}

async function writeCache(source: string, flights: Flights, decodeMs: number): Promise<void> {
  await mkdir(FLIGHTS_CACHE_DIR, { recursive: true });
  const arrays = [
    flights.timestamps,
    flights.delay,
    flights.distance,
    flights.origin,
    flights.destination,
  ];
  await Promise.all(
    COLUMN_FILES.map((name, i) => {
      const a = arrays[i]!;
      return writeAtomically(
        path.join(FLIGHTS_CACHE_DIR, `${name}.bin`),
        new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
      );
    }),
  );
  const header: CacheHeader = {
    version: CACHE_VERSION,
    ...(await sourceStamp(source)),
    count: flights.count,
    airports: [...flights.airports],
    decodeMs,
  };
  // The header goes last so a half-written cache is never taken as current.
  await writeAtomically(path.join(FLIGHTS_CACHE_DIR, 'header.json'), JSON.stringify(header));
}

/** Write then rename, so a concurrent reader (another bench or test process) sees old or new. */
async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}
