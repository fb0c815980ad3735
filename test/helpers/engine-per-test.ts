// The engine most workflow tests run on: in memory, on a virtual clock, fresh for every test.
import { afterEach, beforeEach } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { VirtualClock } from '../../src/time/clock.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import { resetCalls } from './workflow-tools.js';

/** An hour in ms: the test tools tick hourly. */
export const H = 3_600_000;

/** Hours `(a, b]`. */
export const iv = (a: number, b: number): TimeInterval => new TimeInterval(a * H, b * H);

/**
 * Gives every test of the calling file a new in-memory engine on a virtual clock at 0 (the test
 * tools' call counts reset), closed after the test; returns the current test's engine.
 */
export function enginePerTest(): () => Engine {
  let engine: Engine | undefined;
  beforeEach(async () => {
    resetCalls();
    engine = await Engine.create({ clock: new VirtualClock(0) });
  });
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });
  return () => {
    if (!engine) throw new Error('enginePerTest: the engine exists only while a test runs');
    return engine;
  };
}
