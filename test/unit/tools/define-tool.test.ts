import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  InvalidArgumentError,
  ToolParameterError,
  isHyperstreamError,
} from '../../../src/errors.js';
import {
  FunctionRegistry,
  functionRegistry,
  registerFunction,
} from '../../../src/tools/functions.js';
import type { ToolFunction } from '../../../src/tools/functions.js';
import {
  defineTool,
  functionParam,
  isToolDefinition,
  isToolInstance,
} from '../../../src/tools/tool.js';

const scale = defineTool({
  name: 'scale',
  version: '1.2.0',
  kind: 'tool',
  description: 'Multiplies values by a factor',
  params: z.strictObject({
    factor: z.number().describe('what every value is multiplied by'),
    label: z.string().default('scaled').describe('name of the output'),
    options: z.strictObject({ round: z.boolean(), digits: z.number() }).optional(),
  }),
  async *execute({ sources, params }) {
    for await (const { timestamp, value } of sources[0]!.view) {
      yield { timestamp, value: (value as number) * params.factor };
    }
  },
});

const apply = defineTool({
  name: 'apply',
  version: '1.0.0',
  kind: 'tool',
  params: z.strictObject({ fn: functionParam().describe('applied to each value') }),
  async *execute() {},
});

// The registry is process-wide: each test registers unique names and removes them afterwards.
const registered: string[] = [];
function register(name: string, fn: ToolFunction): string {
  const unique = `test_define_tool_${name}_${registered.length}`;
  registerFunction(unique, fn);
  registered.push(unique);
  return unique;
}
afterEach(() => {
  for (const name of registered.splice(0)) functionRegistry.unregister(name);
});

function parameterError(run: () => unknown): ToolParameterError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ToolParameterError);
    return error as ToolParameterError;
  }
  throw new Error('expected ToolParameterError');
}

describe('defineTool parameters', () => {
  it('parses once, applying defaults, and freezes the result', () => {
    const tool = scale.create({ factor: 2 });
    expect(tool.params).toEqual({ factor: 2, label: 'scaled' });
    expect(Object.isFrozen(tool.params)).toBe(true);
  });

  it('names the tool, the parameter and the expected type for a wrong value', () => {
    const error = parameterError(() => scale.create({ factor: 'two' } as never));
    expect(error.message).toMatch(/tool "scale" 1\.2\.0/);
    expect(error.message).toMatch(/factor: .*expected number/);
    expect(error.code).toBe('TOOL_PARAMETERS_INVALID');
    expect(error.details).toMatchObject({ tool: 'scale', version: '1.2.0' });
    expect((error.details.issues as { path: unknown[] }[])[0]!.path).toEqual(['factor']);
  });

  it('names a missing parameter', () => {
    const error = parameterError(() => scale.create({} as never));
    expect(error.message).toMatch(/factor: .*expected number, received undefined/);
  });

  it('refuses an extra (mistyped) parameter instead of dropping it', () => {
    const error = parameterError(() => scale.create({ factor: 1, facter: 2 } as never));
    expect(error.message).toMatch(/Unrecognized key: "facter"/);
  });

  it('gives the path of a nested parameter', () => {
    const error = parameterError(() =>
      scale.create({ factor: 1, options: { round: true, digits: 'x' } } as never),
    );
    expect(error.message).toMatch(/options\.digits: .*expected number/);
  });

  it('treats undefined parameters as an empty object', () => {
    const none = defineTool({
      name: 'none',
      version: '0.0.1',
      kind: 'plate-creation',
      params: z.strictObject({ n: z.number().default(3) }),
      async *execute() {},
    });
    expect(none.create().params).toEqual({ n: 3 });
  });
});

describe('tool identity', () => {
  it('is name@version plus the canonical JSON of the parsed parameters', () => {
    expect(scale.create({ factor: 2 }).identity).toBe('scale@1.2.0{"factor":2,"label":"scaled"}');
  });

  it('does not depend on key order, and includes defaults', () => {
    const a = scale.create({ factor: 2, options: { round: true, digits: 1 } });
    const b = scale.create({ options: { digits: 1, round: true }, label: 'scaled', factor: 2 });
    expect(a.identity).toBe(b.identity);
    expect(scale.create({ factor: 3 }).identity).not.toBe(a.identity);
  });

  it('differs between versions', () => {
    const next = defineTool({ ...scale.spec, version: '1.3.0' });
    expect(next.create({ factor: 2 }).identity).not.toBe(scale.create({ factor: 2 }).identity);
  });

  it('toJSON gives name, version and canonical parameters that create the same identity', () => {
    const tool = scale.create({ label: 'x', factor: 4 });
    const json = tool.toJSON();
    expect(json).toEqual({ name: 'scale', version: '1.2.0', params: { factor: 4, label: 'x' } });
    expect(scale.create(json.params as never).identity).toBe(tool.identity);
  });
});

