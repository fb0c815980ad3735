// From a workflow to its numbers through the public API: node.stream/streams with plate values
// as plain objects, workflow.results (computes first), engine.stream, engine.write, toColumns,
// toArrow, and workflows.unload.
import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../../src/index.js';
import {
  Engine,
  InvalidArgumentError,
  StreamId,
  StreamNotFoundError,
  TimeInterval,
  TimeIntervals,
  VirtualClock,
  WorkflowNotFoundError,
  createMemoryBackend,
} from '../../../src/index.js';
import { calls, fanout, scale, ticker } from '../../helpers/workflow-tools.js';
import { H, iv, enginePerTest } from '../../helpers/engine-per-test.js';

const engine = enginePerTest();

async function housePlate(target: Engine): Promise<void> {
  for (const house of ['1', '2']) await target.plates.addMetaData([], 'house', house);
  await target.plates.createPlate({ id: 'H', metaKey: 'house' });
}

/** ticks → ×2 (`doubled`) and → one copy per house (`per_house`, plate H). */
function workflow(target: Engine): Workflow {
  const w = target.workflow('results');
  const ticks = w.node('ticks');
  const doubled = w.node('doubled');
  const perHouse = w.node('per_house', { plates: ['H'] });
  w.factor({ tool: ticker.create({ stride: H }), sink: ticks });
  w.factor({ tool: scale.create({ factor: 2 }), sources: [ticks], sink: doubled });
  w.multiOutputFactor({ tool: fanout.create({}), source: ticks, sink: perHouse });
  return w;
}

describe('from a node to its numbers', () => {
  it('results() computes what is missing, then returns the window', async () => {
    await housePlate(engine());
    const w = workflow(engine());
    const view = await w.results('doubled', iv(0, 3));
    expect(await view.toArray()).toEqual([
      { timestamp: 1 * H, value: 2 * H },
      { timestamp: 2 * H, value: 4 * H },
      { timestamp: 3 * H, value: 6 * H },
    ]);
    expect(view.interval.equals(iv(0, 3))).toBe(true);
    const ticksBefore = calls.ticker;
    await w.results('doubled', iv(0, 3)); // nothing missing: nothing computed
    expect(calls.ticker).toBe(ticksBefore);
    expect((await w.getNode('doubled').stream().calculatedIntervals()).toString()).toBe(
      iv(0, 3).toString(),
    );
  });

  it('results() on a plate takes the plate value as a plain object or as pairs', async () => {
    await housePlate(engine());
    const w = workflow(engine());
    const house2 = await w.results('per_house', iv(0, 2), { plateValue: { house: '2' } });
    expect(house2.streamId.key).toBe('per_house[house=2]');
    expect(await house2.count()).toBe(2);
    const pairs = await w.results('per_house', iv(0, 2), { plateValue: [['house', 2]] });
    expect(pairs.streamId.key).toBe('per_house[house=2]');
  });

  it('a wrong or missing plate value is a usage error listing the values, before computing', async () => {
    await housePlate(engine());
    const w = workflow(engine());
    await expect(w.results('per_house', iv(0, 2))).rejects.toThrow(InvalidArgumentError);
    await expect(w.results('per_house', iv(0, 2))).rejects.toThrow(
      /\{"house":"1"\}, \{"house":"2"\}/,
    );
    await expect(w.results('per_house', iv(0, 2), { plateValue: { house: '9' } })).rejects.toThrow(
      /no stream for plate value \{"house":"9"\}/,
    );
    expect(calls.ticker).toBe(0);
  });

  it('node.streams() gives one stream per plate value with the value as an object', async () => {
    await housePlate(engine());
    const w = workflow(engine());
    await w.execute(iv(0, 2));
    const streams = w.getNode('per_house').streams();
    expect(streams.map((s) => s.plateValue)).toEqual([{ house: '1' }, { house: '2' }]);
    for (const { plateValue, stream } of streams) {
      expect(stream.id.metaObject()).toEqual(plateValue);
      expect(await stream.window(iv(0, 2)).count()).toBe(2);
    }
    expect(
      w
        .getNode('ticks')
        .streams()
        .map((s) => s.plateValue),
    ).toEqual([{}]);
  });

  it('purge takes a plate value as a plain object', async () => {
    await housePlate(engine());
    const w = workflow(engine());
    await w.execute(iv(0, 2));
    const report = await w.purge({ node: 'per_house', plateValue: { house: '1' } });
    expect(report.streams.map((s) => s.stream)).toEqual(['per_house[house=1]']);
    expect(await w.getNode('per_house').stream({ house: '1' }).window(iv(0, 2)).count()).toBe(0);
    expect(await w.getNode('per_house').stream({ house: '2' }).window(iv(0, 2)).count()).toBe(2);
  });

  it('engine().stream finds a stream in whichever channel holds it', async () => {
    await housePlate(engine());
    await workflow(engine()).execute(iv(0, 2));
    const stream = await engine().stream('per_house', { house: '1' });
    expect(stream.channel.id).toBe('memory');
    expect(await stream.window(iv(0, 2)).count()).toBe(2);
    expect((await engine().stream(StreamId.of('ticks'))).key).toBe('ticks');
    await expect(engine().stream('nowhere')).rejects.toThrow(StreamNotFoundError);
  });

  it('engine().stream asks for a channel when two hold the stream', async () => {
    const persistent = await Engine.create({
      storage: createMemoryBackend(),
      defaultChannel: 'store',
    });
    try {
      await persistent.write('twice', [{ timestamp: 1, value: 1 }], { channel: 'store' });
      await persistent.write('twice', [{ timestamp: 1, value: 2 }], { channel: 'memory' });
      await expect(persistent.stream('twice')).rejects.toThrow(
        /several channels \(store, memory\)/,
      );
      const chosen = await persistent.stream('twice', undefined, { channel: 'memory' });
      expect(await chosen.window(new TimeInterval(0, 1)).toArray()).toEqual([
        { timestamp: 1, value: 2 },
      ]);
    } finally {
      await persistent.close();
    }
  });
});

