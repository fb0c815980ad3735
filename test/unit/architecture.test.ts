// Structural rules of the code base that a reviewer would otherwise have to grep for.
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

async function sources(pattern: string, ignore: string[] = []): Promise<[string, string][]> {
  const files = await fg(pattern, { cwd: ROOT, ignore });
  return await Promise.all(
    files.map(async (file) => [file, await readFile(join(ROOT, file), 'utf8')] as [string, string]),
  );
}

const KIND_NAMES = ['tool', 'multi-output', 'aggregate', 'selector', 'plate-creation'];

describe('architecture', () => {
  it('only src/kinds branches on a factor kind', async () => {
    // 'tool' is also a channel kind (`channel.kind === 'tool'`), so it counts only in a switch or
    // when compared with a factor's kind.
    const others = KIND_NAMES.filter((k) => k !== 'tool').join('|');
    const branch = new RegExp(
      [
        `case\\s+'(${KIND_NAMES.join('|')})'\\s*:`,
        `\\.kind\\s*[!=]==?\\s*'(${others})'`,
        `'(${others})'\\s*[!=]==?\\s*[\\w.]+\\.kind`,
        `\\b(factor|f|producer|creator|consumer)\\.kind\\s*[!=]==?\\s*'tool'`,
      ].join('|'),
    );
    const offenders = (await sources('src/**/*.ts', ['src/kinds/**']))
      .filter(([, text]) => branch.test(text))
      .map(([file]) => file);
    expect(offenders).toEqual([]);
  });

  it('built-in tools import the package by name, never its source', async () => {
    const offenders = (await sources('tools/**/*.ts'))
      .filter(([, text]) => /from '(\.\.\/)+src\//.test(text))
      .map(([file]) => file);
    expect(offenders).toEqual([]);
  });

  it('no file in src/engine is over 400 lines', async () => {
    const long = (await sources('src/engine/*.ts'))
      .map(([file, text]) => [relative('src/engine', file), text.split('\n').length] as const)
      .filter(([, lines]) => lines > 400);
    expect(long).toEqual([]);
  });

  it('no module has effects at import: no globalThis registries, no top-level registration calls', async () => {
    const offenders = (await sources('src/**/*.ts'))
      .filter(([, text]) => /globalThis/.test(text) || /^register[A-Z]\w*\(/m.test(text))
      .map(([file]) => file);
    expect(offenders).toEqual([]);
  });
});
