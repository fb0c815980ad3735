import { z } from 'zod';
import type { StreamInstance } from '../../src/index.js';
import { defineTool } from '../../src/index.js';
import { percentileOfSorted } from '../../src/tools/builtin-functions.js';
import {
  clampedInterval,
  durationParam,
  firstTickAfter,
  requireSources,
  timeParam,
} from '../../src/tools/builtin-support.js';
import { throwIfAborted } from '../../src/tools/structural-support.js';

const STATISTICS = ['count', 'sum', 'mean', 'min', 'max', 'variance', 'stddev', 'median'] as const;
type Statistic = (typeof STATISTICS)[number];

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Aggregates of the panes in the current window, as a queue: panes enter at the back and leave at
 * the front. Two stacks (the front one holding suffix aggregates) give O(1) amortised push, pop and
 * query without ever subtracting, so sums and variances do not drift however long the stream.
 * Each aggregate is (n, sum, mean, m2, min, max), combined with Chan's parallel formula.
 */
class PaneQueue {
  // Front stack, oldest pane on top; entry i aggregates panes i…0 of the stack.
  readonly #fN: number[] = [];
  readonly #fSum: number[] = [];
  readonly #fMean: number[] = [];
  readonly #fM2: number[] = [];
  readonly #fMin: number[] = [];
  readonly #fMax: number[] = [];
  // Back stack: the panes themselves, newest last, plus their running aggregate.
  readonly #bN: number[] = [];
  readonly #bSum: number[] = [];
  readonly #bMean: number[] = [];
  readonly #bM2: number[] = [];
  readonly #bMin: number[] = [];
  readonly #bMax: number[] = [];
  #n = 0;
  #sum = 0;
  #mean = 0;
  #m2 = 0;
  #min = Infinity;
  #max = -Infinity;
  // Pane indices in arrival order, to know which panes have left the window.
  #indices: number[] = [];
  #head = 0;

  /** Result of the last {@link query}. */
  n = 0;
  sum = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;

  get size(): number {
    return this.#indices.length - this.#head;
  }

