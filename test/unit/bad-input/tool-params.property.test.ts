// Bad input to tool parameters: every built-in tool's `create` takes any JSON object and either
// works or throws ToolParameterError; what works survives a JSON round trip of `toJSON()`.
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ToolParameterError } from '../../../src/errors.js';
import type { ToolDefinition } from '../../../src/tools/tool.js';
import { isToolDefinition } from '../../../src/tools/tool.js';
import { RUNS, outcome } from './typed-error.js';

const TOOLS_DIR = resolve('tools');
const tools: ToolDefinition[] = [];

beforeAll(async () => {
  for (const name of (await readdir(TOOLS_DIR)).sort()) {
    for (const file of (await readdir(join(TOOLS_DIR, name))).filter((f) => f.endsWith('.ts'))) {
      const module = (await import(pathToFileURL(join(TOOLS_DIR, name, file)).href)) as {
        default: unknown;
      };
      if (!isToolDefinition(module.default)) throw new Error(`${name}/${file} exports no tool`);
      tools.push(module.default);
    }
  }
});

/** Values a stored definition or a user might put in a parameter: mostly plausible ones. */
const paramValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      { fn: 'mean' },
      { fn: 'sum' },
      { fn: 'no_such_function' },
      { fn: '' },
      { fn: 'mean', extra: 1 },
      'P1D',
      'PT1M',
      '-PT1H',
      'PT0S',
      'city',
      'data/x.csv',
      'data/x{}.csv',
      ['2016-01-01T00:00:00Z/P1D'],
      { a: [1, 2] },
      '',
      -1,
      0,
      0.5,
      1,
      2,
      3,
      10,
      1e308,
      [],
      ['a'],
      [1, 2],
      null,
      true,
      false,
    ),
  },
);

/** A JSON Schema node, as `describe()` gives it for a tool's parameters. */
interface Schema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly Schema[];
  readonly items?: Schema;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
}

/**
 * Values shaped by the parameter's JSON Schema (so refinements and cross-field checks run, not
 * only type checks), mixed with plausible and arbitrary values of the wrong shape.
 */
function fromSchema(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const shaped = shapedBy(schema, depth);
  return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: paramValue });
}

function shapedBy(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => shapedBy(s, depth)));
  const types = schema.type === undefined ? [] : [schema.type].flat();
  const options = types.map((type): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'integer': {
        const min = Math.max(schema.minimum ?? -20, -20);
        const max = Math.min(schema.maximum ?? 20, 20);
        // Mostly small positive numbers: widths, counts and strides must be.
        return fc.oneof(
          { weight: 3, arbitrary: fc.integer({ min: Math.max(min, Math.min(1, max)), max }) },
          { weight: 1, arbitrary: fc.integer({ min, max }) },
        );
      }
      case 'number':
        return fc.oneof(
          { weight: 3, arbitrary: fc.integer({ min: 1, max: 20 }) },
          { weight: 1, arbitrary: fc.double({ min: -100, max: 100, noNaN: true }) },
        );
      case 'string':
        return fc.constantFrom(
          'a',
          'city',
          'PT1H',
          '-PT1H',
          'data/x{}.csv',
          '2016-01-01T00:00:00Z/P1D',
        );
      case 'boolean':
        return fc.boolean();
      case 'array':
        return depth > 2
          ? fc.constant([])
          : fc.array(shapedBy(schema.items ?? {}, depth + 1), { maxLength: 3 });
      case 'object':
        return depth > 2 ? fc.constant({}) : objectFrom(schema, depth + 1);
      default:
        return paramValue;
    }
  });
  // `{}` (any value) is where a function parameter takes a function: give it a registered name.
  return options.length
    ? fc.oneof(...options)
    : fc.constantFrom({ fn: 'mean' }, { fn: 'identity' });
}

function objectFrom(schema: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([key, field]) => {
    // Required parameters are present nine times in ten, optional ones one time in four, so a
    // tool with many optional parameters is still often created successfully.
    const value = fromSchema(field, depth);
    const present = required.has(key) ? 9 : 1;
    const absent = required.has(key) ? 1 : 3;
    return fc.oneof(
      { weight: present, arbitrary: value.map((v) => [[key, v]] as [string, unknown][]) },
      { weight: absent, arbitrary: fc.constant([] as [string, unknown][]) },
    );
  });
  return fc.tuple(...fields).map((entries) => Object.fromEntries(entries.flat()));
}

/** Objects over the tool's own parameters (so real validation paths run), or any keys and values. */
function paramsFor(tool: ToolDefinition): fc.Arbitrary<unknown> {
  const schema = tool.describe().parameters as Schema;
  return fc.oneof(
    { weight: 6, arbitrary: objectFrom(schema, 0) },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), paramValue, { maxKeys: 3 }),
    },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  );
}

describe('tool parameters (bad input)', () => {
  it('loads every built-in tool', () => {
    expect(tools.length).toBeGreaterThanOrEqual(60);
  });

  it('create(any JSON object) works or throws ToolParameterError naming the tool; toJSON round-trips', () => {
    const arbitraries = tools.map((tool) => fc.tuple(fc.constant(tool), paramsFor(tool)));
    const toolAndParams = fc.oneof(...arbitraries);
    const created = new Map<string, number>();
    fc.assert(
      fc.property(toolAndParams, ([tool, params]) => {
        const result = outcome(() => tool.create(params as never), [ToolParameterError], tool.name);
        if (!result.ok) return;
        created.set(tool.name, (created.get(tool.name) ?? 0) + 1);
        const instance = result.value;
        if (!instance.serialisable) return;
        const stored: unknown = JSON.parse(JSON.stringify(instance.toJSON()));
        expect(stored).toEqual(instance.toJSON());
        const again = tool.create((stored as { params: never }).params);
        expect(again.identity).toBe(instance.identity);
      }),
      { numRuns: 2 * RUNS },
    );
    // Every tool must have been created at least once, or its round trip was never checked.
    expect(tools.filter((tool) => !created.has(tool.name)).map((tool) => tool.name)).toEqual([]);
  });

  it('every tool: its defaults (create({})) either work and round-trip, or name the missing parameters', () => {
    for (const tool of tools) {
      const result = outcome(() => tool.create({}), [ToolParameterError], tool.name);
      if (!result.ok) continue;
      const stored = JSON.parse(JSON.stringify(result.value.toJSON())) as { params: never };
      expect(tool.create(stored.params).identity).toBe(result.value.identity);
    }
  });
});
