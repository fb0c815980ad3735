/**
 * The error catalogue. Every failure the engine reports is one of these classes, each with a
 * stable `code`. Usage errors (bad input, bad configuration) extend {@link HyperstreamUsageError};
 * failures while running (storage, tools) extend {@link HyperstreamRuntimeError}.
 */

/** Stable error codes, one per failure; listed in README. */
export const ErrorCode = {
  INVALID_INTERVAL: 'INVALID_INTERVAL',
  INVALID_DURATION: 'INVALID_DURATION',
  INVALID_TIMESTAMP: 'INVALID_TIMESTAMP',
  INVALID_STREAM_ID: 'INVALID_STREAM_ID',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  STREAM_NOT_FOUND: 'STREAM_NOT_FOUND',
  STREAM_ALREADY_EXISTS: 'STREAM_ALREADY_EXISTS',
  STREAM_NOT_AVAILABLE: 'STREAM_NOT_AVAILABLE',
  CHANNEL_NOT_FOUND: 'CHANNEL_NOT_FOUND',
  CHANNEL_ALREADY_EXISTS: 'CHANNEL_ALREADY_EXISTS',
  CHANNEL_READ_ONLY: 'CHANNEL_READ_ONLY',
  VALUE_NOT_STORABLE: 'VALUE_NOT_STORABLE',
  STORAGE_FAILED: 'STORAGE_FAILED',
  TOOL_NOT_FOUND: 'TOOL_NOT_FOUND',
  TOOL_LOAD_FAILED: 'TOOL_LOAD_FAILED',
  TOOL_PARAMETERS_INVALID: 'TOOL_PARAMETERS_INVALID',
  TOOL_EXECUTION_FAILED: 'TOOL_EXECUTION_FAILED',
  TOOL_TIMEOUT: 'TOOL_TIMEOUT',
  FUNCTION_NOT_REGISTERED: 'FUNCTION_NOT_REGISTERED',
  META_DATA_INVALID: 'META_DATA_INVALID',
  PLATE_NOT_FOUND: 'PLATE_NOT_FOUND',
  PLATE_MISMATCH: 'PLATE_MISMATCH',
  WORKFLOW_NOT_FOUND: 'WORKFLOW_NOT_FOUND',
  WORKFLOW_DEFINITION_INVALID: 'WORKFLOW_DEFINITION_INVALID',
  WORKFLOW_EXECUTION_FAILED: 'WORKFLOW_EXECUTION_FAILED',
  EXECUTION_ABORTED: 'EXECUTION_ABORTED',
  CONFIG_INVALID: 'CONFIG_INVALID',
  PATH_OUTSIDE_ROOT: 'PATH_OUTSIDE_ROOT',
  CSV_INVALID: 'CSV_INVALID',
  UI_SERVER_FAILED: 'UI_SERVER_FAILED',
} as const;
/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const HYPERSTREAM_ERROR = Symbol.for('hyperstream.error');

/** Details that locate a failure: the stream, interval, tool, path… it concerns. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** Base of every error the engine throws. */
export class HyperstreamError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  readonly [HYPERSTREAM_ERROR]: readonly string[];

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.details = details;
    this.name = new.target.name;
    this[HYPERSTREAM_ERROR] = classNames(new.target);
  }

  /**
   * `instanceof` also recognises errors thrown by another copy of this package (a tool file
   * loaded from disk has its own), by the class names recorded on the error.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const names = isHyperstreamError(value) ? value[HYPERSTREAM_ERROR] : undefined;
    return names !== undefined && names.includes(this.name);
  }
}

function classNames(target: unknown): string[] {
  const names: string[] = [];
  for (
    let c = target as { name?: string } | null;
    c && c !== Error;
    c = Object.getPrototypeOf(c) as typeof c
  ) {
    if (c.name) names.push(c.name);
  }
  return names;
}

/** True for any error thrown by this package, even one from another copy of it (no `instanceof`). */
export function isHyperstreamError(error: unknown): error is HyperstreamError {
  return (
    typeof error === 'object' &&
    error !== null &&
    Array.isArray((error as Record<symbol, unknown>)[HYPERSTREAM_ERROR])
  );
}

