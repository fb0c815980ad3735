import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import {
  ChannelNotFoundError,
  PlateNotFoundError,
  WorkflowDefinitionError,
  WorkflowNotFoundError,
} from '../../../src/errors.js';
import { Workflow } from '../../../src/workflow/workflow.js';
import { MemoryToolSource as ToolRegistry } from '../../../src/tools/tool-source.js';
import { MemoryWorkflowStore } from '../../../src/storage/memory/memory-workflow-store.js';
import { fanout, mean, pick, platesFromList, scale, ticker } from '../../helpers/workflow-tools.js';

const tools = new ToolRegistry([ticker, scale, fanout, mean, pick, platesFromList]);
let engine: Engine;

beforeEach(async () => {
  engine = await Engine.create({ tools });
  for (const house of ['1', '2']) {
    await engine.plates.addMetaData([], 'house', house);
    for (const r of ['A', 'B']) await engine.plates.addMetaData([['house', house]], 'resident', r);
  }
  await engine.plates.createPlate({ id: 'H', metaKey: 'house' });
  await engine.plates.createPlate({ id: 'H.R', metaKey: 'resident', parent: 'H', exclude: ['B'] });
});
afterEach(async () => {
  await engine.close();
});

/** Defined downstream first, so definition order is not dependency order. */
async function everyKind(): Promise<Workflow> {
  const w = engine.workflow('every_kind', {
    name: 'Every kind',
    owner: 'tests',
    description: 'one factor of each kind',
  });
  const world = w.node('world');
  const houseMean = w.node('house_mean', { plates: ['H'] });
  const perResident = w.node('per_resident', { plates: ['H.R'] });
  const perHouse = w.node('per_house', { plates: ['H'] });
  const ticks = w.node('ticks');
  const names = w.node('names');
  w.aggregateFactor({ tool: mean.create({}), sources: [houseMean], sink: world });
  w.aggregateFactor({
    tool: mean.create({}),
    sources: [perResident],
    sink: houseMean,
    aggregationMetaKey: 'resident',
  });
  w.multiOutputFactor({
    tool: fanout.create({}),
    source: perHouse,
    sink: perResident,
    maxPieceSize: 'PT6H',
  });
  w.multiOutputFactor({ tool: fanout.create({}), source: ticks, splitting: ticks, sink: perHouse });
  w.selectorFactor({
    tool: pick.create({ value: 'A' }),
    sources: [perResident],
    sink: w.node('resident_a', { plates: ['H'] }),
  });
  w.factor({ tool: ticker.create({ stride: 1000 }), sink: ticks, id: 'clock' });
  w.factor({
    tool: scale.create({ factor: 2 }),
    sources: [ticks],
    alignment: ticks,
    sink: w.node('doubled'),
  });
  await w.plateCreationFactor({
    tool: platesFromList.create({}),
    source: names,
    outputPlate: { id: 'N', metaKey: 'name', description: 'names' },
  });
  w.factor({
    tool: scale.create({ factor: 1 }),
    sources: [ticks],
    sink: w.node('per_name', { plates: ['N', 'H'] }),
  });
  return w;
}

describe('workflow builder', () => {
  it('orders factors topologically, not by definition', async () => {
    const w = await everyKind();
    const order = w.topologicalOrder().map((f) => f.id);
    const before = (a: string, b: string): boolean => order.indexOf(a) < order.indexOf(b);
    expect(order).toHaveLength(w.factors.length);
    expect(before('clock', 'test_fanout->per_house')).toBe(true);
    expect(before('test_fanout->per_house', 'test_fanout->per_resident')).toBe(true);
    expect(before('test_fanout->per_resident', 'test_mean->house_mean')).toBe(true);
    expect(before('test_mean->house_mean', 'test_mean->world')).toBe(true);
    expect(before('test_plates_from_list->plate:N', 'test_scale->per_name')).toBe(true);
    expect(w.factors[0]!.id).toBe('test_mean->world');
    expect(
      w
        .downstreamOf('per_house')
        .map((n) => n.id)
        .sort(),
    ).toEqual(['house_mean', 'per_resident', 'resident_a', 'world']);
  });

  it('reports builder mistakes clearly', async () => {
    const w = engine.workflow('mistakes');
    const a = w.node('a');
    const b = w.node('b');
    expect(() => w.node('a', { plates: ['H'] })).toThrow(/already exists/);
    expect(w.node('a')).toBe(a);
    expect(() => w.node('x', { channel: 'nope' })).toThrow(ChannelNotFoundError);
    expect(() => w.node('x', { plates: ['nope'] })).toThrow(PlateNotFoundError);
    expect(() =>
      w.factor({ tool: scale.create({ factor: 1 }), sources: ['missing'], sink: b }),
    ).toThrow(/node "missing" not found.*known nodes: a, b/);
    w.factor({ tool: scale.create({ factor: 1 }), sources: [a], sink: b });
    expect(() =>
      w.factor({ tool: scale.create({ factor: 1 }), sources: [a], sink: b, id: 'again' }),
    ).toThrow(/already computed by factor/);
    expect(() => w.factor({ tool: scale.create({ factor: 1 }), sources: [b], sink: a })).toThrow(
      /cycle/,
    );
    expect(() => w.factor({ tool: scale.create({ factor: 1 }), sources: [a], sink: a })).toThrow(
      /cycle/,
    );
    const other = engine.workflow('other');
    expect(() => other.factor({ tool: ticker.create({ stride: 1 }), sink: a })).toThrow(
      /belongs to another workflow/,
    );
    // A tool of the wrong kind does not compile; at run time (e.g. from JavaScript) it is a clear error.
    // @ts-expect-error a multi-output tool is not a plain tool
    expect(() => w.factor({ tool: fanout.create({}), sink: w.node('c') })).toThrow(
      /use multiOutputFactor instead of factor/,
    );
    expect(() => engine.workflow('mistakes')).toThrow(WorkflowDefinitionError);
  });
});

