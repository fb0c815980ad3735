import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../../../src/tools/tool.js';
import { Engine } from '../../../src/engine/engine.js';
import { PlateMismatchError, WorkflowExecutionError } from '../../../src/errors.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import type { Workflow } from '../../../src/workflow/workflow.js';
import {
  calls,
  fanout,
  mean,
  pick,
  platesFromList,
  resetCalls,
  scale,
  ticker,
} from '../../helpers/workflow-tools.js';
import { H, iv, enginePerTest } from '../../helpers/engine-per-test.js';

const engine = enginePerTest();

async function houses(target: Engine): Promise<void> {
  for (const house of ['1', '2', '3']) {
    await target.plates.addMetaData([], 'house', house);
    for (const resident of ['A', 'B'])
      await target.plates.addMetaData([['house', house]], 'resident', resident);
  }
  await target.plates.createPlate({ id: 'H', metaKey: 'house' });
  await target.plates.createPlate({ id: 'H.R', metaKey: 'resident', parent: 'H' });
}

/** ticks → per house (×1, ×2, ×3) → per resident (×1, ×2) → mean per house → mean of the world; resident A per house. */
function houseWorkflow(target: Engine): Workflow {
  const w = target.workflow('houses');
  const ticks = w.node('ticks');
  const perHouse = w.node('per_house', { plates: ['H'] });
  const perResident = w.node('per_resident', { plates: ['H.R'] });
  const houseMean = w.node('house_mean', { plates: ['H'] });
  const world = w.node('world_mean');
  const residentA = w.node('resident_a', { plates: ['H'] });
  w.factor({ tool: ticker.create({ stride: H }), sink: ticks });
  w.multiOutputFactor({ tool: fanout.create({}), source: ticks, sink: perHouse });
  w.multiOutputFactor({ tool: fanout.create({}), source: perHouse, sink: perResident });
  w.aggregateFactor({ tool: mean.create({}), sources: [perResident], sink: houseMean });
  w.aggregateFactor({
    tool: mean.create({}),
    sources: [houseMean],
    sink: world,
    aggregationMetaKey: 'house',
  });
  w.selectorFactor({ tool: pick.create({ value: 'A' }), sources: [perResident], sink: residentA });
  return w;
}

async function dump(target: Engine): Promise<Record<string, [number, unknown][]>> {
  const memory = target.channels.get('memory');
  const out: Record<string, [number, unknown][]> = {};
  for (const stream of await memory.findStreams()) {
    const items: [number, unknown][] = [];
    for await (const item of memory.getResults(stream.id, TimeInterval.allTime()))
      items.push([item.timestamp, item.value]);
    out[stream.id.key] = items;
  }
  return out;
}

