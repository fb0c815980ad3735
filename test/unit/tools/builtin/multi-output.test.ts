import { describe, expect, it } from 'vitest';
import {
  ExecutionAbortedError,
  MIN_DATE,
  TimeInterval,
  ToolExecutionError,
  ToolParameterError,
  collect,
} from '../../../../src/index.js';
import type { SourceWindow, StreamInstance, TaggedInstance } from '../../../../src/index.js';
import assetSplitter from '../../../../tools/asset_splitter/2026-11-22_v1.0.0.js';
import splitter from '../../../../tools/splitter/2026-11-22_v1.0.0.js';
import splitterFromStream from '../../../../tools/splitter_from_stream/2026-11-22_v1.0.0.js';
import splitterOfDict from '../../../../tools/splitter_of_dict/2026-11-22_v1.0.0.js';
import splitterOfList from '../../../../tools/splitter_of_list/2026-11-22_v1.0.0.js';
import splitterTimeAware from '../../../../tools/splitter_time_aware/2026-11-22_v1.0.0.js';
import splitterTimeAwareFromStream from '../../../../tools/splitter_time_aware_from_stream/2026-11-22_v1.0.0.js';
import splitterWithUnlist from '../../../../tools/splitter_with_unlist/2026-11-22_v1.0.0.js';
import streamBroadcaster from '../../../../tools/stream_broadcaster/2026-11-22_v1.0.0.js';
import streamBroadcasterFromStream from '../../../../tools/stream_broadcaster_from_stream/2026-11-22_v1.0.0.js';
import { interval, source } from '../../../helpers/tool-harness.js';
import { runTool } from '../../../helpers/tool-harness.js';

const at = (pairs: [number, unknown][]): StreamInstance[] =>
  pairs.map(([timestamp, value]) => ({ timestamp, value }));
const tagged = (triples: [number, string, unknown][]): TaggedInstance[] =>
  triples.map(([timestamp, plateValue, value]) => ({ timestamp, value, plateValue }));
const IV = interval(0, 100);

/** A splitting window as the runner gives it: `(MIN_DATE, end]`. */
async function splitting(instances: StreamInstance[], end = IV.end): Promise<SourceWindow> {
  return await source(instances, new TimeInterval(MIN_DATE, end));
}

interface Run {
  source?: StreamInstance[];
  splitting?: SourceWindow;
  plateValues?: string[];
  iv?: TimeInterval;
}

function runner(tool: Parameters<typeof runTool<'multi-output', unknown>>[0]) {
  return async ({
    source: data,
    splitting: split,
    plateValues = ['A', 'B', 'C'],
    iv = IV,
  }: Run): Promise<TaggedInstance[]> =>
    await runTool(tool, {
      source: data ? await source(data, iv) : undefined,
      splitting: split,
      outputMetaKey: 'city',
      outputPlateValues: plateValues,
      interval: iv,
    });
}

describe('splitter', () => {
  const data = at([
    [0, { city: 'a', t: 0 }],
    [10, { city: 'a', t: 1 }],
    [20, { city: 'b', t: 2 }],
    [30, { city: 'z', t: 3 }],
    [40, { t: 4 }],
    [100, { city: 'c', t: 5 }],
  ]);

  it('removes the element and routes the rest by the mapping; unmapped, missing and excluded are skipped', async () => {
    const run = runner(
      splitter.create({ element: 'city', mapping: { a: 'A', b: 'B', c: 'C', z: 'Z' } }),
    );
    expect(await run({ source: data })).toEqual(
      tagged([
        [10, 'A', { t: 1 }],
        [20, 'B', { t: 2 }],
        [100, 'C', { t: 5 }],
      ]),
    );
    expect(await run({ source: data, plateValues: ['B'] })).toEqual(tagged([[20, 'B', { t: 2 }]]));
  });

  it('maps the value itself without a mapping, and does not mutate the source values', async () => {
    const run = runner(splitter.create({ element: 'city' }));
    expect(await run({ source: data, plateValues: ['a', 'z'] })).toEqual(
      tagged([
        [10, 'a', { t: 1 }],
        [30, 'z', { t: 3 }],
      ]),
    );
    expect(data[1]!.value).toEqual({ city: 'a', t: 1 });
  });

  it('rejects non-dict values, a splitting stream, a missing source and bad parameters', async () => {
    const run = runner(splitter.create({ element: 'city' }));
    await expect(run({ source: at([[10, 5]]) })).rejects.toThrow(ToolExecutionError);
    await expect(run({ source: data, splitting: await splitting(at([[1, {}]])) })).rejects.toThrow(
      /splitter_from_stream/,
    );
    await expect(run({})).rejects.toThrow(/needs a source stream/);
    expect(() => splitter.create({} as never)).toThrow(ToolParameterError);
    expect(() => splitter.create({ element: 'x', mapping: { a: 1 } } as never)).toThrow(
      ToolParameterError,
    );
  });
});

