import {
  MongoError,
  MongoNetworkError,
  MongoServerSelectionError,
  MongoWriteConcernError,
} from 'mongodb';
import { StorageError, isHyperstreamError } from '../../errors.js';

/** Error code of a duplicate key (unique index violation). */
export const DUPLICATE_KEY = 11000;

/** Turns a driver failure into a {@link StorageError}; errors of this package pass through unchanged. */
export function toStorageError(
  error: unknown,
  operation: string,
  details: Record<string, unknown>,
): unknown {
  if (isHyperstreamError(error)) return error;
  const retryable = isRetryable(error);
  const reason = error instanceof Error ? error.message : String(error);
  const where = typeof details.stream === 'string' ? ` for stream "${details.stream}"` : '';
  const channel = typeof details.channel === 'string' ? ` in channel "${details.channel}"` : '';
  const fix = retryable
    ? 'check that the MongoDB server is reachable and retry'
    : 'check the server log and the MongoDB user permissions';
  return new StorageError(
    `MongoDB ${operation} failed${where}${channel}: ${reason}; ${fix}`,
    {
      ...details,
      operation,
      ...(error instanceof MongoError && error.code !== undefined ? { mongoCode: error.code } : {}),
    },
    error,
    retryable,
  );
}

function isRetryable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (
      e instanceof MongoNetworkError ||
      e instanceof MongoServerSelectionError ||
      e instanceof MongoWriteConcernError
    ) {
      return true;
    }
    // A bulk write cut by a closed connection arrives as a MongoBulkWriteError with no cause: the
    // driver's ResetPool label (set on network failures) is what says the server went away.
    if (
      e instanceof MongoError &&
      (e.hasErrorLabel('RetryableWriteError') ||
        e.hasErrorLabel('TransientTransactionError') ||
        e.hasErrorLabel('ResetPool'))
    ) {
      return true;
    }
  }
  return false;
}
