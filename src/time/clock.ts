import type { Timestamp } from './timestamp.js';
import { checkTimestamp } from './timestamp.js';

/** Where "now" comes from: injectable, so tests and the online engine can run on virtual time. */
export interface Clock {
  now(): Timestamp;
}

/** The real wall clock. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** A clock that moves only when told: hours of schedule run in milliseconds of test time. */
export class VirtualClock implements Clock {
  #now: Timestamp;

  constructor(start: Timestamp = 0) {
    this.#now = checkTimestamp(start);
  }

  now(): Timestamp {
    return this.#now;
  }

  /** Sets the time; moving backwards is allowed (tests of clock skew). */
  set(time: Timestamp): void {
    this.#now = checkTimestamp(time);
  }

  /** Moves the time forward by `ms` and returns the new time. */
  advance(ms: number): Timestamp {
    this.#now = checkTimestamp(this.#now + ms);
    return this.#now;
  }
}