describe('splitter_from_stream', () => {
  it('uses the latest splitting document at or before the end as the mapping', async () => {
    const run = runner(splitterFromStream.create({ element: 'k' }));
    const split = await splitting(
      at([
        [-1000, { x: 'A' }],
        [50, { x: 'B', y: 'C' }],
        [200, { x: 'C' }],
      ]),
    );
    const data = at([
      [10, { k: 'x', v: 1 }],
      [20, { k: 'y', v: 2 }],
      [30, { k: 'w', v: 3 }],
    ]);
    expect(await run({ source: data, splitting: split })).toEqual(
      tagged([
        [10, 'B', { v: 1 }],
        [20, 'C', { v: 2 }],
      ]),
    );
  });

  it('without element sends each key of the value to its mapped plate value (null skipped)', async () => {
    const run = runner(splitterFromStream.create({}));
    const split = await splitting(at([[-5, ['A', 'B']]]));
    const data = at([
      [10, { A: 1, B: null, C: 3 }],
      [20, { B: 2 }],
    ]);
    expect(await run({ source: data, splitting: split })).toEqual(
      tagged([
        [10, 'A', 1],
        [20, 'B', 2],
      ]),
    );
  });

  it('useMappingKeysOnly maps the keys to themselves', async () => {
    const run = runner(splitterFromStream.create({ useMappingKeysOnly: true }));
    const split = await splitting(at([[-5, { A: 'ignored', C: 'ignored' }]]));
    expect(await run({ source: at([[10, { A: 1, B: 2, C: 3 }]]), splitting: split })).toEqual(
      tagged([
        [10, 'A', 1],
        [10, 'C', 3],
      ]),
    );
  });

  it('fails without a splitting stream or document, and on two keys mapped to one plate value', async () => {
    const run = runner(splitterFromStream.create({}));
    const data = at([[10, { a: 1, b: 2 }]]);
    await expect(run({ source: data })).rejects.toThrow(/needs a splitting stream/);
    await expect(run({ source: data, splitting: await splitting([]) })).rejects.toThrow(
      /has no document/,
    );
    await expect(run({ source: data, splitting: await splitting(at([[1, 'A']])) })).rejects.toThrow(
      /dict .* or a list/,
    );
    await expect(
      run({ source: data, splitting: await splitting(at([[1, { a: 'A', b: 'A' }]])) }),
    ).rejects.toThrow(/two values for plate value "A"/);
  });
});

describe('splitter_of_dict', () => {
  it('sends value[key] to mapping[key]', async () => {
    const run = runner(splitterOfDict.create({ mapping: { x: 'A', y: 'B', q: 'Q' } }));
    const data = at([
      [10, { x: 1, y: 2, z: 3, q: 4 }],
      [20, { y: null }],
      [30, { x: { deep: true } }],
    ]);
    expect(await run({ source: data })).toEqual(
      tagged([
        [10, 'A', 1],
        [10, 'B', 2],
        [30, 'A', { deep: true }],
      ]),
    );
  });

  it('uses the keys themselves without a mapping', async () => {
    const run = runner(splitterOfDict.create({}));
    expect(await run({ source: at([[10, { A: 1, D: 4 }]]) })).toEqual(tagged([[10, 'A', 1]]));
    await expect(run({ source: at([[10, [1, 2]]]) })).rejects.toThrow(
      /expects dict values, got an array/,
    );
  });
});

describe('splitter_of_list', () => {
  it('sends value[i] to mapping[i]', async () => {
    const run = runner(splitterOfList.create({ mapping: ['A', 'B', 'X'] }));
    const data = at([
      [10, [1, 2, 3, 4]],
      [20, [5]],
      [30, [null, 6]],
    ]);
    expect(await run({ source: data })).toEqual(
      tagged([
        [10, 'A', 1],
        [10, 'B', 2],
        [20, 'A', 5],
        [30, 'B', 6],
      ]),
    );
    await expect(run({ source: at([[10, { a: 1 }]]) })).rejects.toThrow(/expects list values/);
  });

  it('rejects an empty or repeated mapping', () => {
    expect(() => splitterOfList.create({ mapping: [] })).toThrow(ToolParameterError);
    expect(() => splitterOfList.create({ mapping: ['A', 'A'] })).toThrow(/distinct/);
  });
});

