// How failed pieces are retried on the queue: a default backoff policy, and rules per workflow or
// factor (the most specific rule wins). BullMQ keeps the attempts and schedules the retries (its
// delayed set); the delay of each retry is our backoff policy, the same as the online engine's.
import type { BackoffPolicy } from '../internal/backoff.js';
import { backoffDelay, checkBackoffPolicy } from '../internal/backoff.js';
import type { WorkPiece } from '../kinds/work-piece.js';

/** A retry policy for the pieces of one workflow, or of one factor of it. */
export interface RetryRule {
  readonly workflow: string;
  /** Only this factor's pieces; every factor of the workflow when absent. */
  readonly factor?: string;
  readonly retry: BackoffPolicy;
}

/** Default of queued pieces: exponential from 1 s, ×2, 3 retries, equal jitter. */
export const DEFAULT_QUEUE_RETRY: BackoffPolicy = Object.freeze({
  policy: 'exponential',
  delay: 1000,
  factor: 2,
  maxRetries: 3,
  jitter: 'equal',
});

/** The name of our backoff strategy in BullMQ job options (`backoff: { type }`). */
export const BACKOFF_TYPE = 'hyperstream';

/** Picks a piece's policy: its factor's rule, else its workflow's, else the default. */
export function retryPolicyFor(
  piece: Pick<WorkPiece, 'workflow' | 'factor'>,
  rules: readonly RetryRule[],
  fallback: BackoffPolicy,
): BackoffPolicy {
  const factor = rules.find((r) => r.workflow === piece.workflow && r.factor === piece.factor);
  if (factor) return factor.retry;
  const workflow = rules.find((r) => r.workflow === piece.workflow && r.factor === undefined);
  return workflow?.retry ?? fallback;
}

/** Checks every policy (an `InvalidArgumentError` naming the bad field). */
export function checkRetryRules(fallback: BackoffPolicy, rules: readonly RetryRule[]): void {
  checkBackoffPolicy(fallback);
  for (const rule of rules) checkBackoffPolicy(rule.retry);
}

/**
 * The delay before the next attempt of a job that failed `attemptsMade` times, from the policy
 * the job carries: BullMQ's custom backoff strategy hook.
 */
export function queueBackoffDelay(
  attemptsMade: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  return backoffDelay(policy, Math.max(1, attemptsMade), random);
}