describe('function parameters', () => {
  it('accept a function in code', () => {
    const double = (x: number): number => x * 2;
    const tool = apply.create({ fn: double });
    expect(tool.params.fn).toBe(double);
  });

  it('resolve { fn: name } through the registry, and store the name', () => {
    const triple = (x: number): number => x * 3;
    const name = register('triple', triple);
    const tool = apply.create({ fn: { fn: name } });
    expect(tool.params.fn).toBe(triple);
    expect(tool.serialisable).toBe(true);
    expect(tool.toJSON().params).toEqual({ fn: { fn: name } });
    expect(tool.identity).toBe(`apply@1.0.0{"fn":{"fn":"${name}"}}`);
  });

  it('store a registered function passed directly by its name', () => {
    const half = (x: number): number => x / 2;
    const name = register('half', half);
    const direct = apply.create({ fn: half });
    expect(direct.toJSON().params).toEqual({ fn: { fn: name } });
    expect(direct.identity).toBe(apply.create({ fn: { fn: name } }).identity);
  });

  it('refuse an unregistered name with ToolParameterError listing what is registered', () => {
    const name = register('known', () => 1);
    const error = parameterError(() => apply.create({ fn: { fn: 'test_define_tool_unknown' } }));
    expect(error.message).toMatch(/function "test_define_tool_unknown" is not registered/);
    expect(error.message).toContain(name);
  });

  it('refuse values that are neither a function nor { fn }', () => {
    parameterError(() => apply.create({ fn: 'mean' } as never));
    parameterError(() => apply.create({ fn: { fn: 'x', extra: 1 } } as never));
  });

  it('make a tool with an unregistered function unsaveable, with a distinct identity per function', () => {
    const f = (x: number): number => x + 1;
    const g = (x: number): number => x + 2;
    const tool = apply.create({ fn: f });
    expect(tool.serialisable).toBe(false);
    expect(() => tool.toJSON()).toThrow(ToolParameterError);
    expect(() => tool.toJSON()).toThrow(/register it with engine.functions.register/);
    expect(apply.create({ fn: f }).identity).toBe(tool.identity);
    expect(apply.create({ fn: g }).identity).not.toBe(tool.identity);
  });
});

describe('FunctionRegistry', () => {
  it('registers, finds by name and by function, and refuses a second function under a name', () => {
    const registry = new FunctionRegistry();
    const f = (): number => 1;
    registry.register('f', f);
    registry.register('f', f);
    expect(registry.get('f')).toBe(f);
    expect(registry.nameOf(f)).toBe('f');
    expect(() => registry.register('f', () => 2)).toThrow(InvalidArgumentError);
    expect(() => registry.register('bad name', f)).toThrow(/invalid function name/);
    expect(registry.unregister('f')).toBe(true);
    expect(registry.nameOf(f)).toBeUndefined();
    expect(() => registry.get('f')).toThrow(/function "f" is not registered/);
  });
});

describe('describe()', () => {
  it('gives name, version, kind, description and a JSON Schema with the .describe() texts', () => {
    const description = scale.describe();
    expect(description).toMatchObject({
      name: 'scale',
      version: '1.2.0',
      kind: 'tool',
      description: 'Multiplies values by a factor',
    });
    const schema = description.parameters as {
      properties: Record<string, { description?: string; default?: unknown }>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(schema.properties.factor!.description).toBe('what every value is multiplied by');
    expect(schema.properties.label).toMatchObject({
      description: 'name of the output',
      default: 'scaled',
    });
    expect(schema.required).toEqual(['factor']);
    expect(schema.additionalProperties).toBe(false);
  });

  it('describes function parameters without failing', () => {
    const schema = apply.describe().parameters as {
      properties: Record<string, { description?: string }>;
    };
    expect(schema.properties.fn!.description).toBe('applied to each value');
  });
});

describe('defineTool checks', () => {
  const base = { kind: 'tool' as const, params: z.strictObject({}), async *execute() {} };
  it.each([
    [{ ...base, name: '9lives', version: '1.0.0' }, /invalid tool name/],
    [{ ...base, name: 'a b', version: '1.0.0' }, /invalid tool name/],
    [{ ...base, name: 'ok', version: '1.0' }, /invalid version "1\.0"/],
    [{ ...base, name: 'ok', version: '1.0.0', kind: 'nope' }, /invalid kind "nope"/],
    [{ ...base, name: 'ok', version: '1.0.0', params: { a: 1 } }, /params must be a zod object/],
  ])('refuses %#', (spec, message) => {
    expect(() => defineTool(spec as never)).toThrow(InvalidArgumentError);
    expect(() => defineTool(spec as never)).toThrow(message);
  });
});

describe('parameter defaults', () => {
  it('must pass their own schema (zod 4 does not parse defaults)', () => {
    const spec = {
      name: 'windowed',
      version: '1.0.0',
      kind: 'tool' as const,
      async *execute() {},
    };
    const bad = () =>
      defineTool({
        ...spec,
        params: z.strictObject({ window: z.number().int().min(1).default(0) }),
      });
    expect(bad).toThrow(ToolParameterError);
    expect(bad).toThrow(
      /tool "windowed" 1\.0\.0: the default of parameter "window" \(0\) fails its own schema: .*>=1/,
    );
    const wrapped = () =>
      defineTool({
        ...spec,
        params: z.strictObject({ w: z.number().min(1).default(0).optional() }),
      });
    expect(wrapped).toThrow(/parameter "w"/);
    const good = defineTool({
      ...spec,
      params: z.strictObject({
        window: z.number().int().min(1).default(3),
        label: z.string().optional().default('x'),
        fn: functionParam().optional(),
      }),
    });
    expect(good.create().params).toEqual({ window: 3, label: 'x' });
  });
});

describe('brands', () => {
  it('recognise definitions and instances without instanceof', () => {
    const instance = scale.create({ factor: 1 });
    expect(isToolDefinition(scale)).toBe(true);
    expect(isToolDefinition(instance)).toBe(false);
    expect(isToolInstance(instance)).toBe(true);
    expect(isToolInstance(scale)).toBe(false);
  });

  it('recognise a definition made by another copy of the package (same registered symbol)', () => {
    const foreign = { [Symbol.for('hyperstream.tool-definition')]: true, create: () => undefined };
    expect(isToolDefinition(foreign)).toBe(true);
    expect(isToolDefinition({ ...scale.spec, create: (p: never) => scale.create(p) })).toBe(false);
    expect(isToolDefinition(null)).toBe(false);
  });

  it('keep errors recognisable as hyperstream errors', () => {
    expect(isHyperstreamError(parameterError(() => scale.create({} as never)))).toBe(true);
  });
});