describe('plates', () => {
  it('runs multi-output, aggregate and selector factors for every plate value', async () => {
    await houses(engine());
    const w = houseWorkflow(engine());
    await w.execute(iv(0, 3));
    const data = await dump(engine());
    // house h (1-based) = t × h; resident r = t × h × r.
    expect(data['per_resident[house=2,resident=B]']).toEqual(
      [1, 2, 3].map((t) => [t * H, t * H * 2 * 2]),
    );
    expect(data['house_mean[house=3]']).toEqual(
      [1, 2, 3].map((t) => [t * H, (t * H * 3 * 1 + t * H * 3 * 2) / 2]),
    );
    expect(data['world_mean']).toEqual(
      [1, 2, 3].map((t) => [t * H, (t * H * 1.5 * (1 + 2 + 3)) / 3]),
    );
    expect(data['resident_a[house=2]']).toEqual([1, 2, 3].map((t) => [t * H, t * H * 2]));
    // Multi-output records the interval on every sink of the output plate.
    const calc = await engine()
      .channels.get('memory')
      .getCalculatedIntervals(StreamId.of('per_resident', { house: '1', resident: 'A' }));
    expect(calc.toJSON()).toEqual([iv(0, 3).toJSON()]);
    expect(calls).toMatchObject({ ticker: 1, fanout: 1 + 3, mean: 3 + 1, pick: 3 });
    resetCalls();
    await w.execute(iv(0, 3));
    expect(calls).toMatchObject({ ticker: 0, fanout: 0, mean: 0, pick: 0 });
  });

  it('gives identical results with concurrency', async () => {
    await houses(engine());
    await houseWorkflow(engine()).execute(iv(0, 24), { maxPieceSize: 5 * H });
    const other = await Engine.create();
    await houses(other);
    const session = await houseWorkflow(other).execute(iv(0, 24), {
      maxPieceSize: 5 * H,
      concurrency: 4,
    });
    expect(await dump(other)).toEqual(await dump(engine()));
    // No piece was computed twice although units ran side by side.
    const keys = session.pieces.map((p) => JSON.stringify([p.factor, p.plateValue, p.interval]));
    expect(new Set(keys).size).toBe(keys.length);
    await other.close();
  });

  it('supports nodes on any number of plates (Cartesian and nested)', async () => {
    await houses(engine());
    for (const t of ['0', '1']) await engine().plates.addMetaData([], 'test', t);
    for (const v of ['x', 'y']) await engine().plates.addMetaData([], 'variant', v);
    await engine().plates.createPlate({ id: 'T', metaKey: 'test' });
    await engine().plates.createPlate({ id: 'V', metaKey: 'variant', include: ['y'] });
    const w = engine().workflow('cartesian');
    const ticks = w.node('ticks_t', { plates: ['T'] });
    const three = w.node('three', { plates: ['T', 'V', 'H.R'] });
    expect(three.plateValues()).toHaveLength(2 * 1 * 6);
    expect(w.node('nested', { plates: ['H', 'H.R'] }).plateValues()).toHaveLength(6);
    w.factor({ tool: ticker.create({ stride: H }), sink: ticks });
    w.factor({ tool: scale.create({ factor: 10 }), sources: [ticks], sink: three });
    await w.execute(iv(0, 2));
    const data = await dump(engine());
    expect(data['three[house=3,resident=B,test=1,variant=y]']).toEqual([
      [H, 10 * H],
      [2 * H, 20 * H],
    ]);
    expect(Object.keys(data).filter((k) => k.startsWith('three['))).toHaveLength(12);
    expect(calls.ticker).toBe(2);
  });

  it('rejects factors whose plates do not fit, saying what would', async () => {
    await houses(engine());
    const w = engine().workflow('bad');
    const perResident = w.node('r', { plates: ['H.R'] });
    const perHouse = w.node('h', { plates: ['H'] });
    const world = w.node('w');
    expect(() =>
      w.factor({ tool: scale.create({ factor: 1 }), sources: [perResident], sink: perHouse }),
    ).toThrow(PlateMismatchError);
    expect(() =>
      w.factor({ tool: scale.create({ factor: 1 }), sources: [perResident], sink: perHouse }),
    ).toThrow(/lacks.*use an aggregate tool to drop resident/);
    expect(() =>
      w.aggregateFactor({ tool: mean.create({}), sources: [perResident], sink: world }),
    ).toThrow(/e\.g\. \[H\]/);
    expect(() =>
      w.multiOutputFactor({ tool: fanout.create({}), source: world, sink: perResident }),
    ).toThrow(/plus one key/);
    expect(() =>
      w.aggregateFactor({
        tool: mean.create({}),
        sources: [perResident],
        sink: perHouse,
        aggregationMetaKey: 'house',
      }),
    ).toThrow(PlateMismatchError);
  });

  it('plate creation adds values that nodes on the plate pick up, never frozen', async () => {
    const memory = engine().channels.get('memory');
    await memory.getOrCreateStream('names');
    await memory.writeInstances('names', [{ timestamp: 1 * H, value: ['p', 'q'] }]);
    await memory.addCalculatedIntervals('names', iv(0, 100));
    const w = engine().workflow('created');
    const names = w.node('names');
    const ticks = w.node('ticks');
    await w.plateCreationFactor({
      tool: platesFromList.create({}),
      source: names,
      outputPlate: { id: 'N', metaKey: 'name' },
    });
    const perName = w.node('per_name', { plates: ['N'] });
    w.factor({ tool: ticker.create({ stride: H }), sink: ticks });
    w.factor({ tool: scale.create({ factor: 1 }), sources: [ticks], sink: perName });
    expect(w.topologicalOrder().map((f) => f.id)[0]).toBe('test_plates_from_list->plate:N');
    await w.execute(iv(0, 2));
    expect(
      engine()
        .plates.values('N')
        .map((v) => v[0]![1]),
    ).toEqual(['p', 'q']);
    await memory.writeInstances('names', [{ timestamp: 3 * H, value: ['p', 'q', 'r'] }]);
    resetCalls();
    await w.execute(iv(0, 4));
    expect(
      engine()
        .plates.values('N')
        .map((v) => v[0]![1]),
    ).toEqual(['p', 'q', 'r']);
    const data = await dump(engine());
    expect(data['per_name[name=r]']).toHaveLength(4);
    expect(data['per_name[name=p]']).toHaveLength(4);
    // p and q needed (2, 4]; r needed (0, 4].
    expect(calls.scale).toBe(3);
  });

  it('reports a multi-output tool that names an unknown plate value', async () => {
    await houses(engine());
    await engine().plates.createPlate({ id: 'H12', metaKey: 'house', include: ['1', '2'] });
    const w = engine().workflow('unknown');
    const ticks = w.node('ticks');
    const limited = w.node('limited', { plates: ['H12'] });
    w.factor({ tool: ticker.create({ stride: H }), sink: ticks });
    const liar = fanout.create({});
    w.multiOutputFactor({
      tool: {
        ...liar,
        execute: (ctx) =>
          liar.execute({
            ...ctx,
            params: liar.params,
            outputPlateValues: [...ctx.outputPlateValues, '9'],
          }),
      },
      source: ticks,
      sink: limited,
    });
    const error = (await w.execute(iv(0, 1)).catch((e: unknown) => e)) as WorkflowExecutionError;
    expect(error).toBeInstanceOf(WorkflowExecutionError);
    expect(error.message).toContain('plate value "9"');
    expect(error.message).toContain('expected one of 1, 2');
  });
});

