// Every built-in tool in tools/ goes into a workflow definition and comes back unchanged.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolChannel } from '../../../src/tools/tool-channel.js';
import { Engine } from '../../../src/engine/engine.js';
import { ToolParameterError } from '../../../src/errors.js';
import type { ToolDefinition, ToolInstance, ToolKind } from '../../../src/tools/tool.js';
import { Workflow } from '../../../src/workflow/workflow.js';

const TOOLS = fileURLToPath(new URL('../../../tools/', import.meta.url));
const names = readdirSync(TOOLS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** Parameters for the tools that have required ones (others are created with their defaults). */
const SAMPLE_PARAMS: Readonly<Record<string, Record<string, unknown>>> = {
  aggregate: { func: { fn: 'mean' } },
  apply: { func: { fn: 'abs' }, includeTimestamps: false },
  asset_writer: { value: { a: [1, 2] } },
  betavariate: { alpha: 2, beta: 3, seed: 1 },
  component: { key: 'max' },
  component_filter: { key: 'city', values: ['Auckland'] },
  component_set: { keys: ['max', 'min'] },
  csv_multi_reader: { filenameTemplate: 'data/Temp{}.csv', dateParser: 'yyyyMmm' },
  csv_reader: { path: 'data/sea_ice.csv', header: false, skipRows: 1 },
  custom: { func: { fn: 'identity' } },
  gammavariate: { alpha: 2, beta: 1 },
  index_of: { index: 'A' },
  index_of_by_stream: { index: 'A' },
  meta_instance: { func: { fn: 'identity' } },
  paretovariate: { alpha: 3 },
  randint: { a: 1, b: 6 },
  randrange: { start: 10 },
  relative_apply: { func: { fn: 'mean' } },
  relative_apply2: { func: { fn: 'mean' } },
  relative_window: { relativeStart: '-PT1H' },
  resample: { stride: 'PT1M' },
  slice: { index: -1 },
  sliding_apply: { func: { fn: 'median' } },
  splitter: { element: 'city' },
  splitter_of_list: { mapping: ['a', 'b'] },
  splitter_time_aware: { intervals: ['2016-01-01T00:00:00Z/P1D'] },
  splitter_with_unlist: { element: 'items', subelement: 'city' },
  uniform: { a: 0, b: 10 },
  vonmisesvariate: { mu: 0, kappa: 1 },
  weibullvariate: { alpha: 1, beta: 2 },
  window_aggregate: { width: 'PT1H' },
};

let engine: Engine;
let tools: ToolChannel;

beforeAll(async () => {
  tools = new ToolChannel({ path: TOOLS });
  engine = await Engine.create({ tools });
  await engine.plates.addMetaData([], 'city', 'Auckland');
  await engine.plates.createPlate({ id: 'C', metaKey: 'city' });
});
afterAll(async () => {
  await engine.close();
});

/** A one-factor workflow with plates that fit the tool's kind. */
async function oneFactor(definition: ToolDefinition, instance: ToolInstance): Promise<Workflow> {
  const w = engine.workflow(`round_trip_${definition.name}`);
  const plain = w.node('plain');
  const plated = w.node('plated', { plates: ['C'] });
  const out = w.node('out');
  const kind: ToolKind = definition.kind;
  const as = <K extends ToolKind>(): ToolInstance<K> => instance as unknown as ToolInstance<K>;
  switch (kind) {
    case 'tool':
      w.factor({
        tool: as<'tool'>(),
        sources: [plain],
        alignment: plain,
        sink: out,
        maxPieceSize: 'P1D',
      });
      break;
    case 'multi-output':
      w.multiOutputFactor({
        tool: as<'multi-output'>(),
        source: plain,
        splitting: plain,
        sink: plated,
      });
      break;
    case 'aggregate':
      w.aggregateFactor({ tool: as<'aggregate'>(), sources: [plated], sink: out });
      break;
    case 'selector':
      w.selectorFactor({ tool: as<'selector'>(), sources: [plated], sink: out });
      break;
    case 'plate-creation':
      await w.plateCreationFactor({
        tool: as<'plate-creation'>(),
        source: plain,
        outputPlate: { id: 'P', metaKey: 'p', parentPlate: 'C' },
      });
      break;
  }
  return w;
}

describe('definitions of every built-in tool', () => {
  it('finds the built-in tools', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'clock',
        'apply',
        'aggregate',
        'splitter_from_stream',
        'csv_multi_reader',
      ]),
    );
  });

  it.each(names)('%s round-trips through JSON', async (name) => {
    const definition = await tools.get(name);
    let instance: ToolInstance;
    try {
      instance = definition.create(SAMPLE_PARAMS[name] ?? {});
    } catch (error) {
      if (error instanceof ToolParameterError && !(name in SAMPLE_PARAMS)) {
        throw new Error(
          `add sample parameters for the new tool "${name}" to SAMPLE_PARAMS: ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
    const workflow = await oneFactor(definition, instance);
    const json = JSON.parse(JSON.stringify(workflow.toDefinition())) as unknown;
    const fresh = await Engine.create({ tools });
    try {
      await fresh.plates.addMetaData([], 'city', 'Auckland');
      const rebuilt = await Workflow.fromDefinition(json, {
        environment: fresh.environment,
        toolResolver: tools,
      });
      expect(rebuilt.toDefinition()).toEqual(json);
      const factor = rebuilt.factors[0]!;
      expect(factor.tool.identity).toBe(instance.identity);
      expect(factor.tool.kind).toBe(definition.kind);
    } finally {
      await fresh.close();
    }
  });
});
