// The baselines the columnar engine is measured against, computing exactly what the flights
// workflows compute (windows (end − width, end] ending at multiples of the hour, empty windows
// skipped): tight loops over the typed columns of the flights, and DuckDB (the embedded analytic
// database, `@duckdb/node-api`) on one and on two threads, holding the same flights in a table.

import { DOUBLE, DuckDBDataChunk, DuckDBInstance, VARCHAR } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Flights } from './flights.js';
import { firstAfter } from './flights.js';
import type { Series } from './flights-workflows.js';
import { HOUR } from './flights-workflows.js';
import type { TimeInterval } from '../../src/time/time-interval.js';

/** Hourly mean delay (tumbling) over the flights in `interval`: one pass, sums per hour. */
export function hourlyMeansColumnar(flights: Flights, interval: TimeInterval): Series {
  const from = firstAfter(flights.timestamps, interval.start);
  const to = firstAfter(flights.timestamps, interval.end);
  const h0 = Math.floor(interval.start / HOUR);
  const hours = Math.ceil(interval.end / HOUR) - h0;
  const sum = new Float64Array(hours + 1);
  const n = new Float64Array(hours + 1);
  const ts = flights.timestamps;
  const delay = flights.delay;
  for (let i = from; i < to; i++) {
    const h = Math.ceil(ts[i]! / HOUR) - h0;
    sum[h] = sum[h]! + delay[i]!;
    n[h] = n[h]! + 1;
  }
  const out: Series = [];
  for (let h = 0; h <= hours; h++) if (n[h]! > 0) out.push([(h0 + h) * HOUR, sum[h]! / n[h]!]);
  return out;
}

/**
 * The sliding mean: windows (end − width, end] ending at every hour of `interval`, non-empty ones
 * only, with a running sum over the time-sorted column.
 */
export function slidingMeansColumnar(
  flights: Flights,
  interval: TimeInterval,
  width: number,
): Series {
  const ts = flights.timestamps;
  const delay = flights.delay;
  const out: Series = [];
  let lo = firstAfter(ts, interval.start - width);
  let hi = lo;
  let sum = 0;
  const count = flights.count;
  for (
    let end = Math.floor(interval.start / HOUR) * HOUR + HOUR;
    end <= interval.end;
    end += HOUR
  ) {
    while (hi < count && ts[hi]! <= end) sum += delay[hi++]!;
    while (lo < hi && ts[lo]! <= end - width) sum -= delay[lo++]!;
    if (hi > lo) out.push([end, sum / (hi - lo)]);
  }
  return out;
}

/**
 * The plate workflow's answer (hourly mean per origin airport, then the mean across airports) in
 * one pass: sums and counts per (airport, hour) in flat typed arrays.
 */
export function airportMeansColumnar(flights: Flights, interval: TimeInterval): Series {
  const from = firstAfter(flights.timestamps, interval.start);
  const to = firstAfter(flights.timestamps, interval.end);
  const h0 = Math.floor(interval.start / HOUR);
  const hours = Math.ceil(interval.end / HOUR) - h0 + 1;
  const airports = flights.airports.length;
  const sum = new Float64Array(airports * hours);
  const n = new Uint32Array(airports * hours);
  const ts = flights.timestamps;
  const delay = flights.delay;
  const origin = flights.origin;
  for (let i = from; i < to; i++) {
    const cell = origin[i]! * hours + Math.ceil(ts[i]! / HOUR) - h0;
    sum[cell] = sum[cell]! + delay[i]!;
    n[cell]!++;
  }
  const acrossSum = new Float64Array(hours);
  const acrossN = new Uint32Array(hours);
  for (let a = 0; a < airports; a++) {
    const base = a * hours;
    for (let h = 0; h < hours; h++) {
      const k = n[base + h]!;
      if (k > 0) {
        acrossSum[h] = acrossSum[h]! + sum[base + h]! / k;
        acrossN[h]!++;
      }
    }
  }
  const out: Series = [];
  for (let h = 0; h < hours; h++) {
    if (acrossN[h]! > 0) out.push([(h0 + h) * HOUR, acrossSum[h]! / acrossN[h]!]);
  }
  return out;
}

