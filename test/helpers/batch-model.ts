// An object-per-instance reference model of a stream, and random writes for it: what the columnar
// property tests (memory store, SQLite through the channel's instance adapter) compare against.
import fc from 'fast-check';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import type { TimeInterval } from '../../src/time/time-interval.js';

/** The reference: a map from timestamp to value, the last write winning. */
export class Model {
  readonly rows = new Map<number, unknown>();
  write(items: readonly StreamInstance[]): void {
    for (const { timestamp, value } of items) this.rows.set(timestamp, value);
  }
  delete(interval: TimeInterval | undefined): number {
    let n = 0;
    for (const t of [...this.rows.keys()]) {
      if (!interval || interval.contains(t)) {
        this.rows.delete(t);
        n++;
      }
    }
    return n;
  }
  window(interval: TimeInterval): StreamInstance[] {
    return [...this.rows]
      .filter(([t]) => interval.contains(t))
      .sort((a, b) => a[0] - b[0])
      .map(([timestamp, value]) => ({ timestamp, value }));
  }
}

const number = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(-0, 0.5, NaN, Infinity, -Infinity),
);
const text = fc.constantFrom('a', 'b', 'JFK', 'ORD', '', 'é');
const flight = fc.record({ delay: number, origin: text, distance: number });
const other = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.array(number, { maxLength: 2 }),
  fc.record({ origin: text }),
  fc.record({ delay: text, origin: number, distance: fc.constant(null) }),
);
/** Values of one write: mostly one type (so columns are typed), sometimes mixed. */
export const values = fc.oneof(
  fc.array(number, { minLength: 1, maxLength: 40 }),
  fc.array(text, { minLength: 1, maxLength: 40 }),
  fc.array(flight, { minLength: 1, maxLength: 40 }),
  fc.array(fc.oneof(number, text, flight, other), { minLength: 1, maxLength: 40 }),
);

export const operation = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom('batch' as const, 'instances' as const),
      values,
      start: fc.integer({ min: 1, max: 300 }),
      shuffle: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      a: fc.integer({ min: 0, max: 400 }),
      b: fc.integer({ min: 0, max: 400 }),
      all: fc.boolean(),
    }),
  },
);

/** Timestamps for `n` values from `start`, sometimes out of order and repeated. */
export function timestamps(n: number, start: number, shuffle: boolean, seed: number): number[] {
  const out = Array.from({ length: n }, (_, i) => start + i * (1 + (seed % 3)));
  if (!shuffle) return out;
  let s = seed + 1;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  if (n > 2) out[n - 1] = out[0]!; // a repeated timestamp: the later row must win
  return out;
}
