// An object-per-instance reference model of a stream, and random writes for it: what the columnar
// property tests (memory store, SQLite through the channel's instance adapter) compare against.
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Batch } from '../../src/streams/batch.js';
import { batchFromInstances } from '../../src/streams/batch.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import { TimeInterval } from '../../src/time/time-interval.js';

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

/** A random write or delete. */
export type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

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

/** Reads of random windows (bounds in either order), each maybe with a limit and a batch size. */
export function windowReads(maxLength: number) {
  return fc.array(
    fc
      .record({
        a: fc.integer({ min: 0, max: 400 }),
        b: fc.integer({ min: 0, max: 400 }),
        limit: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
        batchSize: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
      })
      .map(({ a, b, limit, batchSize }) => ({
        interval: new TimeInterval(Math.min(a, b), Math.max(a, b)),
        limit,
        batchSize,
      })),
    { minLength: 1, maxLength },
  );
}

/** What random operations write to and delete from: a stream of a store or of a channel. */
export interface ModelledStream {
  write(items: StreamInstance[]): Promise<unknown>;
  writeBatch(batch: Batch): Promise<unknown>;
  deleteData(interval: TimeInterval | undefined): Promise<number>;
}

/** Applies `operations` to `stream` and to `model`: both must delete as many rows. */
export async function applyOperations(
  operations: readonly Operation[],
  stream: ModelledStream,
  model: Model,
): Promise<void> {
  for (const op of operations) {
    if (op.kind === 'delete') {
      const interval = op.all
        ? undefined
        : new TimeInterval(Math.min(op.a, op.b), Math.max(op.a, op.b));
      expect(await stream.deleteData(interval)).toBe(model.delete(interval));
      continue;
    }
    const ts = timestamps(op.values.length, op.start, op.shuffle, op.seed);
    const items = ts.map((timestamp, i) => ({ timestamp, value: op.values[i] }));
    if (op.kind === 'batch') await stream.writeBatch(batchFromInstances(items));
    else await stream.write(items);
    model.write(items);
  }
}

/** Checks the batches of a columnar read: none empty, at most `batchSize` rows, times increasing. */
export function expectOrderedBatches(
  batches: readonly Batch[],
  batchSize: number | undefined,
): void {
  for (const batch of batches) {
    expect(batch.length).toBeGreaterThan(0);
    if (batchSize !== undefined) expect(batch.length).toBeLessThanOrEqual(batchSize);
    for (let i = 1; i < batch.length; i++)
      expect(batch.timestamps[i]!).toBeGreaterThan(batch.timestamps[i - 1]!);
  }
}
