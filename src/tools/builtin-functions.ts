import type { ToolFunction } from './functions.js';

// Named functions that stored workflow definitions refer to as `{ fn: 'mean' }`. Reductions take
// a list and ignore entries that are not numbers (null, missing readings), as HyperStream's
// tutorial helpers did; a reduction over no numbers returns `undefined`, which tools treat as
// "no output" rather than storing NaN.

function numbersOf(values: unknown): number[] {
  if (!Array.isArray(values)) return [];
  const out: number[] = [];
  for (const value of values)
    if (typeof value === 'number' && !Number.isNaN(value)) out.push(value);
  return out;
}

function sumOf(numbers: readonly number[]): number {
  // Neumaier summation: long lists of similar magnitudes keep full precision.
  let sum = 0;
  let compensation = 0;
  for (const x of numbers) {
    const t = sum + x;
    compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + compensation;
}

function varianceOf(values: unknown, ddof: number): number | undefined {
  const numbers = numbersOf(values);
  if (numbers.length - ddof <= 0) return undefined;
  const mean = sumOf(numbers) / numbers.length;
  let m2 = 0;
  for (const x of numbers) m2 += (x - mean) * (x - mean);
  return m2 / (numbers.length - ddof);
}

/**
 * The `q`-th percentile (0…100) of ascending `sorted` numbers, interpolating linearly between
 * neighbours (numpy's default); `undefined` for an empty list.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  const rank = (Math.min(100, Math.max(0, q)) / 100) * (n - 1);
  const lower = Math.floor(rank);
  const upper = Math.min(n - 1, lower + 1);
  const a = sorted[lower]!;
  const b = sorted[upper]!;
  return a + (b - a) * (rank - lower);
}

function mean(values: unknown): number | undefined {
  const numbers = numbersOf(values);
  return numbers.length === 0 ? undefined : sumOf(numbers) / numbers.length;
}

function median(values: unknown): number | undefined {
  return percentileOfSorted(
    numbersOf(values).sort((a, b) => a - b),
    50,
  );
}

/** `{ TokyoMax: 11.2, TokyoMin: 4.2 }` → `{ Tokyo: { max: 11.2, min: 4.2 } }` (tutorial 5). */
function splitTemperatures(value: unknown): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  if (value === null || typeof value !== 'object') return out;
  for (const [key, reading] of Object.entries(value as Record<string, unknown>)) {
    const match = /^(.*)(max|min)$/i.exec(key);
    if (!match) continue;
    const city = match[1]!;
    (out[city] ??= {})[match[2]!.toLowerCase()] = reading;
  }
  return out;
}

/** The built-in named functions: every engine's registry starts with them. */
export const BUILTIN_FUNCTIONS: Readonly<Record<string, ToolFunction>> = Object.freeze({
  /** Arithmetic mean of the numbers in a list. */
  mean,
  /** Sum of the numbers in a list (0 for none). */
  sum: (values: unknown): number => sumOf(numbersOf(values)),
  min: (values: unknown): number | undefined => {
    const numbers = numbersOf(values);
    return numbers.length === 0 ? undefined : numbers.reduce((a, b) => (b < a ? b : a));
  },
  max: (values: unknown): number | undefined => {
    const numbers = numbersOf(values);
    return numbers.length === 0 ? undefined : numbers.reduce((a, b) => (b > a ? b : a));
  },
  /** Number of entries of a list (all entries, not only numbers). */
  count: (values: unknown): number => (Array.isArray(values) ? values.length : 0),
  median,
  first: (values: unknown): unknown => (Array.isArray(values) ? values[0] : undefined),
  last: (values: unknown): unknown =>
    Array.isArray(values) ? values[values.length - 1] : undefined,
  /** Population variance (divides by n, as numpy). */
  variance: (values: unknown): number | undefined => varianceOf(values, 0),
  /** Population standard deviation (divides by n, as numpy). */
  stddev: (values: unknown): number | undefined => {
    const v = varianceOf(values, 0);
    return v === undefined ? undefined : Math.sqrt(v);
  },
  /** Sample variance (divides by n − 1). */
  sample_variance: (values: unknown): number | undefined => varianceOf(values, 1),
  /** Sample standard deviation (divides by n − 1). */
  sample_stddev: (values: unknown): number | undefined => {
    const v = varianceOf(values, 1);
    return v === undefined ? undefined : Math.sqrt(v);
  },
  identity: (value: unknown): unknown => value,
  abs: (value: number): number => Math.abs(value),
  /** Rounds half away from zero (2.5 → 3, −2.5 → −3). */
  round: (value: number): number => Math.sign(value) * Math.round(Math.abs(value)),
  /** Mean of the numeric values of an object, e.g. `{ max: 11.2, min: 4.2 }` → 7.7 (tutorial 5). */
  dict_mean: (value: unknown): number | undefined =>
    value !== null && typeof value === 'object' ? mean(Object.values(value)) : undefined,
  split_temperatures: splitTemperatures,
});
