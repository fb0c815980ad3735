import { z } from 'zod';
import type { Batch, PlainToolContext, SourceWindow, StreamInstance } from 'hyperstream-ts';
import { defineTool, fieldColumn, numbersOf } from 'hyperstream-ts';
import type { TimeStep } from 'hyperstream-ts/toolkit';
import {
  BatchCollector,
  calendarDurationParam,
  clampedInterval,
  firstStepAfter,
  firstTickAfter,
  minusStep,
  percentileOfSorted,
  requireSources,
  stepTick,
  throwIfAborted,
  timeParam,
  timeStep,
  timeZoneParam,
} from 'hyperstream-ts/toolkit';

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
 * Each aggregate is (n, sum, mean, m2, min, max), combined with Chan's parallel formula; without
 * `moments` only (n, sum) are kept, which is all count, sum and mean need.
 */
class PaneQueue {
  readonly #moments: boolean;
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

  constructor(moments: boolean) {
    this.#moments = moments;
  }

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
    if (!this.#moments) {
      this.#n += n;
      this.#sum += sum;
      return;
    }
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
      if (!this.#moments) continue;
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
    if (!this.#moments) {
      let n = 0;
      let sum = 0;
      for (let i = this.#bN.length - 1; i >= 0; i--) {
        this.#fN.push((n += this.#bN[i]!));
        this.#fSum.push((sum += this.#bSum[i]!));
      }
      this.#bN.length = 0;
      this.#bSum.length = 0;
      this.#n = 0;
      this.#sum = 0;
      return;
    }
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
    if (!this.#moments) {
      this.n = fn + this.#n;
      this.sum = this.#fSum[top]! + this.#sum;
      return;
    }
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

interface WindowOptions {
  readonly width: number;
  readonly step: number;
  readonly origin: number;
  readonly stats: readonly Statistic[];
  readonly percentiles: readonly number[];
  readonly ddof: number;
  readonly emitEmpty: boolean;
}

/**
 * The windows of one piece, fed one value at a time. State lives in fields rather than in
 * variables shared with closures: V8 boxes every double stored in a closure's context, which made
 * garbage collection the largest cost per instance.
 */
class Windows {
  readonly #width: number;
  readonly #step: number;
  readonly #origin: number;
  readonly #stats: readonly Statistic[];
  readonly #percentiles: readonly number[];
  readonly #single: Statistic | undefined;
  readonly #ddof: number;
  readonly #needVariance: boolean;
  readonly #needValues: boolean;
  readonly emitEmpty: boolean;
  // Panes of width g tile every window exactly: a window is W panes, and the next one starts S panes later.
  readonly #g: number;
  readonly #panesPerWindow: number;
  readonly #panesPerStep: number;
  readonly #queue: PaneQueue;
  #paneIndex = 0;
  #paneEnd = -Infinity;
  #pn = 0;
  #psum = 0;
  #pmean = 0;
  #pm2 = 0;
  #pmin = Infinity;
  #pmax = -Infinity;
  // Window values, only when median or percentiles need them.
  #valueTimes: number[] = [];
  #values: number[] = [];
  #valueHead = 0;
  // The window's values sorted, built at most once per window (median and percentiles).
  #sorted: Float64Array | undefined;
  #k: number;
  /** End of the current window. */
  windowEnd: number;

  constructor(options: WindowOptions, start: number, single: boolean) {
    this.#width = options.width;
    this.#step = options.step;
    this.#origin = options.origin;
    this.#stats = options.stats;
    this.#percentiles = options.percentiles;
    this.#single = single ? options.stats[0] : undefined;
    this.#ddof = options.ddof;
    this.emitEmpty = options.emitEmpty;
    this.#needVariance = options.stats.includes('variance') || options.stats.includes('stddev');
    this.#needValues = options.stats.includes('median') || options.percentiles.length > 0;
    this.#queue = new PaneQueue(
      options.stats.some((name) => name !== 'count' && name !== 'sum' && name !== 'mean'),
    );
    this.#g = gcd(options.width, options.step);
    this.#panesPerWindow = options.width / this.#g;
    this.#panesPerStep = options.step / this.#g;
    this.#k = firstTickAfter(options.origin, options.step, start);
    this.windowEnd = options.origin + this.#k * options.step;
  }

  /** True when no pane is in the window. */
  get empty(): boolean {
    return this.#queue.size === 0;
  }

  /** Moves to the next window. */
  next(): void {
    this.windowEnd = this.#origin + ++this.#k * this.#step;
  }

  /** Jumps to the first window ending after `t` (over empty windows). */
  jumpTo(t: number): void {
    this.#k = firstTickAfter(this.#origin, this.#step, t - 1);
    this.windowEnd = this.#origin + this.#k * this.#step;
  }

  /**
   * Feeds a batch of values (NaN: skipped) at increasing times, closing windows into `out` as time
   * passes their ends; true once the windows have passed `end` (the rest is not needed).
   */
  feed(ts: Float64Array, xs: Float64Array, end: number, out: BatchCollector): boolean {
    for (let i = 0; i < ts.length; i++) {
      const raw = xs[i]!;
      if (raw !== raw) continue;
      const t = ts[i]!;
      while (t > this.windowEnd) {
        const closed = this.close();
        if (closed) out.push(closed.timestamp, closed.value);
        this.next();
        if (this.windowEnd > end) return true;
        // Nothing is left in the window: jump over empty windows straight to the one holding t.
        if (!this.emitEmpty && this.empty && t > this.windowEnd) {
          this.jumpTo(t);
          if (this.windowEnd > end) return true;
        }
      }
      this.add(t, raw);
    }
    return false;
  }

  /** Adds a value at `t <= windowEnd`; ignored when it lies before the current window. */
  add(t: number, raw: number): void {
    // Before the current window (a gap between hopping windows, or lookback not needed).
    if (t <= this.windowEnd - this.#width) return;
    if (t > this.#paneEnd) {
      this.#flushPane();
      this.#paneIndex = firstTickAfter(this.#origin, this.#g, t - 1);
      this.#paneEnd = this.#origin + this.#paneIndex * this.#g;
    }
    if (this.#pn === 0) {
      this.#pn = 1;
      this.#psum = raw;
      this.#pmean = raw;
      this.#pmin = raw;
      this.#pmax = raw;
    } else {
      const pn = ++this.#pn;
      this.#psum += raw;
      if (this.#needVariance) {
        const delta = raw - this.#pmean;
        this.#pmean += delta / pn;
        this.#pm2 += delta * (raw - this.#pmean);
      }
      if (raw < this.#pmin) this.#pmin = raw;
      if (raw > this.#pmax) this.#pmax = raw;
    }
    if (this.#needValues) {
      this.#valueTimes.push(t);
      this.#values.push(raw);
    }
  }

  /** Closes the window ending at `windowEnd`: what it yields, or undefined for an empty skipped window. */
  close(): StreamInstance | undefined {
    this.#flushPane();
    const queue = this.#queue;
    queue.evictUpTo(this.#k * this.#panesPerStep - this.#panesPerWindow);
    if (this.#needValues) {
      const start = this.windowEnd - this.#width;
      while (
        this.#valueHead < this.#valueTimes.length &&
        this.#valueTimes[this.#valueHead]! <= start
      )
        this.#valueHead++;
      if (this.#valueHead > 4096 && this.#valueHead * 2 > this.#valueTimes.length) {
        this.#valueTimes = this.#valueTimes.slice(this.#valueHead);
        this.#values = this.#values.slice(this.#valueHead);
        this.#valueHead = 0;
      }
    }
    if (queue.size === 0 && !this.emitEmpty) return undefined;
    queue.query();
    this.#sorted = undefined;
    if (this.#single) return { timestamp: this.windowEnd, value: this.#statistic(this.#single) };
    const out: Record<string, number | null> = {};
    for (const name of this.#stats) out[name] = this.#statistic(name);
    for (const q of this.#percentiles)
      out[`p${q}`] = percentileOfSorted(this.#sortedValues(), q) ?? null;
    return { timestamp: this.windowEnd, value: out };
  }

  #flushPane(): void {
    if (this.#pn === 0) return;
    const pn = this.#pn;
    this.#queue.push(
      this.#paneIndex,
      pn,
      this.#psum,
      this.#needVariance ? this.#pmean : this.#psum / pn,
      this.#pm2,
      this.#pmin,
      this.#pmax,
    );
    this.#pn = 0;
    this.#psum = 0;
    this.#pmean = 0;
    this.#pm2 = 0;
    this.#pmin = Infinity;
    this.#pmax = -Infinity;
  }

  #sortedValues(): Float64Array {
    return (this.#sorted ??= Float64Array.from(this.#values.slice(this.#valueHead)).sort());
  }

  /** One statistic of the queried window. */
  #statistic(name: Statistic): number | null {
    const queue = this.#queue;
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
        return n - this.#ddof > 0 ? queue.m2 / (n - this.#ddof) : null;
      case 'stddev':
        return n - this.#ddof > 0 ? Math.sqrt(queue.m2 / (n - this.#ddof)) : null;
      case 'median':
        return percentileOfSorted(this.#sortedValues(), 50) ?? null;
    }
  }
}

/** One statistic of the values of a window (the calendar path, which keeps the window's values). */
function statisticOf(name: Statistic, values: readonly number[], ddof: number): number | null {
  const n = values.length;
  if (name === 'count') return n;
  if (name === 'sum') return values.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  switch (name) {
    case 'mean':
      return mean;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'variance':
    case 'stddev': {
      if (n - ddof <= 0) return null;
      const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - ddof);
      return name === 'variance' ? variance : Math.sqrt(variance);
    }
    case 'median':
      return percentileOfSorted(Float64Array.from(values).sort(), 50) ?? null;
  }
}

/**
 * Windows whose width or step is a calendar duration (months, years, days in a time zone): ends
 * at origin + k·step on the calendar, each window (end − width, end] on the calendar too. Values
 * of the current window are kept in memory.
 */
async function* calendarWindows(
  ctx: PlainToolContext<unknown>,
  source: SourceWindow,
  options: {
    readonly width: TimeStep;
    readonly step: TimeStep;
    readonly origin: number;
    readonly stats: readonly Statistic[];
    readonly single: boolean;
    readonly percentiles: readonly number[];
    readonly field: string | undefined;
    readonly ddof: number;
    readonly emitEmpty: boolean;
  },
): AsyncIterable<Batch> {
  const { interval } = ctx;
  let k = firstStepAfter(options.origin, options.step, interval.start);
  let end = stepTick(options.origin, options.step, k);
  const times: number[] = [];
  const values: number[] = [];
  const out = new BatchCollector();
  const close = (): void => {
    const start = minusStep(end, options.width);
    let drop = 0;
    while (drop < times.length && times[drop]! <= start) drop++;
    times.splice(0, drop);
    values.splice(0, drop);
    if (values.length === 0 && !options.emitEmpty) return;
    if (options.single) {
      out.push(end, statisticOf(options.stats[0]!, values, options.ddof));
      return;
    }
    const value: Record<string, number | null> = {};
    for (const name of options.stats) value[name] = statisticOf(name, values, options.ddof);
    const sorted = Float64Array.from(values).sort();
    for (const q of options.percentiles) value[`p${q}`] = percentileOfSorted(sorted, q) ?? null;
    out.push(end, value);
  };
  if (end > interval.end) return;
  reading: for await (const batch of source.view.columns()) {
    throwIfAborted(ctx, 'window_aggregate');
    // Values that are not numbers (or NaN) read as NaN and are skipped, as on the fixed path.
    const ts = batch.timestamps;
    const xs = numbersOf(
      options.field === undefined ? batch.values : fieldColumn(batch.values, options.field),
    );
    for (let i = 0; i < ts.length; i++) {
      const raw = xs[i]!;
      if (raw !== raw) continue;
      while (ts[i]! > end) {
        close();
        end = stepTick(options.origin, options.step, ++k);
        if (end > interval.end) break reading;
      }
      times.push(ts[i]!);
      values.push(raw);
    }
    for (let full = out.full(); full; full = out.full()) yield full;
  }
  while (end <= interval.end) {
    close();
    if (!options.emitEmpty && times.length > 0 && times.at(-1)! <= minusStep(end, options.width))
      break;
    if (!options.emitEmpty && values.length === 0) break;
    end = stepTick(options.origin, options.step, ++k);
  }
  const rest = out.take();
  if (rest) yield rest;
}

export default defineTool({
  name: 'window_aggregate',
  version: '1.0.0',
  kind: 'tool',
  description:
    'Tumbling or sliding window statistics (count, sum, mean, min, max, variance, stddev, median, percentiles) in one pass, emitted at each window end',
  params: z.strictObject({
    width: calendarDurationParam(
      'window width in milliseconds or an ISO duration such as PT1H; each window is (end − width, end]. Months and years (P1M, P1Y) are calendar units, and so are days and weeks with timeZone',
    ),
    step: calendarDurationParam(
      'distance between window ends in milliseconds or an ISO duration (default: width, i.e. tumbling windows); calendar units as for width',
    ).optional(),
    timeZone: timeZoneParam(
      'time zone of calendar days and weeks (P1D is then a local day, 23 or 25 h across DST); months and years use it too (default UTC)',
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
    clampedInterval(
      minusStep(interval.start, timeStep(params.width, params.timeZone)),
      interval.end,
    ),
  async *execute(ctx) {
    const { params, interval } = ctx;
    const [source] = requireSources('window_aggregate', ctx.sources, 1);
    const { field } = params;
    const percentiles = params.percentiles ?? [];
    const width = timeStep(params.width, params.timeZone);
    const step = timeStep(params.step ?? params.width, params.timeZone);
    if (width.kind === 'calendar' || step.kind === 'calendar') {
      yield* calendarWindows(ctx, source!, {
        width,
        step,
        origin: params.origin,
        stats: typeof params.stats === 'string' ? [params.stats] : params.stats,
        single: typeof params.stats === 'string' && percentiles.length === 0,
        percentiles,
        field,
        ddof: params.ddof,
        emitEmpty: params.emptyWindows === 'emit',
      });
      return;
    }
    const windows = new Windows(
      {
        width: width.ms,
        step: step.ms,
        origin: params.origin,
        stats: typeof params.stats === 'string' ? [params.stats] : params.stats,
        percentiles,
        ddof: params.ddof,
        emitEmpty: params.emptyWindows === 'emit',
      },
      interval.start,
      typeof params.stats === 'string' && percentiles.length === 0,
    );
    const end = interval.end;
    if (windows.windowEnd > end) return;
    // Read as columns (no object per instance); windows are yielded as column batches.
    const out = new BatchCollector();
    for await (const batch of source!.view.columns()) {
      throwIfAborted(ctx, 'window_aggregate');
      // Values that are not numbers (or NaN) are skipped: they read as NaN here.
      const xs = numbersOf(field === undefined ? batch.values : fieldColumn(batch.values, field));
      const done = windows.feed(batch.timestamps, xs, end, out);
      for (let full = out.full(); full; full = out.full()) yield full;
      if (done) break;
    }
    // The source is exhausted: close the remaining windows of the interval.
    while (windows.windowEnd <= end) {
      const closed = windows.close();
      if (closed) out.push(closed.timestamp, closed.value);
      if (!windows.emitEmpty && windows.empty) break;
      windows.next();
    }
    const rest = out.take();
    if (rest) yield rest;
  },
});
