// TimeIntervals algebra (the calculated-interval bookkeeping of every execution) against a
// hand-written sweep over sorted plain arrays of [start, end] pairs doing the same work.

import { seededRandom, randomInt, shuffle } from '../data/random.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { assertSame, time } from '../harness.js';
import { TimeIntervals } from '../../src/time/time-intervals.js';

type Pair = [number, number];

const T0 = Date.UTC(2001, 0, 1);
const MINUTE = 60_000;

/** `n` sorted, disjoint, non-touching intervals of random widths and gaps (about a minute each). */
function disjointPairs(n: number, seed: number): Pair[] {
  const random = seededRandom(seed);
  const out: Pair[] = [];
  let t = T0;
  for (let i = 0; i < n; i++) {
    const start = t + randomInt(random, 1, 2 * MINUTE);
    const end = start + randomInt(random, 1, 2 * MINUTE);
    out.push([start, end]);
    t = end;
  }
  return out;
}

// --- the baseline: what one would write by hand over plain arrays

function unionPlain(a: readonly Pair[], b: readonly Pair[]): Pair[] {
  const out: Pair[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]![0] <= b[j]![0]) ? a[i++]! : b[j++]!;
    const last = out[out.length - 1];
    if (last && next[0] <= last[1]) {
      if (next[1] > last[1]) last[1] = next[1];
    } else {
      out.push([next[0], next[1]]);
    }
  }
  return out;
}

function intersectionPlain(a: readonly Pair[], b: readonly Pair[]): Pair[] {
  const out: Pair[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i]![0], b[j]![0]);
    const end = Math.min(a[i]![1], b[j]![1]);
    if (start < end) out.push([start, end]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

function differencePlain(a: readonly Pair[], b: readonly Pair[]): Pair[] {
  const out: Pair[] = [];
  let j = 0;
  for (const [aStart, end] of a) {
    let start = aStart;
    while (j < b.length && b[j]![1] <= start) j++;
    for (let k = j; k < b.length && b[k]![0] < end && start < end; k++) {
      if (b[k]![0] > start) out.push([start, b[k]![0]]);
      start = Math.max(start, b[k]![1]);
    }
    if (start < end) out.push([start, end]);
  }
  return out;
}

/** Sort by start, then merge overlapping and touching pairs. */
function normalisePlain(pairs: readonly Pair[]): Pair[] {
  const sorted = [...pairs].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: Pair[] = [];
  for (const [start, end] of sorted) {
    if (start >= end) continue;
    const last = out[out.length - 1];
    if (last && start <= last[1]) {
      if (end > last[1]) last[1] = end;
    } else {
      out.push([start, end]);
    }
  }
  return out;
}

function pairsOf(set: TimeIntervals): Pair[] {
  return set.toJSON().map(({ start, end }) => [start, end]);
}

/**
 * Times `loops` calls per sample (sub-millisecond operations need several to be measurable) and
 * returns the median per call.
 */
async function perCall<T>(
  repetitions: number,
  loops: number,
  fn: () => T,
  check: (result: T) => void,
): Promise<number> {
  const timing = await time(
    repetitions,
    () => {
      let result = fn();
      for (let i = 1; i < loops; i++) result = fn();
      return result;
    },
    { check },
  );
  return timing.medianMs / loops;
}

async function run(context: BenchContext): Promise<BenchRow[]> {
  const sizes = context.tiny ? [1_000] : [10_000, 100_000];
  const rows: BenchRow[] = [];
  for (const n of sizes) {
    const a = disjointPairs(n, 1);
    const b = disjointPairs(n, 2);
    const setA = TimeIntervals.from(a);
    const setB = TimeIntervals.from(b);
    const loops = Math.max(1, Math.round(200_000 / n));
    const label = n >= 1000 ? `${n / 1000}k` : String(n);
    const note = `${loops} calls per sample; baseline: sweep over sorted [start, end] arrays`;
    const operations: [string, () => TimeIntervals, () => Pair[]][] = [
      ['union', () => setA.union(setB), () => unionPlain(a, b)],
      ['difference', () => setA.difference(setB), () => differencePlain(a, b)],
      ['intersection', () => setA.intersection(setB), () => intersectionPlain(a, b)],
    ];
    for (const [name, engine, baseline] of operations) {
      const expected = baseline();
      assertSame(pairsOf(engine()), expected, `${name} of ${label}`);
      const engineMs = await perCall(context.repetitions, loops, engine, (r) =>
        assertSame(r.size, expected.length, name),
      );
      const baselineMs = await perCall(context.repetitions, loops, baseline, (r) =>
        assertSame(r.length, expected.length, name),
      );
      rows.push({
        figure: `${name} ${label} with ${label}`,
        engineMs,
        baselineMs,
        items: 2 * n,
        note,
      });
    }
  }

  // Building a set from unsorted, overlapping input: every interval of both sets, shuffled.
  const n = context.tiny ? 1_000 : 100_000;
  const random = seededRandom(3);
  const unsorted = shuffle(random, [...disjointPairs(n / 2, 4), ...disjointPairs(n / 2, 5)]);
  const expected = normalisePlain(unsorted);
  assertSame(pairsOf(TimeIntervals.from(unsorted)), expected, 'from unsorted');
  const engineMs = (
    await time(context.repetitions, () => TimeIntervals.from(unsorted), {
      check: (r) => assertSame(r.size, expected.length, 'from'),
    })
  ).medianMs;
  const baselineMs = (
    await time(context.repetitions, () => normalisePlain(unsorted), {
      check: (r) => assertSame(r.length, expected.length, 'from'),
    })
  ).medianMs;
  rows.push({
    figure: `from ${n >= 1000 ? `${n / 1000}k` : n} unsorted`,
    engineMs,
    baselineMs,
    items: n,
    note: 'baseline: sort the plain array and merge',
  });
  return rows;
}

const scenario: BenchScenario = {
  name: 'interval-algebra',
  description:
    'TimeIntervals union, difference, intersection and from(), vs a sweep over plain arrays',
  run,
};
export default scenario;