  push(
    index: number,
    n: number,
    sum: number,
    mean: number,
    m2: number,
    min: number,
    max: number,
  ): void {
    this.#indices.push(index);
    this.#bN.push(n);
    this.#bSum.push(sum);
    this.#bMean.push(mean);
    this.#bM2.push(m2);
    this.#bMin.push(min);
    this.#bMax.push(max);
    if (this.#n === 0) {
      this.#n = n;
      this.#sum = sum;
      this.#mean = mean;
      this.#m2 = m2;
      this.#min = min;
      this.#max = max;
    } else {
      const total = this.#n + n;
      const delta = mean - this.#mean;
      this.#m2 += m2 + (delta * delta * this.#n * n) / total;
      this.#mean += (delta * n) / total;
      this.#n = total;
      this.#sum += sum;
      if (min < this.#min) this.#min = min;
      if (max > this.#max) this.#max = max;
    }
  }

  /** Drops the panes whose index is at most `lastGone`. */
  evictUpTo(lastGone: number): void {
    while (this.#head < this.#indices.length && this.#indices[this.#head]! <= lastGone) {
      this.#head++;
      if (this.#fN.length === 0) this.#flip();
      this.#fN.pop();
      this.#fSum.pop();
      this.#fMean.pop();
      this.#fM2.pop();
      this.#fMin.pop();
      this.#fMax.pop();
    }
    if (this.#head > 4096 && this.#head * 2 > this.#indices.length) {
      this.#indices = this.#indices.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Moves the back stack onto the front, computing suffix aggregates from the newest pane back. */
  #flip(): void {
    let n = 0;
    let sum = 0;
    let mean = 0;
    let m2 = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = this.#bN.length - 1; i >= 0; i--) {
      const pn = this.#bN[i]!;
      const pmean = this.#bMean[i]!;
      const total = n + pn;
      const delta = pmean - mean;
      m2 += this.#bM2[i]! + (n === 0 ? 0 : (delta * delta * n * pn) / total);
      mean += (delta * pn) / total;
      n = total;
      sum += this.#bSum[i]!;
      if (this.#bMin[i]! < min) min = this.#bMin[i]!;
      if (this.#bMax[i]! > max) max = this.#bMax[i]!;
      this.#fN.push(n);
      this.#fSum.push(sum);
      this.#fMean.push(mean);
      this.#fM2.push(m2);
      this.#fMin.push(min);
      this.#fMax.push(max);
    }
    this.#bN.length = 0;
    this.#bSum.length = 0;
    this.#bMean.length = 0;
    this.#bM2.length = 0;
    this.#bMin.length = 0;
    this.#bMax.length = 0;
    this.#n = 0;
    this.#sum = 0;
    this.#mean = 0;
    this.#m2 = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
  }

  /** Aggregates the whole queue into the public fields. */
  query(): void {
    const top = this.#fN.length - 1;
    if (top < 0) {
      this.n = this.#n;
      this.sum = this.#sum;
      this.mean = this.#mean;
      this.m2 = this.#m2;
      this.min = this.#min;
      this.max = this.#max;
      return;
    }
    const fn = this.#fN[top]!;
    const fmean = this.#fMean[top]!;
    const total = fn + this.#n;
    const delta = this.#mean - fmean;
    this.n = total;
    this.sum = this.#fSum[top]! + this.#sum;
    this.mean = fmean + (this.#n === 0 ? 0 : (delta * this.#n) / total);
    this.m2 =
      this.#fM2[top]! + this.#m2 + (this.#n === 0 ? 0 : (delta * delta * fn * this.#n) / total);
    this.min = Math.min(this.#fMin[top]!, this.#min);
    this.max = Math.max(this.#fMax[top]!, this.#max);
  }
}

export default defineTool({
  name: 'window_aggregate',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Tumbling or sliding window statistics (count, sum, mean, min, max, variance, stddev, median, percentiles) in one pass, emitted at each window end',
  params: z.strictObject({
    width: durationParam(
      'window width in milliseconds or an ISO duration such as PT1H; each window is (end − width, end]',
      {
        positive: true,
      },
    ),
    step: durationParam(
      'distance between window ends in milliseconds or an ISO duration (default: width, i.e. tumbling windows)',
      { positive: true },
    ).optional(),
    origin: timeParam(
      'window ends lie at origin + k·step; epoch ms or ISO 8601 (default: the epoch)',
    ).default(0),
    stats: z
      .union([z.enum(STATISTICS), z.array(z.enum(STATISTICS)).min(1)])
      .default('mean')
      .describe(
        'one statistic (each value is a number) or a list (each value is an object keyed by statistic); median and percentiles keep the window values in memory',
      ),
    percentiles: z
      .array(z.number().min(0).max(100))
      .optional()
      .describe(
        'percentiles (0…100) to add as keys p<q>, e.g. [5, 95] gives p5 and p95; values are an object then',
      ),
    field: z
      .string()
      .optional()
      .describe('aggregate value[field] of object values instead of the values themselves'),
    ddof: z
      .number()
      .int()
      .min(0)
      .max(1)
      .default(0)
      .describe(
        'variance divisor n − ddof: 0 for the population variance (numpy), 1 for the sample variance (pandas)',
      ),
    emptyWindows: z
      .enum(['skip', 'emit'])
      .default('skip')
      .describe(
        'what a window without numbers gives: no document (skip), or count 0, sum 0 and null elsewhere (emit)',
      ),
  }),
  sourceInterval: (interval, params) =>
    clampedInterval(interval.start - params.width, interval.end),
  async *execute(ctx) {
    const { params, interval } = ctx;
    const [source] = requireSources('window_aggregate', ctx.sources, 1);
    const { width, origin, field } = params;
    const step = params.step ?? width;
    const stats: readonly Statistic[] =
      typeof params.stats === 'string' ? [params.stats] : params.stats;
    const percentiles = params.percentiles ?? [];
    const single =
      typeof params.stats === 'string' && percentiles.length === 0 ? params.stats : undefined;
    const needVariance = stats.includes('variance') || stats.includes('stddev');
    const needValues = stats.includes('median') || percentiles.length > 0;
    const emitEmpty = params.emptyWindows === 'emit';

    // Panes of width g tile every window exactly: a window is W panes, and the next one starts S panes later.
    const g = gcd(width, step);
    const panesPerWindow = width / g;
    const panesPerStep = step / g;
    const queue = new PaneQueue();
    let paneIndex = 0;
    let paneEnd = -Infinity;
    let pn = 0;
    let psum = 0;
    let pmean = 0;
    let pm2 = 0;
    let pmin = Infinity;
    let pmax = -Infinity;
    // Window values, only when median or percentiles need them.
    let valueTimes: number[] = [];
    let values: number[] = [];
    let valueHead = 0;

    let k = firstTickAfter(origin, step, interval.start);
    let windowEnd = origin + k * step;

    const flushPane = (): void => {
      if (pn === 0) return;
      queue.push(paneIndex, pn, psum, needVariance ? pmean : psum / pn, pm2, pmin, pmax);
      pn = 0;
      psum = 0;
      pmean = 0;
      pm2 = 0;
      pmin = Infinity;
      pmax = -Infinity;
    };

    // The window's values sorted, built at most once per window (median and percentiles).
    let sorted: Float64Array | undefined;
    const sortedValues = (): Float64Array =>
      (sorted ??= Float64Array.from(values.slice(valueHead)).sort());
    // One statistic of the queried window.
    const statistic = (name: Statistic): number | null => {
      const n = queue.size === 0 ? 0 : queue.n;
      switch (name) {
        case 'count':
          return n;
        case 'sum':
          return n === 0 ? 0 : queue.sum;
        case 'mean':
          return n === 0 ? null : queue.sum / n;
        case 'min':
          return n === 0 ? null : queue.min;
        case 'max':
          return n === 0 ? null : queue.max;
        case 'variance':
          return n - params.ddof > 0 ? queue.m2 / (n - params.ddof) : null;
        case 'stddev':
          return n - params.ddof > 0 ? Math.sqrt(queue.m2 / (n - params.ddof)) : null;
        case 'median':
          return percentileOfSorted(sortedValues(), 50) ?? null;
      }
    };

    // Closes the window ending at windowEnd: what it yields, or undefined for an empty skipped window.
    const closeWindow = (): StreamInstance | undefined => {
      flushPane();
      queue.evictUpTo(k * panesPerStep - panesPerWindow);
      if (needValues) {
        const start = windowEnd - width;
        while (valueHead < valueTimes.length && valueTimes[valueHead]! <= start) valueHead++;
        if (valueHead > 4096 && valueHead * 2 > valueTimes.length) {
          valueTimes = valueTimes.slice(valueHead);
          values = values.slice(valueHead);
          valueHead = 0;
        }
      }
      if (queue.size === 0 && !emitEmpty) return undefined;
      queue.query();
      sorted = undefined;
      if (single) return { timestamp: windowEnd, value: statistic(single) };
      const out: Record<string, number | null> = {};
      for (const name of stats) out[name] = statistic(name);
      for (const q of percentiles) out[`p${q}`] = percentileOfSorted(sortedValues(), q) ?? null;
      return { timestamp: windowEnd, value: out };
    };

    if (windowEnd > interval.end) return;
    reading: for await (const batch of source!.view.batches()) {
      throwIfAborted(ctx, 'window_aggregate');
      for (let i = 0; i < batch.length; i++) {
        const item = batch[i]!;
        const t = item.timestamp;
        const raw =
          field === undefined
            ? item.value
            : (item.value as Record<string, unknown> | null)?.[field];
        if (typeof raw !== 'number' || raw !== raw) continue;
        while (t > windowEnd) {
          const out = closeWindow();
          if (out) yield out;
          windowEnd = origin + ++k * step;
          if (windowEnd > interval.end) break reading;
          // Nothing is left in the window: jump over empty windows straight to the one holding t.
          if (!emitEmpty && queue.size === 0 && t > windowEnd) {
            k = firstTickAfter(origin, step, t - 1);
            windowEnd = origin + k * step;
            if (windowEnd > interval.end) break reading;
          }
        }
        // Before the current window (a gap between hopping windows, or lookback not needed).
        if (t <= windowEnd - width) continue;
        if (t > paneEnd) {
          flushPane();
          paneIndex = firstTickAfter(origin, g, t - 1);
          paneEnd = origin + paneIndex * g;
        }
        if (pn === 0) {
          pn = 1;
          psum = raw;
          pmean = raw;
          pmin = raw;
          pmax = raw;
        } else {
          pn++;
          psum += raw;
          if (needVariance) {
            const delta = raw - pmean;
            pmean += delta / pn;
            pm2 += delta * (raw - pmean);
          }
          if (raw < pmin) pmin = raw;
          if (raw > pmax) pmax = raw;
        }
        if (needValues) {
          valueTimes.push(t);
          values.push(raw);
        }
      }
    }
    // The source is exhausted: close the remaining windows of the interval.
    while (windowEnd <= interval.end) {
      const out = closeWindow();
      if (out) yield out;
      if (!emitEmpty && queue.size === 0) return;
      windowEnd = origin + ++k * step;
    }
  },
});
