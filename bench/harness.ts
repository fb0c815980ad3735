// The benchmark harness: every figure is measured next to its baseline in the same run, as the
// median of several repetitions, and reported as a ratio with throughput and memory.

/** One line of a scenario's table. */
export interface BenchRow {
  /** What was measured, e.g. "union 100k ∪ 100k". */
  readonly figure: string;
  /** Median milliseconds of the engine. */
  readonly engineMs: number;
  /** Median milliseconds of the baseline doing the same work; undefined when there is none. */
  readonly baselineMs: number | undefined;
  /** Items processed per run (for items/s); undefined when not meaningful. */
  readonly items: number | undefined;
  /** Free text: units, what the baseline is, figures that do not fit the columns. */
  readonly note?: string;
  /**
   * Several baselines by name (`hand-loop`, `columnar-loop`, `duckdb-1t`, `duckdb-2t`), median ms
   * each, measured interleaved with the engine in the same run. `baselineMs` is then the first.
   */
  readonly baselines?: Readonly<Record<string, number>>;
  /** Peak RSS of the scenario's process when the figure was taken (MiB). */
  readonly peakRssMiB?: number;
}

/** What a scenario gets: its size and the repetitions to use. */
export interface BenchContext {
  /** True under `npm test`: run once on a tiny input only to keep the code working. */
  readonly tiny: boolean;
  readonly repetitions: number;
  /** A MongoDB URI when one is available (MONGODB_URI), else undefined. */
  readonly mongoUri: string | undefined;
}

export interface BenchScenario {
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): Promise<BenchRow[]>;
}

/** Result of timing: median and all samples in ms. */
export interface Timing {
  readonly medianMs: number;
  readonly samplesMs: readonly number[];
}

/**
 * How long to let the heap settle after a forced GC before a timed sample: V8 sweeps concurrently,
 * and on a 2-core machine the sweeper competed with the timed code for 100–200 ms.
 */
export const SETTLE_MS = 250;

/** Waits `ms` (lets concurrent GC work finish before timing). */
export async function pause(ms = SETTLE_MS): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Times `fn` `repetitions` times (after `setup` each time, untimed, then a pause for the heap to
 * settle) and returns the median. The value `fn` returns is passed to `check` once, so a benchmark
 * cannot silently compute nothing.
 */
export async function time<T>(
  repetitions: number,
  fn: () => T | Promise<T>,
  options: { setup?: () => void | Promise<void>; check?: (result: T) => void } = {},
): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < Math.max(1, repetitions); i++) {
    if (options.setup) {
      await options.setup();
      await pause();
    }
    const start = performance.now();
    const result = await fn();
    samples.push(performance.now() - start);
    if (i === 0 && options.check) options.check(result);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { medianMs, samplesMs: samples };
}

/** Peak resident set size of the process so far, in MiB. */
export function peakRssMiB(): number {
  // maxRSS is in KiB on Linux.
  return process.resourceUsage().maxRSS / 1024;
}

/** The median of some samples. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Throws when two values differ (deep, numbers within a relative tolerance). */
export function assertSame(
  actual: unknown,
  expected: unknown,
  what: string,
  tolerance = 1e-9,
): void {
  const problem = firstDifference(actual, expected, tolerance, '');
  if (problem !== undefined) throw new Error(`benchmark check failed for ${what}: ${problem}`);
}

function firstDifference(a: unknown, b: unknown, tol: number, path: string): string | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) && Number.isNaN(b)) return undefined;
    const scale = Math.max(1, Math.abs(a), Math.abs(b));
    return Math.abs(a - b) <= tol * scale ? undefined : `${path || 'value'}: ${a} ≠ ${b}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path || 'array'} length ${a.length} ≠ ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], tol, `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        tol,
        `${path}.${k}`,
      );
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${path || 'value'}: ${String(a)} ≠ ${String(b)}`;
}
