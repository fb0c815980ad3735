import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_FILE, errorRows, readmeWithErrorTable } from '../../scripts/docs-errors.js';
import * as errors from '../../src/errors.js';

describe('README error table', () => {
  it('is what npm run docs:errors generates from src/errors.ts (run it after changing errors)', async () => {
    const readme = readFileSync(README_FILE, 'utf8');
    expect(readme).toBe(await readmeWithErrorTable(readme));
  });

  it('lists every error code once, with its class and kind', () => {
    const rows = errorRows();
    expect(rows.map((r) => r.code).sort()).toEqual(Object.values(errors.ErrorCode).sort());
    for (const row of rows) {
      const Class = (errors as unknown as Record<string, new (...args: never[]) => Error>)[
        row.className
      ];
      expect(Class, row.className).toBeTypeOf('function');
      const base =
        row.kind === 'usage' ? errors.HyperstreamUsageError : errors.HyperstreamRuntimeError;
      expect(Class!.prototype).toBeInstanceOf(base);
      expect(row.when).not.toMatch(/\*\/|\/\*|[{}]|=>/);
    }
  });

  it('is generated from doc comments, never from code', () => {
    const rows = errorRows(
      [
        'export class HyperstreamUsageError extends HyperstreamError {}',
        '/** A thing is wrong. */',
        'export class ThingError extends HyperstreamUsageError {',
        '  constructor() { super(ErrorCode.THING, "x"); }',
        '}',
      ].join('\n'),
    );
    expect(rows).toEqual([
      { code: 'THING', className: 'ThingError', kind: 'usage', when: 'A thing is wrong.' },
    ]);
  });
});
