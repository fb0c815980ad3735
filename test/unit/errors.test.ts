import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

describe('errors', () => {
  const classes = Object.entries(api).filter(
    ([name, value]) =>
      typeof value === 'function' &&
      /^[A-Z]\w*Error$/.test(name) &&
      !name.startsWith('Hyperstream'),
  ) as [string, new (...args: never[]) => Error][];

  it('every exported error class is a HyperstreamError with a stable code from ErrorCode', () => {
    const codes = new Set(Object.values(api.ErrorCode));
    expect(classes.length).toBeGreaterThan(20);
    for (const [name, ErrorClass] of classes) {
      expect(ErrorClass.prototype instanceof api.HyperstreamError, name).toBe(true);
    }
    const error = new api.StreamNotFoundError('x', 'memory');
    expect(codes.has(error.code)).toBe(true);
    expect(error.name).toBe('StreamNotFoundError');
    expect(error.details).toEqual({ stream: 'x', channel: 'memory' });
  });

  it('splits usage errors from runtime errors', () => {
    expect(new api.ToolParameterError('m')).toBeInstanceOf(api.HyperstreamUsageError);
    expect(new api.ToolExecutionError('m')).toBeInstanceOf(api.HyperstreamRuntimeError);
    expect(new api.StorageError('m', {}, undefined, true).retryable).toBe(true);
  });

  it('keeps the cause and is recognised without instanceof', () => {
    const cause = new Error('disk full');
    const error = new api.ToolExecutionError('tool failed', { tool: 't' }, cause);
    expect(error.cause).toBe(cause);
    expect(api.isHyperstreamError(error)).toBe(true);
    expect(api.isHyperstreamError(new Error('plain'))).toBe(false);
    expect(api.isHyperstreamError({ code: 'INVALID_INTERVAL' })).toBe(false);
    expect(api.isHyperstreamError(null)).toBe(false);
  });
});

describe('errors from another copy of the package', () => {
  it('are recognised by instanceof through the recorded class names', () => {
    // Simulate a second copy: a structurally identical error built outside this module's classes.
    const foreign = new api.ToolParameterError('bad');
    const clone = Object.assign(Object.create(Error.prototype) as object, foreign);
    for (const symbol of Object.getOwnPropertySymbols(foreign)) {
      (clone as Record<symbol, unknown>)[symbol] = (foreign as unknown as Record<symbol, unknown>)[
        symbol
      ];
    }
    expect(clone instanceof api.ToolParameterError).toBe(true);
    expect(clone instanceof api.HyperstreamUsageError).toBe(true);
    expect(clone instanceof api.ToolExecutionError).toBe(false);
    expect(api.isHyperstreamError(clone)).toBe(true);
  });
});