/** The caller's input or configuration is wrong; the CLI exits with 2. */
export class HyperstreamUsageError extends HyperstreamError {}

/** Something failed while running (storage, a tool); the CLI exits with 1. */
export class HyperstreamRuntimeError extends HyperstreamError {}

/** A time interval (or interval string) is malformed, reversed or non-finite. */
export class InvalidIntervalError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(ErrorCode.INVALID_INTERVAL, message, details, cause);
  }
}

/** A duration (ISO 8601 or number of milliseconds) cannot be understood. */
export class InvalidDurationError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(ErrorCode.INVALID_DURATION, message, details, cause);
  }
}

/** A timestamp is not a finite number of epoch milliseconds, a valid Date or ISO string. */
export class InvalidTimestampError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(ErrorCode.INVALID_TIMESTAMP, message, details, cause);
  }
}

/** A stream id (name or meta-data) is malformed. */
export class InvalidStreamIdError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(ErrorCode.INVALID_STREAM_ID, message, details);
  }
}

/** An argument to an API call is out of its allowed range or shape. */
export class InvalidArgumentError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(ErrorCode.INVALID_ARGUMENT, message, details);
  }
}

/** No stream with that id exists in the channel. */
export class StreamNotFoundError extends HyperstreamUsageError {
  constructor(streamKey: string, channelId: string) {
    super(
      ErrorCode.STREAM_NOT_FOUND,
      `stream "${streamKey}" not found in channel "${channelId}": create it first or check the name and meta-data`,
      { stream: streamKey, channel: channelId },
    );
  }
}

/** `createStream` was asked for a stream that already exists. */
export class StreamAlreadyExistsError extends HyperstreamUsageError {
  constructor(streamKey: string, channelId: string) {
    super(
      ErrorCode.STREAM_ALREADY_EXISTS,
      `stream "${streamKey}" already exists in channel "${channelId}": use getOrCreateStream to reuse it`,
      { stream: streamKey, channel: channelId },
    );
  }
}

/** A read asked for data beyond what the channel can provide yet (its `upToTimestamp`). */
export class StreamNotAvailableError extends HyperstreamRuntimeError {
  constructor(streamKey: string, channelId: string, requestedEnd: number, upToTimestamp: number) {
    super(
      ErrorCode.STREAM_NOT_AVAILABLE,
      `stream "${streamKey}" in channel "${channelId}" is available up to ${isoOrNumber(upToTimestamp)}, ` +
        `but data up to ${isoOrNumber(requestedEnd)} was requested: update the channel first or ask for less`,
      { stream: streamKey, channel: channelId, requestedEnd, upToTimestamp },
    );
  }
}

/** No channel with that id is registered. */
export class ChannelNotFoundError extends HyperstreamUsageError {
  constructor(channelId: string, known: readonly string[]) {
    super(
      ErrorCode.CHANNEL_NOT_FOUND,
      `channel "${channelId}" not found; known channels: ${known.length ? known.join(', ') : '(none)'}`,
      { channel: channelId, known },
    );
  }
}

/** A channel with that id is already registered. */
export class ChannelAlreadyExistsError extends HyperstreamUsageError {
  constructor(channelId: string) {
    super(
      ErrorCode.CHANNEL_ALREADY_EXISTS,
      `channel "${channelId}" is already registered: choose another id or remove the existing channel first`,
      { channel: channelId },
    );
  }
}

/** A write, purge or stream creation was attempted on a read-only channel. */
export class ChannelReadOnlyError extends HyperstreamUsageError {
  constructor(channelId: string, operation: string) {
    super(
      ErrorCode.CHANNEL_READ_ONLY,
      `channel "${channelId}" is read-only: cannot ${operation}; write to a memory or database channel instead`,
      { channel: channelId, operation },
    );
  }
}

/** A value cannot be stored (a function, a symbol, a non-finite timestamp, a forbidden key…). */
export class ValueNotStorableError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(ErrorCode.VALUE_NOT_STORABLE, message, details);
  }
}

