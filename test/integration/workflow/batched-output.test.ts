// Tools may yield batches (arrays) of outputs as well as single outputs: the runner accepts both,
// validates every instance of a batch, and writes batches larger than a write batch whole.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Engine } from '../../../src/engine/engine.js';
import { WorkflowExecutionError } from '../../../src/errors.js';
import { WRITE_BATCH_SIZE } from '../../../src/engine/sink-writer.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import type { StreamInstance } from '../../../src/streams/stream-instance.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import type { TaggedInstance } from '../../../src/tools/tool.js';
import { defineTool } from '../../../src/tools/tool.js';

let engine: Engine;
beforeEach(async () => {
  engine = await Engine.create();
});
afterEach(async () => {
  await engine.close();
});

/** One instance per ms of the interval, yielded as batches of `size` then singles, as told. */
const counter = defineTool({
  name: 'batched_counter',
  version: '1.0.0',
  kind: 'tool',
  params: z.strictObject({
    size: z.number().int().min(1),
    /** Timestamp offsets (from the first instance) to yield out of order, to test validation. */
    swap: z.number().int().optional(),
    /** Yield one instance past the end of the interval at the end of the first batch. */
    overshoot: z.boolean().default(false),
  }),
  async *execute({ interval, params }) {
    let batch: StreamInstance[] = [];
    for (let t = interval.start + 1; t <= interval.end; t++) {
      batch.push({ timestamp: t, value: t % 7 });
      if (batch.length === params.size) {
        if (params.swap !== undefined) {
          const a = batch[params.swap]!;
          batch[params.swap] = batch[params.swap + 1]!;
          batch[params.swap + 1] = a;
        }
        if (params.overshoot) batch.push({ timestamp: interval.end + 1, value: 0 });
        yield batch;
        batch = [];
      }
    }
    // The rest one by one: single outputs and batches mix.
    for (const item of batch) yield item;
  },
});

/** Sends each instance to plate value "a" or "b" by parity, in batches of 3. */
const parity = defineTool({
  name: 'batched_parity',
  version: '1.0.0',
  kind: 'multi-output',
  params: z.strictObject({ extra: z.string().optional() }),
  async *execute({ source, params }) {
    let batch: TaggedInstance[] = [];
    for await (const { timestamp, value } of source!.view) {
      batch.push({ timestamp, value, plateValue: timestamp % 2 ? 'a' : 'b' });
      if (params.extra !== undefined) batch.push({ timestamp, value, plateValue: params.extra });
      if (batch.length >= 3) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  },
});

async function read(id: StreamId, interval: TimeInterval): Promise<StreamInstance[]> {
  const out: StreamInstance[] = [];
  for await (const item of engine.channels.get('memory').getResults(id, interval)) out.push(item);
  return out;
}

describe('batched tool output', () => {
  it('writes batches (larger than a write batch too) and single outputs, in order', async () => {
    const n = 2 * WRITE_BATCH_SIZE + 123;
    const interval = new TimeInterval(0, n);
    const w = engine.workflow('batches');
    const sink = w.node('counted');
    w.factor({ tool: counter.create({ size: WRITE_BATCH_SIZE + 7 }), sink });
    const session = await w.execute(interval);
    expect(session.pieces.map((p) => p.documents)).toEqual([n]);
    const stored = await read(StreamId.of('counted'), interval);
    expect(stored).toHaveLength(n);
    expect(stored.every((item, i) => item.timestamp === i + 1 && item.value === (i + 1) % 7)).toBe(
      true,
    );
  });

  it('validates every instance of a batch: order and interval', async () => {
    const interval = new TimeInterval(0, 100);
    for (const [name, params, message] of [
      ['swapped', { size: 10, swap: 4 }, /strictly increasing/],
      ['overshoot', { size: 10, overshoot: true }, /outside the piece/],
    ] as const) {
      const w = engine.workflow(`bad_${name}`);
      w.factor({
        tool: counter.create(params),
        sink: w.node(name),
      });
      const error = await w.execute(interval).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowExecutionError);
      expect((error as Error).message).toMatch(message);
      // Nothing is recorded for the failed piece.
      const calculated = await engine.channels
        .get('memory')
        .getCalculatedIntervals(StreamId.of(name));
      expect(calculated.isEmpty).toBe(true);
    }
  });

  it('routes the instances of a multi-output batch to their plate values, and rejects unknown ones', async () => {
    for (const v of ['a', 'b']) await engine.plates.addMetaData([], 'p', v);
    await engine.plates.createPlate({ id: 'P', metaKey: 'p' });
    const interval = new TimeInterval(0, 10);
    const w = engine.workflow('split');
    const ticks = w.node('ticks');
    const split = w.node('split', { plates: ['P'] });
    w.factor({ tool: counter.create({ size: 4 }), sink: ticks });
    w.multiOutputFactor({ tool: parity.create({}), source: ticks, sink: split });
    await w.execute(interval);
    const a = await read(StreamId.of('split', { p: 'a' }), interval);
    const b = await read(StreamId.of('split', { p: 'b' }), interval);
    expect(a.map((x) => x.timestamp)).toEqual([1, 3, 5, 7, 9]);
    expect(b.map((x) => x.timestamp)).toEqual([2, 4, 6, 8, 10]);

    const bad = engine.workflow('split_bad');
    const badTicks = bad.node('bad_ticks');
    bad.factor({ tool: counter.create({ size: 4 }), sink: badTicks });
    bad.multiOutputFactor({
      tool: parity.create({ extra: 'zzz' }),
      source: badTicks,
      sink: bad.node('bad_split', { plates: ['P'] }),
    });
    await expect(bad.execute(interval)).rejects.toThrow(/plate value "zzz"/);
  });
});