describe('plates: alignment and purge of one stream', () => {
  it('aligns on a node on plates, and purges a single plate value', async () => {
    await houses(engine());
    const w = engine().workflow('aligned');
    const ticks = w.node('ticks');
    const perHouse = w.node('per_house', { plates: ['H'] });
    const aligned = w.node('aligned', { plates: ['H'] });
    w.factor({ tool: ticker.create({ stride: H }), sink: ticks });
    w.multiOutputFactor({ tool: fanout.create({}), source: ticks, sink: perHouse });
    w.factor({
      tool: alignedCopy.create({}),
      sources: [ticks],
      alignment: perHouse,
      sink: aligned,
    });
    await w.execute(iv(0, 2));
    const data = await dump(engine());
    expect(data['aligned[house=3]']).toEqual([
      [H, H + 3 * H],
      [2 * H, 2 * H + 6 * H],
    ]);
    const report = await w.purge(
      { node: 'aligned', plateValue: [['house', '2']] },
      { removeDefinition: true },
    );
    expect(report.streams.map((s) => [s.stream, s.documents])).toEqual([['aligned[house=2]', 2]]);
    const memory = engine().channels.get('memory');
    expect(await memory.hasStream(StreamId.of('aligned', { house: '2' }))).toBe(false);
    expect(
      (await memory.getCalculatedIntervals(StreamId.of('aligned', { house: '1' }))).isEmpty,
    ).toBe(false);
    resetCalls();
    await w.execute(iv(0, 2));
    expect(calls).toMatchObject({ ticker: 0, fanout: 0 });
    expect((await dump(engine()))['aligned[house=2]']).toHaveLength(2);
    await expect(w.purge({ node: 'aligned', plateValue: [['house', '9']] })).rejects.toThrow(
      /no stream for plate value/,
    );
  });
});

/** Source value + alignment value at each alignment timestamp. */
const alignedCopy = defineTool({
  name: 'test_aligned_copy',
  version: '1.0.0',
  kind: 'tool',
  params: z.strictObject({}),
  async *execute({ sources, alignment }) {
    const values = new Map(
      (await sources[0]!.view.toArray()).map((i) => [i.timestamp, i.value as number]),
    );
    for await (const item of alignment!.view) {
      yield {
        timestamp: item.timestamp,
        value: (values.get(item.timestamp) ?? 0) + (item.value as number),
      };
    }
  },
});
