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
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoWriteConcernError
  ) {
    return true;
  }
  return (
    error instanceof MongoError &&
    (error.hasErrorLabel('RetryableWriteError') || error.hasErrorLabel('TransientTransactionError'))
  );
}
