// The baselines' window lookup over a plain sorted array: a hand-written binary search.
import type { StreamInstance } from '../../src/streams/stream-instance.js';

/** Index of the first instance with timestamp > t. */
export function firstInstanceAfter(items: readonly StreamInstance[], t: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.timestamp <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
