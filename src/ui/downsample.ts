// Min/max downsampling of a stream window for plots: one streaming pass over the window's batches,
// one bucket per pixel, so the browser never receives more than a few thousand points however
// many millions the window holds. Pure over an async iterable of batches.
import { InvalidArgumentError } from '../errors.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import type { TimeInterval } from '../time/time-interval.js';

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

/** What a plot receives: points in time order, `null` values breaking the line at empty stretches. */
export interface DownsampledSeries {
  /** Instances read. */
  readonly count: number;
  /** Instances with a finite number at the field (what is plotted). */
  readonly numeric: number;
  /** True when buckets were used; false when every numeric point fits (they are all returned). */
  readonly downsampled: boolean;
  readonly buckets: number;
  readonly timestamps: readonly number[];
  readonly values: readonly (number | null)[];
  /** Smallest and largest plotted value (`null` when nothing is numeric). */
  readonly min: number | null;
  readonly max: number | null;
  /** Keys (dotted paths, one level deep) of the first object values that hold numbers. */
  readonly fields: readonly string[];
}

const FIELD_SAMPLE = 64;

/**
 * Reads `batches` once and returns at most {@link MAX_POINTS} points: every numeric point when
 * there are at most `2 × buckets` of them, otherwise per bucket its minimum and maximum (in time
 * order), with a `null` point in each stretch of empty buckets so the line shows the hole.
 */
export async function downsample(
  batches: AsyncIterable<readonly StreamInstance[]>,
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
  let objectsSeen = 0;
  let count = 0;
  let numeric = 0;
  let min = Infinity;
  let max = -Infinity;

  const key = path.length === 1 ? path[0]! : undefined;
  for await (const batch of batches) {
    count += batch.length;
    for (let i = 0; i < batch.length; i++) {
      const { timestamp, value } = batch[i]!;
      if (objectsSeen < FIELD_SAMPLE && typeof value === 'object' && value !== null) {
        objectsSeen++;
        collectFields(value, fields);
      }
      // The common cases without a loop: the value itself, or one key of an object.
      let y: unknown;
      if (path.length === 0) y = value;
      else if (key !== undefined)
        y =
          typeof value === 'object' && value !== null
            ? (value as Record<string, unknown>)[key]
            : undefined;
      else y = valueAt(value, path);
      if (typeof y !== 'number' || !Number.isFinite(y)) continue;
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

/**
 * What is at `path` in `value` (`undefined` when a step is not an object). Inherited properties
 * are never numbers (prototype members are functions), so plain property reads are enough.
 */
function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
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
