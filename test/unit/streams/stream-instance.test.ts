import { describe, expect, it } from 'vitest';
import { ValueNotStorableError } from '../../../src/errors.js';
import { checkInstanceTimestamp } from '../../../src/streams/stream-instance.js';

describe('checkInstanceTimestamp', () => {
  it('names a bad timestamp even when it cannot be turned into text (found by a property test)', () => {
    const broken = { toString: {} };
    expect(() => checkInstanceTimestamp(broken, 's')).toThrow(ValueNotStorableError);
    expect(() => checkInstanceTimestamp(broken, 's')).toThrow(/at timestamp \[object Object\]/);
    expect(() => checkInstanceTimestamp(Object.create(null), 's')).toThrow(ValueNotStorableError);
  });
});