describe('engine().write', () => {
  it('writes in batches, then records the calculated interval, and a workflow reads it as a source', async () => {
    async function* readings(): AsyncGenerator<{ timestamp: number; value: number }> {
      for (let hour = 1; hour <= 10; hour++) yield { timestamp: hour * H, value: hour };
    }
    const progress: number[] = [];
    const report = await engine().write('readings', readings(), {
      calculated: iv(0, 10),
      batchSize: 4,
      onProgress: (written) => progress.push(written),
    });
    expect(report.documents).toBe(10);
    expect(progress).toEqual([4, 8, 10]);
    expect(report.calculated.equals(TimeIntervals.of(iv(0, 10)))).toBe(true);

    const w = engine().workflow('from_readings');
    w.factor({
      tool: scale.create({ factor: 10 }),
      sources: [w.node('readings')],
      sink: w.node('tens'),
    });
    const tens = await w.results('tens', iv(0, 3));
    expect((await tens.toColumns()).values).toEqual(new Float64Array([10, 20, 30]));
  });

  it('records nothing when a batch fails', async () => {
    await expect(
      engine().write(
        'bad',
        [
          { timestamp: 1 * H, value: 1 },
          { timestamp: Number.NaN, value: 2 },
        ],
        { calculated: iv(0, 2), batchSize: 1 },
      ),
    ).rejects.toThrow(/timestamp/);
    expect((await (await engine().stream('bad')).calculatedIntervals()).isEmpty).toBe(true);
  });

  it('accepts an interval string, resolved before anything is written', async () => {
    await expect(
      engine().write('strings', [{ timestamp: 1, value: 1 }], { calculated: 'not an interval' }),
    ).rejects.toThrow(/invalid interval/);
    await expect(engine().stream('strings')).rejects.toThrow(StreamNotFoundError);
    const report = await engine().write('strings', [{ timestamp: 1 * H, value: 1 }], {
      calculated: '1970-01-01T00:00:00Z/PT1H',
    });
    expect(report.calculated.toJSON()).toEqual([{ start: 0, end: H }]);
  });
});