describe('workflow definitions', () => {
  it('round-trip through plain JSON, with every factor kind', async () => {
    const w = await everyKind();
    const definition = w.toDefinition();
    const json = JSON.parse(JSON.stringify(definition)) as unknown;
    expect(json).toEqual(definition);
    expect(definition.plates.map((p) => p.id)).toEqual(['H', 'H.R', 'N']);
    expect(definition.factors.find((f) => f.id === 'test_fanout->per_resident')).toMatchObject({
      kind: 'multi-output',
      maxPieceSize: 6 * 3_600_000,
      tool: { name: 'test_fanout', version: '1.0.0', params: {} },
    });
    const fresh = await Engine.create({ tools });
    const rebuilt = await Workflow.fromDefinition(json, {
      environment: fresh.environment,
      toolResolver: tools,
    });
    expect(rebuilt.toDefinition()).toEqual(definition);
    expect(fresh.plates.getPlate('H.R').filter).toEqual({ kind: 'exclude', values: ['B'] });
    await fresh.close();
  });

  it('names the path of what is wrong', async () => {
    const definition = (await everyKind()).toDefinition();
    const fresh = await Engine.create({ tools });
    const load = (json: unknown): Promise<Workflow> =>
      Workflow.fromDefinition(json, { environment: fresh.environment, toolResolver: tools });
    await expect(load({ ...definition, nodes: [{ id: 'x' }] })).rejects.toThrow(
      /nodes\.0\.channel/,
    );
    const badParams = structuredClone(definition);
    badParams.factors[5]!.tool.params = { stride: 'fast' };
    await expect(load(badParams)).rejects.toThrow(
      /at factors\.5\.tool\.params: invalid parameters for tool "test_ticker"/,
    );
    const badTool = structuredClone(definition);
    badTool.factors[0]!.tool.name = 'nope';
    await expect(load(badTool)).rejects.toThrow(/at factors\.0\.tool: tool "nope" not found/);
    const badKind = structuredClone(definition);
    badKind.factors[0]!.tool = { name: 'test_ticker', version: '1.0.0', params: { stride: 1 } };
    await expect(load(badKind)).rejects.toThrow(
      /factors\.0\.kind: tool "test_ticker" 1\.0\.0 has kind "tool", not "aggregate"/,
    );
    await expect(load({ format: 'x' })).rejects.toThrow(WorkflowDefinitionError);
    await fresh.close();
  });

  it('refuses tools with unregistered function parameters when saving', async () => {
    const { z } = await import('zod');
    const { defineTool, functionParam } = await import('../../../src/tools/tool.js');
    const withFn = defineTool({
      name: 'with_fn',
      version: '1.0.0',
      kind: 'tool',
      params: z.strictObject({ f: functionParam() }),
      // eslint-disable-next-line require-yield
      async *execute() {
        return;
      },
    });
    const w = engine.workflow('fn');
    w.factor({ tool: withFn.create({ f: (x: number) => x }), sink: w.node('out') });
    expect(() => w.toDefinition()).toThrow(
      /factor "with_fn->out".*register it with engine.functions.register/,
    );
  });
});

describe('workflow manager', () => {
  it('adds, commits, loads, lists and deletes workflows', async () => {
    const store = new MemoryWorkflowStore();
    const first = await Engine.create({ tools, stores: { workflows: store } });
    const w = first.workflow('ticks_only', { owner: 'me' });
    w.factor({ tool: ticker.create({ stride: 10 }), sink: w.node('ticks') });
    expect(first.workflows.list().map((x) => x.id)).toEqual(['ticks_only']);
    await first.workflows.commit('ticks_only');
    const second = await Engine.create({ tools, stores: { workflows: store } });
    expect(() => second.workflows.get('ticks_only')).toThrow(WorkflowNotFoundError);
    const [loaded] = await second.workflows.loadAll();
    expect(loaded!.toDefinition()).toEqual(w.toDefinition());
    expect(second.workflows.get('ticks_only')).toBe(loaded);
    expect(await second.workflows.delete('ticks_only')).toBe(true);
    expect(await store.list()).toEqual([]);
    await expect(second.workflows.load('ticks_only')).rejects.toThrow(/commit it first/);
    await first.close();
    await second.close();
  });
});
