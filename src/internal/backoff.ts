import { InvalidArgumentError } from '../errors.js';

/** How long to wait before each retry of a failed piece. */
export interface BackoffPolicy {
  readonly policy: 'constant' | 'linear' | 'exponential';
  /** The first retry's delay in ms (and the step of `linear`). */
  readonly delay: number;
  /** Growth per retry of `exponential` (default 2). */
  readonly factor?: number;
  /** No delay is shorter than this (ms). */
  readonly floor?: number;
  /** No delay is longer than this (ms). */
  readonly ceiling?: number;
  /** Retries after the first attempt; 0 means no retry. */
  readonly maxRetries: number;
  /**
   * Randomises each delay so that services failing together do not retry in lockstep:
   * `full` waits a uniform random time in `[0, d]`, `equal` in `[d/2, d]` (never less than half),
   * `none` (the default here) exactly `d`, where `d` is the clamped delay. The floor still holds.
   */
  readonly jitter?: BackoffJitter;
}

/** How a retry delay is randomised (see {@link BackoffPolicy.jitter}). */
export type BackoffJitter = 'none' | 'full' | 'equal';

/**
 * The delay in ms before retry number `retry` (1 = the first retry): `delay` for constant,
 * `delay × retry` for linear, `delay × factor^(retry − 1)` for exponential, clamped to
 * `[floor, ceiling]`, then randomised as `policy.jitter` says (never below `floor`). `random`
 * (uniform in `[0, 1)`, default `Math.random`) is injectable, so tests and virtual-clock runs can
 * make jittered schedules exact.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(retry) || retry < 1) {
    throw new InvalidArgumentError(
      `invalid retry number ${String(retry)}: expected an integer from 1`,
    );
  }
  let delay: number;
  switch (policy.policy) {
    case 'constant':
      delay = policy.delay;
      break;
    case 'linear':
      delay = policy.delay * retry;
      break;
    case 'exponential':
      delay = policy.delay * (policy.factor ?? 2) ** (retry - 1);
      break;
  }
  if (policy.ceiling !== undefined) delay = Math.min(delay, policy.ceiling);
  if (policy.floor !== undefined) delay = Math.max(delay, policy.floor);
  switch (policy.jitter ?? 'none') {
    case 'full':
      delay = random() * delay;
      break;
    case 'equal':
      delay = delay / 2 + (random() * delay) / 2;
      break;
    case 'none':
      break;
  }
  if (policy.floor !== undefined) delay = Math.max(delay, policy.floor);
  return Math.round(delay);
}

/** Checks a policy's numbers; {@link InvalidArgumentError} names the field at fault. */
export function checkBackoffPolicy(policy: BackoffPolicy): BackoffPolicy {
  const bad = (field: string, expected: string): never => {
    throw new InvalidArgumentError(`invalid backoff policy: ${field} ${expected}`, { field });
  };
  if (!(policy.delay >= 0)) bad('delay', 'must be a duration of 0 ms or more');
  if (policy.factor !== undefined && !(policy.factor >= 1)) bad('factor', 'must be 1 or more');
  if (!Number.isInteger(policy.maxRetries) || policy.maxRetries < 0) {
    bad('maxRetries', 'must be an integer of 0 or more');
  }
  if (policy.floor !== undefined && policy.ceiling !== undefined && policy.floor > policy.ceiling) {
    bad('floor', 'must not exceed ceiling');
  }
  if (policy.jitter !== undefined && !['none', 'full', 'equal'].includes(policy.jitter)) {
    bad('jitter', 'must be "none", "full" or "equal"');
  }
  return policy;
}

/** The default: three retries, 1 s, 2 s, 4 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({
  policy: 'exponential',
  delay: 1000,
  factor: 2,
  maxRetries: 3,
});
