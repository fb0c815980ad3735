import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import type { BackoffPolicy } from '../../../src/internal/backoff.js';
import { backoffDelay, checkBackoffPolicy } from '../../../src/internal/backoff.js';

const exponential: BackoffPolicy = { policy: 'exponential', delay: 1000, maxRetries: 5 };

/** A seeded uniform [0, 1) generator (mulberry32), so jittered schedules are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('backoffDelay', () => {
  it('is exact without jitter', () => {
    expect([1, 2, 3, 4].map((r) => backoffDelay(exponential, r))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay({ ...exponential, jitter: 'none' }, 3, () => 0)).toBe(4000);
  });

  it('full jitter draws from [0, d]; equal jitter from [d/2, d]', () => {
    const full = { ...exponential, jitter: 'full' } as const;
    const equal = { ...exponential, jitter: 'equal' } as const;
    expect(backoffDelay(full, 3, () => 0)).toBe(0);
    expect(backoffDelay(full, 3, () => 0.25)).toBe(1000);
    expect(backoffDelay(equal, 3, () => 0)).toBe(2000);
    expect(backoffDelay(equal, 3, () => 0.5)).toBe(3000);
    expect(backoffDelay(equal, 3, () => 0.999_999)).toBe(4000);
  });

  it('spreads services that fail together, reproducibly with a seeded generator', () => {
    const equal = { ...exponential, jitter: 'equal' } as const;
    const delays = Array.from({ length: 20 }, (_, i) => backoffDelay(equal, 2, seeded(i)));
    expect(new Set(delays).size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(1000);
      expect(d).toBeLessThanOrEqual(2000);
    }
    expect(Array.from({ length: 20 }, (_, i) => backoffDelay(equal, 2, seeded(i)))).toEqual(delays);
  });

  it('keeps the ceiling before jitter and the floor after it', () => {
    const policy: BackoffPolicy = {
      ...exponential,
      jitter: 'full',
      floor: 500,
      ceiling: 3000,
    };
    expect(backoffDelay(policy, 5, () => 0.999_999)).toBe(3000);
    expect(backoffDelay(policy, 5, () => 0)).toBe(500);
  });

  it('rejects an unknown jitter', () => {
    expect(() =>
      checkBackoffPolicy({ ...exponential, jitter: 'some' as unknown as 'full' }),
    ).toThrow(InvalidArgumentError);
  });
});