describe('splitter_with_unlist', () => {
  it('sends each list item to its plate value, merged with the rest of the document', async () => {
    const run = runner(
      splitterWithUnlist.create({
        element: 'people',
        subelement: 'id',
        mapping: { '1': 'A', '2': 'B' },
      }),
    );
    const data = at([
      [
        10,
        {
          room: 'kitchen',
          people: [{ id: 1, x: 0.5 }, { id: 2, x: 0.7, room: 'item-room' }, { id: 3 }, { x: 1 }],
        },
      ],
      [20, { room: 'hall' }],
      [30, { room: 'hall', people: [] }],
    ]);
    expect(await run({ source: data })).toEqual(
      tagged([
        [10, 'A', { x: 0.5, room: 'kitchen' }],
        [10, 'B', { x: 0.7, room: 'kitchen' }],
      ]),
    );
  });

  it('rejects a non-list element, non-dict items and two items for one plate value', async () => {
    const run = runner(splitterWithUnlist.create({ element: 'p', subelement: 'id' }));
    await expect(run({ source: at([[10, { p: 5 }]]) })).rejects.toThrow(/list of dicts/);
    await expect(run({ source: at([[10, { p: [1] }]]) })).rejects.toThrow(
      /items of value.p to be dicts/,
    );
    await expect(run({ source: at([[10, { p: [{ id: 'A' }, { id: 'A' }] }]]) })).rejects.toThrow(
      /two values/,
    );
  });
});

describe('splitter_time_aware', () => {
  const data = at([
    [10, 'a'],
    [20, 'b'],
    [30, 'c'],
    [40, 'd'],
    [100, 'e'],
  ]);

  it('copies the data inside each interval to its plate value, (start, end] and overlaps included', async () => {
    const run = runner(
      splitterTimeAware.create({
        intervals: { A: { start: 10, end: 30 }, B: { start: 25, end: 1000 } },
      }),
    );
    expect(await run({ source: data })).toEqual(
      tagged([
        [20, 'A', 'b'],
        [30, 'A', 'c'],
        [30, 'B', 'c'],
        [40, 'B', 'd'],
        [100, 'B', 'e'],
      ]),
    );
  });

  it('numbers a list of intervals "1", "2", … and accepts ISO interval strings', async () => {
    const tool = splitterTimeAware.create({
      intervals: [
        '1970-01-01T00:00:00.000Z/1970-01-01T00:00:00.020Z',
        { start: '1970-01-01T00:00:00.030Z', end: 40 },
      ],
    });
    expect(tool.params.intervals).toEqual([
      { start: 0, end: 20 },
      { start: 30, end: 40 },
    ]);
    expect(await runner(tool)({ source: data, plateValues: ['1', '2'] })).toEqual(
      tagged([
        [10, '1', 'a'],
        [20, '1', 'b'],
        [40, '2', 'd'],
      ]),
    );
    expect(await runner(tool)({ source: data, plateValues: ['2'] })).toEqual(
      tagged([[40, '2', 'd']]),
    );
  });

  it('rejects bad intervals as parameters', () => {
    expect(() => splitterTimeAware.create({ intervals: ['nonsense'] })).toThrow(ToolParameterError);
    expect(() => splitterTimeAware.create({ intervals: [{ start: 20, end: 10 }] })).toThrow(
      ToolParameterError,
    );
    expect(() => splitterTimeAware.create({ intervals: [] })).toThrow(ToolParameterError);
  });
});

describe('splitter_time_aware_from_stream', () => {
  it('takes the intervals from the latest splitting document', async () => {
    const run = runner(splitterTimeAwareFromStream.create({}));
    const split = await splitting(
      at([
        [-1, { A: { start: 0, end: 100 } }],
        [5, { A: { start: 0, end: 15 }, C: '1970-01-01T00:00:00.015Z/PT1S' }],
      ]),
    );
    const data = at([
      [10, 'a'],
      [20, 'b'],
    ]);
    expect(await run({ source: data, splitting: split })).toEqual(
      tagged([
        [10, 'A', 'a'],
        [20, 'C', 'b'],
      ]),
    );
    await expect(
      run({ source: data, splitting: await splitting(at([[1, { A: 'bad' }]])) }),
    ).rejects.toThrow(/interval for plate value "A" is invalid/);
  });
});