/** DuckDB holding the flights in a table `flights(t DOUBLE, delay DOUBLE, origin VARCHAR)`. */
export class DuckFlights {
  readonly #instance: DuckDBInstance;
  readonly #connection: DuckDBConnection;

  private constructor(instance: DuckDBInstance, connection: DuckDBConnection) {
    this.#instance = instance;
    this.#connection = connection;
  }

  /** An in-memory database on `threads` threads, loaded with the flights (untimed). */
  static async load(flights: Flights, threads: number): Promise<DuckFlights> {
    const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    const connection = await instance.connect();
    await connection.run('CREATE TABLE flights (t DOUBLE, delay DOUBLE, origin VARCHAR)');
    const appender = await connection.createAppender('flights');
    const size = 2048;
    for (let from = 0; from < flights.count; from += size) {
      const to = Math.min(flights.count, from + size);
      const chunk = DuckDBDataChunk.create([DOUBLE, DOUBLE, VARCHAR], to - from);
      const t: number[] = [];
      const delay: number[] = [];
      const origin: string[] = [];
      for (let i = from; i < to; i++) {
        t.push(flights.timestamps[i]!);
        delay.push(flights.delay[i]!);
        origin.push(flights.airports[flights.origin[i]!]!);
      }
      chunk.setColumns([t, delay, origin]);
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
    return new DuckFlights(instance, connection);
  }

  async #series(sql: string): Promise<Series> {
    const reader = await this.#connection.runAndReadAll(sql);
    return reader.getRowsJS().map((row) => [Number(row[0]), Number(row[1])]);
  }

  /** Hourly mean delay over `interval`. */
  async hourlyMeans(interval: TimeInterval): Promise<Series> {
    return await this.#series(
      `SELECT ceil(t / ${HOUR}) * ${HOUR} AS e, avg(delay) FROM flights
       WHERE t > ${interval.start} AND t <= ${interval.end} GROUP BY 1 ORDER BY 1`,
    );
  }

  /** Hourly mean per origin airport, then the mean across airports, over `interval`. */
  async airportMeans(interval: TimeInterval): Promise<Series> {
    return await this.#series(
      `WITH per AS (
         SELECT origin, ceil(t / ${HOUR}) AS h, avg(delay) AS m FROM flights
         WHERE t > ${interval.start} AND t <= ${interval.end} GROUP BY 1, 2)
       SELECT h * ${HOUR} AS e, avg(m) FROM per GROUP BY h ORDER BY h`,
    );
  }

  /** The sliding mean of `width` (whole hours) ending at every hour of `interval`, non-empty only. */
  async slidingMeans(interval: TimeInterval, width: number): Promise<Series> {
    const span = width / HOUR;
    const first = Math.floor(interval.start / HOUR) + 1;
    const last = Math.floor(interval.end / HOUR);
    return await this.#series(
      `WITH hourly AS (
         SELECT ceil(t / ${HOUR}) AS h, sum(delay) AS s, count(*) AS n FROM flights
         WHERE t > ${interval.start - width} AND t <= ${interval.end} GROUP BY 1),
       grid AS (SELECT range AS h FROM range(${first - span + 1}, ${last + 1})),
       filled AS (SELECT grid.h, coalesce(s, 0) AS s, coalesce(n, 0) AS n FROM grid LEFT JOIN hourly USING (h)),
       windows AS (
         SELECT h, sum(s) OVER w AS ws, sum(n) OVER w AS wn FROM filled
         WINDOW w AS (ORDER BY h ROWS BETWEEN ${span - 1} PRECEDING AND CURRENT ROW))
       SELECT h * ${HOUR} AS e, ws / wn FROM windows WHERE wn > 0 AND h >= ${first} ORDER BY h`,
    );
  }

  close(): void {
    this.#connection.closeSync();
    this.#instance.closeSync();
  }
}