/** The storage backend failed (a lost connection, a rejected write); often worth retrying. */
export class StorageError extends HyperstreamRuntimeError {
  readonly retryable: boolean;
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown, retryable = false) {
    super(ErrorCode.STORAGE_FAILED, message, details, cause);
    this.retryable = retryable;
  }
}

/** No tool of that name (or no version matching the request) is in the tool channels. */
export class ToolNotFoundError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(ErrorCode.TOOL_NOT_FOUND, message, details);
  }
}

/** A tool file could not be loaded: a syntax error, no export, or an export that is not a tool. */
export class ToolLoadError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(ErrorCode.TOOL_LOAD_FAILED, message, details, cause);
  }
}

/** Tool parameters are wrong, missing or unknown; `details.issues` keeps the zod issues. */
export class ToolParameterError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(ErrorCode.TOOL_PARAMETERS_INVALID, message, details);
  }
}

/** A tool threw (or produced invalid output) while computing a sink over an interval. */
export class ToolExecutionError extends HyperstreamRuntimeError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(ErrorCode.TOOL_EXECUTION_FAILED, message, details, cause);
  }
}

/** A tool ran longer than its per-piece timeout. */
export class ToolTimeoutError extends HyperstreamRuntimeError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(ErrorCode.TOOL_TIMEOUT, message, details);
  }
}

/** A definition refers to a named function that is not in the function registry. */
export class FunctionNotRegisteredError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(ErrorCode.FUNCTION_NOT_REGISTERED, message, details);
  }
}

/** A meta-data tree operation is invalid (unknown parent, duplicate node, bad identifier). */
export class MetaDataError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(ErrorCode.META_DATA_INVALID, message, details);
  }
}

/** No plate with that id is defined. */
export class PlateNotFoundError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(ErrorCode.PLATE_NOT_FOUND, message, details);
  }
}

/** A factor's source, sink or alignment plates do not fit together. */
export class PlateMismatchError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(ErrorCode.PLATE_MISMATCH, message, details);
  }
}

/** No workflow with that id is known. */
export class WorkflowNotFoundError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(ErrorCode.WORKFLOW_NOT_FOUND, message, details);
  }
}

/** A workflow definition (built in code or loaded from JSON) is invalid. */
export class WorkflowDefinitionError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(ErrorCode.WORKFLOW_DEFINITION_INVALID, message, details, cause);
  }
}

/** A workflow run failed; `details.session` holds the record of what did complete. */
export class WorkflowExecutionError extends HyperstreamRuntimeError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(ErrorCode.WORKFLOW_EXECUTION_FAILED, message, details, cause);
  }
}

/** A run was stopped on request (signal or `AbortSignal`) before it finished; nothing partial was recorded. */
export class ExecutionAbortedError extends HyperstreamRuntimeError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(ErrorCode.EXECUTION_ABORTED, message, details);
  }
}

/** A configuration file or object is invalid; the message names the file and the path inside it. */
export class ConfigError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(ErrorCode.CONFIG_INVALID, message, details, cause);
  }
}

/** A path escapes the folder it must stay in (`..`, an absolute path or a symlink). */
export class PathOutsideRootError extends HyperstreamUsageError {
  constructor(path: string, root: string) {
    super(
      ErrorCode.PATH_OUTSIDE_ROOT,
      `path "${path}" is outside the allowed folder "${root}": keep files inside the configured folder`,
      { path, root },
    );
  }
}

function isoOrNumber(t: number): string {
  return Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : String(t);
}

/** CSV text cannot be parsed (an unterminated or stray quote); the message names the file, line and column. */
export class InvalidCsvError extends HyperstreamUsageError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(ErrorCode.CSV_INVALID, message, details, cause);
  }
}

/** The web view cannot start: its browser files are not built, or its address cannot be bound. */
export class UiServerError extends HyperstreamRuntimeError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(ErrorCode.UI_SERVER_FAILED, message, details, cause);
  }
}
