import { describe, expect, it } from 'vitest';
import { ToolExecutionError, ToolParameterError, registerFunction } from '../../../../src/index.js';
import type { StreamInstance } from '../../../../src/index.js';
import assetPlateGenerator from '../../../../tools/asset_plate_generator/2026-11-22_v1.0.0.js';
import indexOfByStream from '../../../../tools/index_of_by_stream/2026-11-22_v1.0.0.js';
import indexOf from '../../../../tools/index_of/2026-11-22_v1.0.0.js';
import metaInstanceFromList from '../../../../tools/meta_instance_from_list/2026-11-22_v1.0.0.js';
import metaInstance from '../../../../tools/meta_instance/2026-11-22_v1.0.0.js';
import plateSink from '../../../../tools/plate_sink/2026-11-22_v1.0.0.js';
import { interval, runTool, source } from '../../../helpers/tool-harness.js';

const at = (pairs: [number, unknown][]): StreamInstance[] =>
  pairs.map(([timestamp, value]) => ({ timestamp, value }));
const IV = interval(100, 200);

async function cities() {
  return [
    await source(
      at([
        [150, 'akl-1'],
        [200, 'akl-2'],
      ]),
      IV,
      { country: 'NZ', city: 'Auckland' },
    ),
    await source(at([[120, 'wlg']]), IV, { country: 'NZ', city: 'Wellington' }),
    await source(
      at([
        [100, 'syd-at-start'],
        [110, 'syd'],
      ]),
      IV,
      { country: 'AU', city: 'Sydney' },
    ),
  ];
}

describe('index_of', () => {
  it('copies the documents of the sources with the selected plate value, in time order', async () => {
    const out = await runTool(indexOf.create({ index: 'NZ' }), {
      sources: await cities(),
      selectorMetaKey: 'country',
      interval: IV,
    });
    expect(out).toEqual([
      { timestamp: 120, value: 'wlg', sourceIndex: 1 },
      { timestamp: 150, value: 'akl-1', sourceIndex: 0 },
      { timestamp: 200, value: 'akl-2', sourceIndex: 0 },
    ]);
    const sydney = await runTool(indexOf.create({ index: 'Sydney' }), {
      sources: await cities(),
      selectorMetaKey: 'city',
      interval: IV,
    });
    expect(sydney).toEqual([{ timestamp: 110, value: 'syd', sourceIndex: 2 }]);
  });

  it('accepts a number index and fails naming the values present when none matches', async () => {
    expect(indexOf.create({ index: 1 }).params.index).toBe('1');
    const run = runTool(indexOf.create({ index: 'FR' }), {
      sources: await cities(),
      selectorMetaKey: 'country',
      interval: IV,
    });
    await expect(run).rejects.toThrow(ToolExecutionError);
    await expect(
      runTool(indexOf.create({ index: 'FR' }), {
        sources: await cities(),
        selectorMetaKey: 'country',
        interval: IV,
      }),
    ).rejects.toThrow(/values present: NZ, AU/);
    expect(() => indexOf.create({} as never)).toThrow(ToolParameterError);
  });
});

describe('index_of_by_stream', () => {
  it('reads the meta-data key from the latest value of the first source, even before the interval', async () => {
    const selector = await source(
      at([
        [10, 'city'],
        [50, 'country'],
        [300, 'city'],
      ]),
      IV,
    );
    const out = await runTool(indexOfByStream.create({ index: 'AU' }), {
      sources: [selector, ...(await cities())],
      selectorMetaKey: 'country',
      interval: IV,
    });
    expect(out).toEqual([{ timestamp: 110, value: 'syd', sourceIndex: 3 }]);
  });

  it('fails when the key is missing or not a string, or nothing matches', async () => {
    const run = async (selectorData: StreamInstance[], index = 'AU') =>
      await runTool(indexOfByStream.create({ index }), {
        sources: [await source(selectorData, IV), ...(await cities())],
        selectorMetaKey: 'x',
        interval: IV,
      });
    await expect(run([])).rejects.toThrow(/got no document/);
    await expect(run(at([[150, 5]]))).rejects.toThrow(/got a number/);
    await expect(run(at([[150, 'country']]), 'FR')).rejects.toThrow(/no source has country=FR/);
    await expect(
      runTool(indexOfByStream.create({ index: 'a' }), {
        sources: [],
        selectorMetaKey: 'x',
        interval: IV,
      }),
    ).rejects.toThrow(/needs a first source/);
  });
});

