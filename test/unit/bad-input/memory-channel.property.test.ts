// Bad input to memory channel writes: a batch of instances with timestamps of any type is either
// written whole or refused with ValueNotStorableError, and a refused batch writes nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryChannel } from '../../../src/channels/memory-channel.js';
import { ValueNotStorableError } from '../../../src/errors.js';
import { collect } from '../../../src/internal/async.js';
import type { StreamInstance } from '../../../src/streams/stream-instance.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { MAX_DATE, MIN_DATE } from '../../../src/time/timestamp.js';
import { RUNS, oddValue, outcomeAsync } from './typed-error.js';

const goodTimestamp = fc.integer({ min: -5, max: 5 });
const anyTimestamp = fc.oneof(
  { weight: 8, arbitrary: goodTimestamp },
  { weight: 1, arbitrary: fc.constantFrom(MIN_DATE, MAX_DATE, MIN_DATE - 1, MAX_DATE + 1, 0.5) },
  { weight: 1, arbitrary: oddValue },
);
const anyValue = fc.oneof(fc.anything({ maxDepth: 2 }), oddValue);
const batch = fc.array(fc.record({ timestamp: anyTimestamp, value: anyValue }), { maxLength: 6 });

function isValidTimestamp(t: unknown): t is number {
  return typeof t === 'number' && Number.isInteger(t) && t > MIN_DATE && t <= MAX_DATE;
}

async function contents(channel: MemoryChannel, name: string): Promise<StreamInstance[]> {
  return await collect(channel.getResults(name, TimeInterval.allTime()));
}

describe('memory channel writes (bad input)', () => {
  it('a batch is written whole (later equal timestamps win) or refused whole with ValueNotStorableError', async () => {
    const channel = new MemoryChannel('bad-input');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ timestamp: goodTimestamp, value: fc.integer() }), { maxLength: 4 }),
        batch,
        async (earlier, attempt) => {
          const name = `s${++run}`;
          await channel.createStream(name);
          await channel.writeInstances(name, earlier);
          const before = await contents(channel, name);
          const result = await outcomeAsync(
            async () => await channel.writeInstances(name, attempt as StreamInstance[]),
            [ValueNotStorableError],
          );
          const after = await contents(channel, name);
          const allValid = attempt.every((item) => isValidTimestamp(item.timestamp));
          expect(result.ok).toBe(allValid);
          if (!result.ok) {
            expect(after).toEqual(before);
            return;
          }
          // The expected contents: the earlier writes, then the batch, the last write of a time winning.
          const expected = new Map<number, unknown>();
          for (const item of [...before, ...(attempt as StreamInstance[])]) {
            expected.set(item.timestamp, item.value);
          }
          // `+ 0` turns a stored -0 into 0, as Map keys do.
          expect(after.map((i) => i.timestamp + 0)).toEqual(
            [...expected.keys()].sort((a, b) => a - b),
          );
          // Equal values (stores rebuild struct-like objects from their columns: not the same objects).
          for (const item of after) expect(item.value).toStrictEqual(expected.get(item.timestamp));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// Counterexamples the property found, kept as plain examples.
describe('regressions found by the bad-input properties', () => {
  it('an instance at MIN_DATE is refused: it was stored but no (start, end] window could read it', async () => {
    const channel = new MemoryChannel();
    await channel.createStream('s');
    await expect(channel.writeInstances('s', [{ timestamp: MIN_DATE, value: [] }])).rejects.toThrow(
      ValueNotStorableError,
    );
    await channel.writeInstances('s', [{ timestamp: MIN_DATE + 1, value: [] }]);
    expect(await contents(channel, 's')).toEqual([{ timestamp: MIN_DATE + 1, value: [] }]);
  });
});