describe('stream_broadcaster', () => {
  it('copies func(copy of value) to every output plate value', async () => {
    const data = at([
      [10, { n: 1 }],
      [20, { n: 2 }],
    ]);
    const run = runner(
      streamBroadcaster.create({
        func: (v: unknown) => {
          const value = v as { n: number; twice?: number };
          value.twice = value.n * 2;
          return value.n === 2 ? undefined : value;
        },
      }),
    );
    expect(await run({ source: data, plateValues: ['A', 'B'] })).toEqual(
      tagged([
        [10, 'A', { n: 1, twice: 2 }],
        [10, 'B', { n: 1, twice: 2 }],
      ]),
    );
    const plain = runner(streamBroadcaster.create({}));
    expect(await plain({ source: data, plateValues: ['X'] })).toEqual(
      tagged([
        [10, 'X', { n: 1 }],
        [20, 'X', { n: 2 }],
      ]),
    );
  });
});

describe('stream_broadcaster_from_stream', () => {
  it('broadcasts to the sorted distinct values of the latest splitting document', async () => {
    const run = runner(streamBroadcasterFromStream.create({}));
    const split = await splitting(at([[5, { x: 'C', y: 'A', z: 'C', w: 'Q' }]]));
    expect(
      await run({
        source: at([
          [10, 1],
          [20, 2],
        ]),
        splitting: split,
      }),
    ).toEqual(
      tagged([
        [10, 'A', 1],
        [10, 'C', 1],
        [20, 'A', 2],
        [20, 'C', 2],
      ]),
    );
  });

  it('broadcasts what func makes of the window (keys as plate values)', async () => {
    const func = async (instances: AsyncIterable<StreamInstance>): Promise<StreamInstance> => {
      let total = 0;
      let last = 0;
      for await (const { timestamp, value } of instances) {
        total += value as number;
        last = timestamp;
      }
      return { timestamp: last, value: total };
    };
    const run = runner(streamBroadcasterFromStream.create({ func, useKeysNotValues: true }));
    const split = await splitting(at([[5, { B: 1, A: 2 }]]));
    expect(
      await run({
        source: at([
          [10, 1],
          [20, 2],
          [30, 4],
        ]),
        splitting: split,
      }),
    ).toEqual(
      tagged([
        [30, 'A', 7],
        [30, 'B', 7],
      ]),
    );
    const bad = runner(streamBroadcasterFromStream.create({ func: () => 42 } as never));
    await expect(bad({ source: at([[10, 1]]), splitting: split })).rejects.toThrow(
      /func must return an instance/,
    );
  });
});

describe('asset_splitter', () => {
  it('sends each (key, value) of data[element] to plate value key, with a whitelist', async () => {
    const data = at([
      [10, { cities: { A: { pop: 1 }, B: { pop: 2 }, Z: {} }, other: 1 }],
      [20, { nothing: true }],
    ]);
    expect(await runner(assetSplitter.create({ element: 'cities' }))({ source: data })).toEqual(
      tagged([
        [10, 'A', { pop: 1 }],
        [10, 'B', { pop: 2 }],
      ]),
    );
    expect(
      await runner(assetSplitter.create({ element: 'cities', filters: ['B'] }))({ source: data }),
    ).toEqual(tagged([[10, 'B', { pop: 2 }]]));
    expect(await runner(assetSplitter.create({}))({ source: at([[10, { A: 1, C: 3 }]]) })).toEqual(
      tagged([
        [10, 'A', 1],
        [10, 'C', 3],
      ]),
    );
    await expect(
      runner(assetSplitter.create({ element: 'x' }))({ source: at([[10, { x: [1] }]]) }),
    ).rejects.toThrow(/value.x to be a dict/);
  });
});

describe('stopping', () => {
  it('stops with ExecutionAbortedError when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const tool = splitter.create({ element: 'k' });
    const run = collect(
      tool.execute({
        params: tool.params,
        interval: IV,
        signal: controller.signal,
        source: await source(at([[10, { k: 'A' }]]), IV),
        splitting: undefined,
        outputMetaKey: 'city',
        outputPlateValues: ['A'],
      }),
    );
    await expect(run).rejects.toThrow(ExecutionAbortedError);
  });
});
