import { describe, expect, it } from 'vitest';
import type { BackoffPolicy } from '../../../src/internal/backoff.js';
import {
  DEFAULT_QUEUE_RETRY,
  checkRetryRules,
  queueBackoffDelay,
  retryPolicyFor,
} from '../../../src/distributed/retry.js';

const constant: BackoffPolicy = { policy: 'constant', delay: 100, maxRetries: 1 };
const linear: BackoffPolicy = { policy: 'linear', delay: 300, maxRetries: 2 };
const exponential: BackoffPolicy = {
  policy: 'exponential',
  delay: 1000,
  factor: 3,
  maxRetries: 4,
  jitter: 'full',
};

describe('queue retry policies', () => {
  const rules = [
    { workflow: 'w', retry: linear },
    { workflow: 'w', factor: 'f', retry: exponential },
  ];

  it('picks the factor rule over the workflow rule over the default', () => {
    expect(retryPolicyFor({ workflow: 'w', factor: 'f' }, rules, constant)).toBe(exponential);
    expect(retryPolicyFor({ workflow: 'w', factor: 'g' }, rules, constant)).toBe(linear);
    expect(retryPolicyFor({ workflow: 'other', factor: 'f' }, rules, constant)).toBe(constant);
  });

  it('gives BullMQ the delay of each retry: constant, linear, exponential with jitter', () => {
    expect([1, 2, 3].map((n) => queueBackoffDelay(n, constant))).toEqual([100, 100, 100]);
    expect([1, 2, 3].map((n) => queueBackoffDelay(n, linear))).toEqual([300, 600, 900]);
    // Full jitter: a uniform share of 1000 × 3^(n−1).
    expect([1, 2, 3].map((n) => queueBackoffDelay(n, exponential, () => 0.5))).toEqual([
      500, 1500, 4500,
    ]);
    expect(queueBackoffDelay(2, exponential, () => 0)).toBe(0);
    // Equal jitter (the default): never less than half.
    for (const r of [0, 0.3, 0.999]) {
      const d = queueBackoffDelay(2, DEFAULT_QUEUE_RETRY, () => r);
      expect(d).toBeGreaterThanOrEqual(1000);
      expect(d).toBeLessThanOrEqual(2000);
    }
  });

  it('refuses a bad policy in a rule, naming the field', () => {
    expect(() =>
      checkRetryRules(constant, [{ workflow: 'w', retry: { ...linear, maxRetries: -1 } }]),
    ).toThrow(/maxRetries/);
  });
});
