import { ValueNotStorableError } from '../errors.js';
import { MAX_DATE, MIN_DATE, formatTimestamp } from '../time/timestamp.js';

/** One document of a stream: a value at a timestamp (epoch ms). Unique by timestamp within a stream. */
export interface StreamInstance<T = unknown> {
  readonly timestamp: number;
  readonly value: T;
}

/** Builds a stream instance. */
export function instance<T>(timestamp: number, value: T): StreamInstance<T> {
  return { timestamp, value };
}

/**
 * Throws {@link ValueNotStorableError} unless `timestamp` is whole epoch ms in `(MIN_DATE, MAX_DATE]`.
 * `MIN_DATE` itself is refused: windows are `(start, end]`, so no window could ever read it.
 */
export function checkInstanceTimestamp(timestamp: unknown, streamKey: string): void {
  if (
    typeof timestamp !== 'number' ||
    !Number.isInteger(timestamp) ||
    timestamp <= MIN_DATE ||
    timestamp > MAX_DATE
  ) {
    throw new ValueNotStorableError(
      `cannot store an instance in stream "${streamKey}" at timestamp ${describe(timestamp)}: ` +
        `timestamps must be whole epoch milliseconds after ${formatTimestamp(MIN_DATE)} and up to ${formatTimestamp(MAX_DATE)}`,
      { stream: streamKey, timestamp: describe(timestamp) },
    );
  }
}

/** A value as text for a message, even one whose `toString` is broken (`{ toString: {} }`). */
function describe(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