describe('plate_sink', () => {
  it('emits nothing and takes no parameters', async () => {
    expect(
      await runTool(plateSink.create({}), {
        sources: await cities(),
        selectorMetaKey: 'city',
        interval: IV,
      }),
    ).toEqual([]);
    expect(() => plateSink.create({ selectorMetaData: 'x' } as never)).toThrow(ToolParameterError);
  });
});

const plateCreation = (
  tool: Parameters<typeof runTool<'plate-creation', unknown>>[0],
  data?: StreamInstance[],
) =>
  (async () =>
    await runTool(tool, {
      source: data ? await source(data, IV) : undefined,
      outputMetaKey: 'city',
      parent: [['country', 'NZ']],
      interval: IV,
    }))();

describe('asset_plate_generator', () => {
  const assets = at([
    [120, { cities: { Old: 1 } }],
    [
      150,
      {
        cities: { Auckland: 'AKL', Wellington: 'WLG', Auckland2: 'AKL' },
        list: ['x', 'y', 'x'],
        n: 5,
      },
    ],
    [250, { cities: { Later: 1 } }],
  ]);

  it('takes the keys (or values) of the latest document in the interval', async () => {
    expect(await plateCreation(assetPlateGenerator.create({ element: 'cities' }), assets)).toEqual([
      { value: 'Auckland' },
      { value: 'Wellington' },
      { value: 'Auckland2' },
    ]);
    expect(
      await plateCreation(
        assetPlateGenerator.create({ element: 'cities', useValueInsteadOfKey: true }),
        assets,
      ),
    ).toEqual([{ value: 'AKL' }, { value: 'WLG' }]);
    expect(await plateCreation(assetPlateGenerator.create({ element: 'list' }), assets)).toEqual([
      { value: 'x' },
      { value: 'y' },
    ]);
    expect(
      await plateCreation(
        assetPlateGenerator.create({ element: 'cities', filters: ['Wellington', 'Nowhere'] }),
        assets,
      ),
    ).toEqual([{ value: 'Wellington' }]);
  });

  it('gives nothing for an empty window or a missing element, and fails on a scalar', async () => {
    expect(await plateCreation(assetPlateGenerator.create({}), [])).toEqual([]);
    expect(await plateCreation(assetPlateGenerator.create({ element: 'missing' }), assets)).toEqual(
      [],
    );
    await expect(
      plateCreation(assetPlateGenerator.create({ element: 'n' }), assets),
    ).rejects.toThrow(/dict or a list/);
    await expect(
      plateCreation(assetPlateGenerator.create({}), at([[150, [{ a: 1 }]]])),
    ).rejects.toThrow(/plate values must be strings/);
  });
});

describe('meta_instance', () => {
  it('makes one plate value per document via func, once each, registered by name', async () => {
    registerFunction(
      'test.meta_instance.code',
      (instance: StreamInstance) => (instance.value as { code?: string }).code,
    );
    const tool = metaInstance.create({ func: { fn: 'test.meta_instance.code' } });
    const data = at([
      [110, { code: 'AKL' }],
      [120, {}],
      [130, { code: 'WLG' }],
      [140, { code: 'AKL' }],
    ]);
    expect(await plateCreation(tool, data)).toEqual([{ value: 'AKL' }, { value: 'WLG' }]);
    const labelled = metaInstance.create({
      func: (i: StreamInstance) => ({ value: String(i.timestamp), label: `t${i.timestamp}` }),
    });
    expect(await plateCreation(labelled, at([[110, 0]]))).toEqual([
      { value: '110', label: 't110' },
    ]);
    await expect(
      plateCreation(metaInstance.create({ func: () => [1] }), at([[110, 0]])),
    ).rejects.toThrow(/func must return/);
  });
});

describe('meta_instance_from_list', () => {
  it('yields the given values', async () => {
    const tool = metaInstanceFromList.create({ values: ['A', { value: 'B', label: 'Bee' }] });
    expect(await plateCreation(tool)).toEqual([{ value: 'A' }, { value: 'B', label: 'Bee' }]);
    expect(await plateCreation(metaInstanceFromList.create({}))).toEqual([]);
    expect(() => metaInstanceFromList.create({ values: ['A', 'A'] })).toThrow(/distinct/);
    expect(() => metaInstanceFromList.create({ values: [''] })).toThrow(ToolParameterError);
  });
});
