// Security: stored definitions never become code. Functions are named, and only registered names
// resolve; nothing in the engine evaluates strings as code.
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import {
  FunctionNotRegisteredError,
  ToolParameterError,
  WorkflowDefinitionError,
} from '../../../src/errors.js';
import { defaultFunctions } from '../../../src/tools/function-scope.js';

const functionRegistry = defaultFunctions();
import { defineTool, functionParam } from '../../../src/tools/tool.js';
import { MemoryToolSource as ToolRegistry } from '../../../src/tools/tool-source.js';
import { Workflow } from '../../../src/workflow/workflow.js';
import { RUNS, outcome } from '../bad-input/typed-error.js';

const withFunction = defineTool({
  name: 'with_function',
  version: '1.0.0',
  kind: 'tool',
  params: z.strictObject({ func: functionParam() }),
  async *execute() {},
});

/** Every .ts file under `dir`. */
async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

describe('stored definitions never become code (security)', () => {
  it('nothing in src/ or tools/ evaluates strings as code (eval, Function, vm)', async () => {
    const files = [...(await sources(resolve('src'))), ...(await sources(resolve('tools')))];
    expect(files.length).toBeGreaterThan(50);
    const CODE_FROM_TEXT =
      /\beval\s*\(|\bnew\s+Function\s*\(|(?<![\w.])Function\s*\(|['"](?:node:)?vm['"]|\bvm\.\w+\s*\(/;
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const [i, line] of text.split('\n').entries()) {
        if (CODE_FROM_TEXT.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('a function parameter takes only registered names; anything else, code text included, is refused', () => {
    const codeLike = fc.constantFrom(
      '() => process.exit(1)',
      'function () { return 1 }',
      'require("child_process")',
      'mean; process.exit(1)',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
    );
    const name = fc.oneof(
      codeLike,
      fc.string({ maxLength: 12 }),
      fc.constantFrom(...functionRegistry.names()),
    );
    fc.assert(
      fc.property(name, (fn) => {
        const result = outcome(
          () => withFunction.create({ func: { fn } }),
          [ToolParameterError],
          'with_function',
        );
        expect(result.ok).toBe(functionRegistry.has(fn));
        if (result.ok) {
          expect(result.value.params.func).toBe(functionRegistry.get(fn));
          expect(result.value.toJSON().params).toEqual({ func: { fn } });
        } else if (fn !== '') {
          expect(result.error.message).toContain(`function "${fn}" is not registered`);
        }
        // A string where a function belongs is never read as code either.
        expect(
          outcome(() => withFunction.create({ func: fn as never }), [ToolParameterError]).ok,
        ).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('the registry refuses unknown names with FunctionNotRegisteredError, inherited keys included', () => {
    for (const fn of ['constructor', '__proto__', 'toString', 'no_such_function']) {
      expect(() => functionRegistry.get(fn)).toThrow(FunctionNotRegisteredError);
    }
  });

  it('loading a definition that names an unknown function is a WorkflowDefinitionError naming it', async () => {
    const tools = new ToolRegistry([withFunction]);
    const engine = await Engine.create({ tools });
    const w = engine.workflow('uses_function');
    w.factor({ tool: withFunction.create({ func: { fn: 'mean' } }), sink: w.node('out') });
    const definition = JSON.parse(JSON.stringify(w.toDefinition())) as {
      factors: { tool: { params: { func: { fn: string } } } }[];
    };
    definition.factors[0]!.tool.params.func.fn = 'x => globalThis.pwned = true';
    const fresh = await Engine.create({ tools });
    const load = Workflow.fromDefinition(definition, {
      environment: fresh.environment,
      toolResolver: tools,
    });
    await expect(load).rejects.toThrow(WorkflowDefinitionError);
    await expect(load).rejects.toThrow(
      /factors\.0\.tool\.params.*function "x => globalThis\.pwned = true" is not registered/,
    );
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
    await engine.close();
    await fresh.close();
  });
});
