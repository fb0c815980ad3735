// Column batches through the sink writer: checked once per batch with the same typed errors as
// instances, mixed with instances in order, and written with the values they hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryChannel } from '../../../src/channels/memory-channel.js';
import { SinkWriter } from '../../../src/engine/sink-writer.js';
import { ToolExecutionError } from '../../../src/errors.js';
import { collect } from '../../../src/internal/async.js';
import {
  batchFromInstances,
  makeBatch,
  numberColumn,
  objectColumn,
  structColumn,
} from '../../../src/streams/batch.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import type { StreamInstance } from '../../../src/streams/stream-instance.js';
import { TimeInterval } from '../../../src/time/time-interval.js';

const sink = StreamId.of('out');
const piece = new TimeInterval(100, 200);

function writer(channel = new MemoryChannel()): { channel: MemoryChannel; writer: SinkWriter } {
  return { channel, writer: new SinkWriter(channel, [sink], piece, 'tool@1.0.0') };
}

describe('SinkWriter with column batches', () => {
  it('refuses timestamps outside the piece or not increasing, and values that cannot be stored', async () => {
    const outside = writer().writer;
    expect(() => outside.addBatch(sink, makeBatch([150, 201], numberColumn([1, 2])))).toThrow(
      ToolExecutionError,
    );
    const atStart = writer().writer;
    expect(() => atStart.addBatch(sink, makeBatch([100], numberColumn([1])))).toThrow(
      /outside the piece/,
    );
    const backwards = writer().writer;
    await backwards.add(sink, { timestamp: 150, value: 1 });
    expect(() => backwards.addBatch(sink, makeBatch([150, 160], numberColumn([1, 2])))).toThrow(
      /strictly increasing/,
    );
    const unstorable = writer().writer;
    expect(() =>
      unstorable.addBatch(
        sink,
        makeBatch(
          [110, 120],
          structColumn({ a: numberColumn([1, 2]), f: objectColumn([null, () => 1]) }),
        ),
      ),
    ).toThrow(/cannot be stored at 120: value\.f is function/);
    const missing = writer().writer;
    expect(() => missing.addBatch(sink, makeBatch([110], objectColumn([undefined])))).toThrow(
      /value is undefined/,
    );
    const inconsistent = writer().writer;
    expect(() =>
      inconsistent.addBatch(sink, {
        length: 2,
        timestamps: new Float64Array([110, 120]),
        values: numberColumn([1]),
      }),
    ).toThrow(ToolExecutionError);
  });

  it('writes instances and batches mixed, in order, as the instances alone would be written', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 101, max: 200 }), { minLength: 1, maxLength: 60 }),
        fc.array(
          fc.oneof(fc.integer(), fc.string(), fc.record({ a: fc.integer(), b: fc.string() })),
          {
            minLength: 60,
            maxLength: 60,
          },
        ),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
        async (times, values, cuts, asBatch) => {
          const items: StreamInstance[] = [...times]
            .sort((a, b) => a - b)
            .map((timestamp, i) => ({ timestamp, value: values[i] }));
          const { channel, writer: w } = writer();
          let at = 0;
          for (let part = 0; at < items.length; part++) {
            const slice = items.slice(at, at + cuts[part % cuts.length]!);
            at += slice.length;
            if (asBatch[part % asBatch.length]) await w.addBatch(sink, batchFromInstances(slice));
            else await w.addAll(sink, slice);
          }
          expect(await w.finish()).toBe(items.length);
          expect(await collect(channel.getResults(sink, piece))).toEqual(items);
        },
      ),
      { numRuns: 200 },
    );
  });
});
