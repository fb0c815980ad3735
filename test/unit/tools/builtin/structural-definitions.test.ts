// Checks every built-in tool of the structural share (aggregate, multi-output, selector, plate
// creation, importers, generators): file layout, descriptions and JSON round-trip of parameters.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isToolDefinition, registerFunction } from '../../../../src/index.js';
import type { ToolDefinition } from '../../../../src/index.js';

const TOOLS = fileURLToPath(new URL('../../../../tools/', import.meta.url));
registerFunction('test.definitions.identity', (value: unknown) => value);
const fn = { fn: 'test.definitions.identity' };

/** Each tool with the smallest parameters it accepts. */
const MINIMAL: Record<string, Record<string, unknown>> = {
  aggregate: { func: fn },
  aggregate_plate: {},
  aggregate_into_dict_and_apply: {},
  splitter: { element: 'k' },
  splitter_from_stream: {},
  splitter_of_dict: {},
  splitter_of_list: { mapping: ['a'] },
  splitter_with_unlist: { element: 'e', subelement: 's' },
  splitter_time_aware: { intervals: ['2016-04-28T20:00:00Z/PT1H'] },
  splitter_time_aware_from_stream: {},
  stream_broadcaster: {},
  stream_broadcaster_from_stream: {},
  asset_splitter: {},
  csv_multi_reader: { filenameTemplate: 'data/{}.csv' },
  csv_reader: { path: 'data.csv' },
  index_of: { index: 'a' },
  index_of_by_stream: { index: 'a' },
  plate_sink: {},
  asset_plate_generator: {},
  meta_instance: { func: fn },
  meta_instance_from_list: {},
  random: {},
  uniform: { a: 0, b: 1 },
  gauss: {},
  normalvariate: {},
  lognormvariate: {},
  expovariate: {},
  gammavariate: { alpha: 1, beta: 1 },
  betavariate: { alpha: 1, beta: 1 },
  paretovariate: { alpha: 1 },
  weibullvariate: { alpha: 1, beta: 1 },
  vonmisesvariate: { mu: 0, kappa: 1 },
  triangular: {},
  randint: { a: 1, b: 6 },
  randrange: { start: 10 },
  custom: { func: fn },
};

async function load(name: string): Promise<{ file: string; definition: ToolDefinition }> {
  const files = readdirSync(`${TOOLS}${name}`);
  expect(files).toEqual(['2026-11-22_v1.0.0.ts']);
  const module = (await import(`${TOOLS}${name}/${files[0]}`)) as { default: unknown };
  expect(isToolDefinition(module.default)).toBe(true);
  return { file: files[0]!, definition: module.default as ToolDefinition };
}

describe.each(Object.keys(MINIMAL))('built-in tool %s', (name) => {
  it('is named after its folder, version 1.0.0, with a description on the tool and every parameter', async () => {
    const { definition } = await load(name);
    expect(definition.name).toBe(name);
    expect(definition.version).toBe('1.0.0');
    expect(definition.description.length).toBeGreaterThan(10);
    const schema = definition.describe().parameters as {
      properties?: Record<string, { description?: string }>;
    };
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      expect(property.description, `${name}.${key}`).toMatch(/\w/);
    }
  });

  it('round-trips its parameters through JSON with the same identity', async () => {
    const { definition } = await load(name);
    const instance = definition.create(MINIMAL[name]);
    const json = JSON.parse(JSON.stringify(instance.toJSON())) as {
      params: Record<string, unknown>;
    };
    expect(definition.create(json.params).identity).toBe(instance.identity);
  });
});
