// Security: tools load only from configured folders. Whatever name is asked for (`..`, absolute
// paths, backslashes, symbolic links out of the folder), no file outside the folder is imported.
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolChannel } from '../../../src/tools/tool-channel.js';
import {
  ChannelNotFoundError,
  InvalidArgumentError,
  PathOutsideRootError,
  ToolNotFoundError,
} from '../../../src/errors.js';
import { ToolResolver } from '../../../src/tools/plugins.js';
import { defineTool } from '../../../src/tools/tool.js';
import { RUNS, outcomeAsync } from '../../unit/bad-input/typed-error.js';

const VERSION_FILE = '2024-01-01_v1.0.0.ts';
let tmp: string;
let root: string;
let realRoot: string;
const imported: string[] = [];
const ignored: string[] = [];
let channel: ToolChannel;
let resolver: ToolResolver;

/** Stands in for `import()`: records the path and gives the tool its folder and file name promise. */
function importModule(path: string): Promise<unknown> {
  imported.push(path);
  return Promise.resolve({
    default: defineTool({
      name: basename(dirname(path)),
      version: '1.0.0',
      kind: 'tool',
      params: z.strictObject({}),
      async *execute() {},
    }),
  });
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hs-tool-paths-'));
  root = join(tmp, 'tools');
  const outside = join(tmp, 'outside');
  for (const dir of [join(root, 'good'), join(root, 'mixed'), join(outside, 'evil')]) {
    await mkdir(dir, { recursive: true });
  }
  await writeFile(join(root, 'good', VERSION_FILE), '// inside');
  await writeFile(join(outside, 'evil', VERSION_FILE), '// outside');
  // A link inside the folder to a folder inside it is fine; links out of it are not.
  await symlink(join(root, 'good'), join(root, 'linked_inside'));
  await symlink(join(outside, 'evil'), join(root, 'escape_dir'));
  await symlink(join(outside, 'evil', VERSION_FILE), join(root, 'mixed', VERSION_FILE));
  realRoot = await realpath(root);
  channel = new ToolChannel({
    id: 'x_tools',
    path: root,
    importModule,
    onFileIgnored: (path, reason) => ignored.push(`${relative(root, path)}: ${reason}`),
  });
  resolver = new ToolResolver([channel]);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const FRAGMENTS = [
  'good',
  'evil',
  'mixed',
  'escape_dir',
  'linked_inside',
  'outside',
  'x_tools',
  'tools',
  '..',
  '.',
  '/',
  '\\',
  '~',
  '%2e%2e',
  '/etc/passwd',
  VERSION_FILE,
  '\u0000',
  ' ',
];
const ref = fc
  .array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 5 })
  .map((p) => p.join(''));

describe('tools load only from configured folders (security)', { timeout: 60_000 }, () => {
  it('links out of the folder are skipped when it is scanned', async () => {
    expect(await channel.names()).toEqual(['good', 'linked_inside']);
    expect(ignored.sort()).toEqual([
      `escape_dir: symbolic link leads outside "${root}"`,
      `mixed/${VERSION_FILE}: symbolic link leads outside "${root}"`,
    ]);
  });

  it('any tool name or reference loads a tool from inside the folder or is refused with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(ref, fc.boolean(), async (name, viaResolver) => {
        const result = await outcomeAsync(
          async () => await (viaResolver ? resolver.get(name) : channel.get(name)),
          [ToolNotFoundError, PathOutsideRootError, ChannelNotFoundError, InvalidArgumentError],
        );
        if (result.ok) expect(['good', 'linked_inside']).toContain(result.value.name);
      }),
      { numRuns: RUNS },
    );
    // Every file that was imported lies inside the folder, links followed.
    const outsideImports: string[] = [];
    for (const path of new Set(imported)) {
      const rel = relative(realRoot, await realpath(path));
      if (rel.startsWith('..')) outsideImports.push(path);
    }
    expect(outsideImports).toEqual([]);
    expect(imported.length).toBeGreaterThan(0);
  });
});