describe('columns and Arrow', () => {
  it('numbers become a Float64Array', async () => {
    await engine().write('n', [
      { timestamp: 1, value: 0.5 },
      { timestamp: 2, value: -3 },
    ]);
    const columns = await (await engine().stream('n')).window(new TimeInterval(0, 2)).toColumns();
    expect(columns.kind).toBe('number');
    expect(columns.timestamps).toEqual(new Float64Array([1, 2]));
    expect(columns.values).toEqual(new Float64Array([0.5, -3]));
  });

  it('objects sharing their fields become one column per field', async () => {
    await engine().write('o', [
      { timestamp: 1, value: { delay: 5, origin: 'ORD', late: null } },
      { timestamp: 2, value: { origin: 'SFO', delay: -2, late: true } },
    ]);
    const view = (await engine().stream('o')).window(new TimeInterval(0, 2));
    const columns = await view.toColumns();
    expect(columns).toEqual({
      kind: 'fields',
      timestamps: new Float64Array([1, 2]),
      values: { delay: new Float64Array([5, -2]), origin: ['ORD', 'SFO'], late: [null, true] },
    });
    const table = await view.toArrow();
    expect(table.schema.fields.map((f) => `${f.name}: ${String(f.type)}`)).toEqual([
      'timestamp: Timestamp<MILLISECOND, UTC>',
      'delay: Float64',
      'origin: Utf8',
      'late: Bool',
    ]);
    expect(table.toArray().map((row: { toJSON(): unknown }) => row.toJSON())).toEqual([
      { timestamp: 1, delay: 5, origin: 'ORD', late: null },
      { timestamp: 2, delay: -2, origin: 'SFO', late: true },
    ]);
  });

  it('anything else is an array of values, JSON text in Arrow', async () => {
    await engine().write('mixed', [
      { timestamp: 1, value: [1, 2] },
      { timestamp: 2, value: { a: 1 } },
      { timestamp: 3, value: 'x' },
    ]);
    const view = (await engine().stream('mixed')).window(new TimeInterval(0, 3));
    const columns = await view.toColumns();
    expect(columns.kind).toBe('values');
    expect(columns.values).toEqual([[1, 2], { a: 1 }, 'x']);
    const table = await view.toArrow();
    expect(table.getChild('value')!.toArray()).toEqual(['[1,2]', '{"a":1}', '"x"']);
  });

  it('an empty window is empty columns', async () => {
    await engine().write('empty', []);
    const columns = await (
      await engine().stream('empty')
    )
      .window(new TimeInterval(0, 3))
      .toColumns();
    expect(columns).toEqual({
      kind: 'number',
      timestamps: new Float64Array(0),
      values: new Float64Array(0),
    });
  });
});

describe('workflows.unload', () => {
  it('forgets a workflow in memory and keeps its stored definition for load()', async () => {
    const withTools = await Engine.create({ tools: [ticker], clock: new VirtualClock(0) });
    try {
      const w = withTools.workflow('keep');
      w.factor({ tool: ticker.create({ stride: H }), sink: w.node('ticks') });
      await withTools.workflows.commit('keep');
      await w.execute(iv(0, 2));
      expect(withTools.workflows.unload('keep')).toBe(true);
      expect(withTools.workflows.has('keep')).toBe(false);
      expect(() => withTools.workflows.get('keep')).toThrow(WorkflowNotFoundError);
      expect(withTools.workflows.unload('keep')).toBe(false);
      const again = await withTools.workflows.load('keep');
      expect(again).not.toBe(w);
      expect(again.toDefinition()).toEqual(w.toDefinition());
      // The data stayed: nothing to compute.
      expect((await again.execute(iv(0, 2))).pieces).toEqual([]);
    } finally {
      await withTools.close();
    }
  });
});

describe('plate values as objects in the plate manager', () => {
  it('adds, finds and deletes meta-data under a parent given as an object', async () => {
    await engine().plates.addMetaData({}, 'country', 'NZ');
    await engine().plates.addMetaData({ country: 'NZ' }, 'city', 'Auckland');
    expect(await engine().plates.ensureMetaData({ country: 'NZ' }, 'city', 'Auckland')).toBe(false);
    await engine().plates.createPlate({ id: 'C', metaKey: 'country' });
    await engine().plates.createPlate({ id: 'C.C', metaKey: 'city', parent: 'C' });
    expect(engine().plates.values('C.C')).toEqual([
      [
        ['country', 'NZ'],
        ['city', 'Auckland'],
      ],
    ]);
    await engine().plates.deleteMetaData({ country: 'NZ', city: 'Auckland' });
    expect(engine().plates.values('C.C')).toEqual([]);
  });

  it('engine().write takes a node stream handle', async () => {
    await housePlate(engine());
    const w = workflow(engine());
    const handle = w.getNode('doubled').stream();
    const report = await engine().write(handle, [{ timestamp: H, value: 'x' }], {
      calculated: iv(0, 1),
    });
    expect(report.stream.key).toBe('doubled');
    // Calculated: results() reads what was written and computes nothing.
    expect(await (await w.results('doubled', iv(0, 1))).toArray()).toEqual([
      { timestamp: H, value: 'x' },
    ]);
    expect(calls).toMatchObject({ ticker: 0, scale: 0 });
  });
});
