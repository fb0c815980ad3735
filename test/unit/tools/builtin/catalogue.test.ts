// Every plain built-in tool: named after its folder, described, and its parameters round-trip.
import { describe, expect, it } from 'vitest';
import { isToolDefinition } from '../../../../src/tools/tool.js';

// Required parameters of each tool (the others need none).
const MINIMAL: Record<string, Record<string, unknown>> = {
  aligned_correlation: {},
  aligned_merge: {},
  aligning_window: {},
  apply: { func: { fn: 'abs' } },
  asset_writer: { value: { a: [1, 'b'] } },
  clock: {},
  component: { key: 'a' },
  component_filter: { key: 'a', values: [1] },
  component_set: { keys: ['a'] },
  copy: {},
  dict_argmax: {},
  dict_values_to_const: {},
  histogram_from_list: {},
  jsonify: {},
  list_dict_mean: {},
  list_dict_sum: {},
  list_length: {},
  list_mean: {},
  list_sum: {},
  percentiles_from_list: {},
  product: {},
  relative_apply: { func: { fn: 'mean' } },
  relative_apply2: { func: { fn: 'identity' } },
  relative_window: { relativeStart: 'PT-1H' },
  resample: { stride: 'PT1M' },
  sink: {},
  slice: { index: 0 },
  sliding_apply: { func: { fn: 'median' } },
  sliding_listify: {},
  sliding_sink: {},
  sliding_window: {},
  window_aggregate: { width: 'PT1H', step: 'PT10M' },
};

interface JsonSchema {
  properties?: Record<string, { description?: string }>;
}

describe('plain built-in tools', () => {
  for (const [name, params] of Object.entries(MINIMAL)) {
    it(`${name} is a described tool whose parameters survive JSON`, async () => {
      const module = (await import(`../../../../tools/${name}/2026-11-22_v1.0.0.ts`)) as {
        default: unknown;
      };
      const definition = module.default;
      expect(isToolDefinition(definition)).toBe(true);
      if (!isToolDefinition(definition)) return;
      expect(definition.name).toBe(name);
      expect(definition.kind).toBe('tool');
      expect(definition.version).toBe('1.0.0');
      expect(definition.description.length).toBeGreaterThan(10);
      const schema = definition.describe().parameters as JsonSchema;
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        expect(property.description, `${name}.${key} has no description`).toBeTruthy();
      }
      const tool = definition.create(params);
      const stored = JSON.parse(JSON.stringify(tool.toJSON())) as {
        params: Record<string, unknown>;
      };
      expect(definition.create(stored.params).identity).toBe(tool.identity);
    });
  }
});
