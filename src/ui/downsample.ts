// Min/max downsampling of a stream window for plots: one streaming pass over the window's column
// batches (zero-copy chunks of a columnar store: no object per instance), one bucket per pixel, so
// the browser never receives more than a few thousand points however many millions the window
// holds. Pure over an async iterable of batches.
import { InvalidArgumentError } from '../errors.js';
import type { Batch, Column } from '../streams/batch.js';
import { columnLength, fieldColumn, numbersOf, valueAt } from '../streams/batch.js';
import type { TimeInterval } from '../time/time-interval.js';
import type { DownsampledSeries } from './api-types.js';

/** The most buckets (pixels) a plot may ask for: at most 2 points each, plus gap markers. */
export const MAX_BUCKETS = 1600;
/**
 * The most points {@link downsample} returns: 2 per bucket (a gap marker stands in an empty
 * bucket, which has none of its own).
 */
export const MAX_POINTS = MAX_BUCKETS * 2;

/** How to downsample. */
export interface DownsampleOptions {
  /** The window `(start, end]` the batches cover; buckets divide it evenly. */
  readonly window: TimeInterval;
  /** Pixel buckets, 1 to {@link MAX_BUCKETS}. */
  readonly buckets: number;
  /** The key (or dotted path) of object values to plot; the value itself when omitted. */
  readonly field?: string | undefined;
}

const FIELD_SAMPLE = 64;

/**
 * Reads `batches` once and returns at most {@link MAX_POINTS} points: every numeric point when
 * there are at most `2 × buckets` of them, otherwise per bucket its minimum and maximum (in time
 * order), with a `null` point in each stretch of empty buckets so the line shows the hole.
 */
export async function downsample(
  batches: AsyncIterable<Batch>,
  options: DownsampleOptions,
): Promise<DownsampledSeries> {
  const { window } = options;
  const buckets = options.buckets;
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > MAX_BUCKETS) {
    throw new InvalidArgumentError(
      `invalid number of buckets ${String(buckets)}: expected an integer from 1 to ${String(MAX_BUCKETS)}`,
      { buckets },
    );
  }
  const path = options.field === undefined || options.field === '' ? [] : options.field.split('.');
  const rawLimit = 2 * buckets;
  let rawT: number[] | undefined = [];
  let rawV: number[] | undefined = [];
  const minV = new Float64Array(buckets).fill(Infinity);
  const maxV = new Float64Array(buckets).fill(-Infinity);
  const minT = new Float64Array(buckets);
  const maxT = new Float64Array(buckets);
  const start = window.start;
  const width = Math.max(1, window.end - window.start);
  const scale = buckets / width;
  const fields = new Set<string>();
  let sampled = 0;
  let count = 0;
  let numeric = 0;
  let min = Infinity;
  let max = -Infinity;

  for await (const batch of batches) {
    const n = batch.length;
    count += n;
    if (sampled < FIELD_SAMPLE)
      sampled += sampleFields(batch.values, FIELD_SAMPLE - sampled, fields);
    // A number column (or a struct's number field) is read in place; NaN stands for "no number".
    const ys = numbersOf(columnAt(batch.values, path));
    const ts = batch.timestamps;
    for (let i = 0; i < n; i++) {
      const y = ys[i]!;
      // Finite numbers only: NaN and ±Infinity fail this test.
      if (!(y - y === 0)) continue;
      const timestamp = ts[i]!;
      numeric++;
      if (y < min) min = y;
      if (y > max) max = y;
      if (rawT) {
        if (rawT.length < rawLimit) {
          rawT.push(timestamp);
          rawV!.push(y);
        } else {
          rawT = undefined;
          rawV = undefined;
        }
      }
      let b = Math.floor((timestamp - start) * scale);
      if (b >= buckets) b = buckets - 1;
      else if (b < 0) b = 0;
      if (y < minV[b]!) {
        minV[b] = y;
        minT[b] = timestamp;
      }
      if (y > maxV[b]!) {
        maxV[b] = y;
        maxT[b] = timestamp;
      }
    }
  }

  const common = {
    count,
    numeric,
    buckets,
    min: numeric ? min : null,
    max: numeric ? max : null,
    fields: [...fields].sort(),
  };
  if (rawT && rawV) {
    return { ...common, downsampled: false, timestamps: rawT, values: rawV };
  }
  const timestamps: number[] = [];
  const values: (number | null)[] = [];
  let emptyRun = false;
  for (let b = 0; b < buckets; b++) {
    if (minV[b] === Infinity) {
      if (!emptyRun && timestamps.length > 0) {
        // One marker per stretch of empty buckets, at the stretch's start.
        timestamps.push(start + (b + 0.5) / scale);
        values.push(null);
      }
      emptyRun = true;
      continue;
    }
    emptyRun = false;
    const [t1, v1, t2, v2] =
      minT[b]! <= maxT[b]!
        ? [minT[b]!, minV[b]!, maxT[b]!, maxV[b]!]
        : [maxT[b]!, maxV[b]!, minT[b]!, minV[b]!];
    timestamps.push(t1);
    values.push(v1);
    if (t2 !== t1) {
      timestamps.push(t2);
      values.push(v2);
    }
  }
  if (values.at(-1) === null) {
    timestamps.pop();
    values.pop();
  }
  return { ...common, downsampled: true, timestamps, values };
}

/** The column of the value at `path` (the values themselves for an empty path). */
function columnAt(column: Column, path: readonly string[]): Column {
  let current = column;
  for (const key of path) current = fieldColumn(current, key);
  return current;
}

/**
 * Adds the numeric fields of the first `limit` object values of `column` to `into`; returns how
 * many values it looked at (objects only count: a stream of numbers never stops sampling, cheaply).
 */
function sampleFields(column: Column, limit: number, into: Set<string>): number {
  if (column.type === 'number' || column.type === 'string') return 0;
  const n = Math.min(limit, columnLength(column));
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const value = valueAt(column, i);
    if (typeof value !== 'object' || value === null) continue;
    seen++;
    collectFields(value, into);
  }
  return seen;
}

function collectFields(value: object, into: Set<string>): void {
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === 'number') into.add(key);
    else if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      for (const [sub, leaf] of Object.entries(inner as Record<string, unknown>)) {
        if (typeof leaf === 'number') into.add(`${key}.${sub}`);
      }
    }
  }
}
