import { cp, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModuleChannel } from '../../../src/channels/module-channel.js';
import { ToolChannel, isToolChannel } from '../../../src/tools/tool-channel.js';
import {
  ChannelNotFoundError,
  ConfigError,
  InvalidArgumentError,
  PathOutsideRootError,
  StorageError,
  ToolLoadError,
  ToolNotFoundError,
  ToolParameterError,
  isHyperstreamError,
} from '../../../src/errors.js';
import { collect } from '../../../src/internal/async.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { VirtualClock } from '../../../src/time/clock.js';
import { ToolResolver, loadPlugins, parsePluginConfigs } from '../../../src/tools/plugins.js';
import type { ToolInstance } from '../../../src/tools/tool.js';
import { interval, runTool, source, SINK } from '../../helpers/tool-harness.js';

const FIXTURES = resolve('fixtures/tools');
const REPO_TOOLS = resolve('tools');
const NOW = Date.UTC(2026, 0, 1);

function tools(caseName: string, id = `${caseName}_tools`) {
  const ignored: string[] = [];
  const channel = new ToolChannel({
    id,
    path: join(FIXTURES, caseName, 'tools'),
    clock: new VirtualClock(NOW),
    onFileIgnored: (path, reason) => ignored.push(`${path}: ${reason}`),
  });
  return { channel, ignored };
}

async function loadError(promise: Promise<unknown>): Promise<ToolLoadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolLoadError);
  return error as ToolLoadError;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hs-tool-loader-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('a user tool from a plugin folder (TypeScript, no build step)', () => {
  it('loads through the plugin channel and runs on a memory stream', async () => {
    const [plugin] = loadPlugins([
      { path: 'fixtures/tools/valid', channelIdPrefix: 'acme', hasTools: true },
    ]);
    expect(plugin?.toolChannel?.id).toBe('acme_tools');
    const scale = await plugin!.toolChannel!.get('scale', { version: '1.1.0' });
    expect(scale).toMatchObject({ name: 'scale', version: '1.1.0', kind: 'tool' });

    const window = interval(0, 30);
    const input = await source(
      [
        { timestamp: 10, value: 1 },
        { timestamp: 20, value: 2.5 },
        { timestamp: 30, value: -4 },
        { timestamp: 40, value: 100 },
      ],
      window,
    );
    const instance = scale.create({ factor: 2, offset: 1 }) as ToolInstance<'tool', unknown>;
    const out = await runTool(instance, {
      sources: [input],
      alignment: undefined,
      sink: SINK,
      interval: window,
    });
    expect(out).toEqual([
      { timestamp: 10, value: 3 },
      { timestamp: 20, value: 6 },
      { timestamp: 30, value: -7 },
    ]);
    expect(instance.identity).toBe('scale@1.1.0{"factor":2,"offset":1}');
  });

  it('validates parameters with the tool file’s own schema', async () => {
    const { channel } = tools('valid');
    const scale = await channel.get('scale', { version: '2.0.0' });
    // The tool file has its own copy of the package; its errors are still recognised, by code and
    // by instanceof (HyperstreamError checks the class names recorded on the error).
    const error = thrown(() => scale.create({ factor: 2 }));
    expect(isHyperstreamError(error) && error.code).toBe('TOOL_PARAMETERS_INVALID');
    expect(error).toBeInstanceOf(ToolParameterError);
    expect((error as Error).message).toMatch(
      /tool "scale" 2\.0\.0: multiplier: .*expected number.*Unrecognized key: "factor"/,
    );
    expect(scale.describe().parameters).toMatchObject({
      properties: {
        multiplier: { type: 'number', description: 'what every value is multiplied by' },
      },
    });
  });
});

describe('ToolChannel versions', () => {
  it('gives the newest version by default', async () => {
    const { channel } = tools('valid');
    expect((await channel.get('scale')).version).toBe('2.0.0');
  });

  it('gives an exact version, or the highest in a range', async () => {
    const { channel } = tools('valid');
    expect((await channel.get('scale', { version: '1.0.0' })).version).toBe('1.0.0');
    expect((await channel.get('scale', { version: '^1.0.0' })).version).toBe('1.1.0');
    expect((await channel.get('scale', { version: '~1.0.0' })).version).toBe('1.0.0');
    expect((await channel.get('scale', { version: '>=1.0.0' })).version).toBe('2.0.0');
    expect((await channel.get('scale', { version: '1.x' })).version).toBe('1.1.0');
  });

  it('gives the version valid at a time', async () => {
    const { channel } = tools('valid');
    expect((await channel.get('scale', { at: '2024-03-01T00:00:00Z' })).version).toBe('1.0.0');
    expect((await channel.get('scale', { at: '2024-06-01T00:00:00Z' })).version).toBe('1.1.0');
    expect((await channel.get('scale', { at: Date.UTC(2030, 0, 1) })).version).toBe('2.0.0');
    expect((await channel.get('scale', { at: '2025-06-01', version: '^1.0.0' })).version).toBe(
      '1.1.0',
    );
  });

  it('says which versions exist when none matches', async () => {
    const { channel } = tools('valid');
    await expect(channel.get('scale', { version: '^3.0.0' })).rejects.toThrow(ToolNotFoundError);
    await expect(channel.get('scale', { version: '^3.0.0' })).rejects.toThrow(
      /no version \^3\.0\.0 .*available: 1\.0\.0 \(2024-01-15\), 1\.1\.0 \(2024-06-01\), 2\.0\.0 \(2025-01-01\)/,
    );
    await expect(channel.get('scale', { at: '2023-01-01' })).rejects.toThrow(
      /no valid at 2023-01-01/,
    );
    await expect(channel.get('scale', { version: 'latest' })).rejects.toThrow(InvalidArgumentError);
  });

  it('suggests close names for an unknown tool', async () => {
    const { channel } = tools('valid');
    const error = await channel.get('scal').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolNotFoundError);
    expect((error as Error).message).toMatch(
      /tool "scal" not found in channel "valid_tools"; did you mean "scale"\?/,
    );
    await expect(channel.get('zzzzzzzz')).rejects.toThrow(/known tools: offset, scale/);
  });

  it('accepts a named `tool` export', async () => {
    const { channel } = tools('valid');
    const offset = await channel.get('offset');
    expect(offset.create().params).toEqual({ by: 1 });
  });

  it('lists tools with versions, kind and description, and reports files that are not versions', async () => {
    const { channel, ignored } = tools('valid');
    const listing = await channel.list();
    expect(
      listing.map((t) => [t.name, t.versions.map((v) => v.version), t.kind, t.description]),
    ).toEqual([
      ['offset', ['1.0.0'], 'tool', 'Adds a constant to each value of the first source'],
      [
        'scale',
        ['1.0.0', '1.1.0', '2.0.0'],
        'tool',
        'Multiplies each value of the first source by a multiplier',
      ],
    ]);
    expect(ignored).toHaveLength(1);
    expect(ignored[0]).toMatch(/offset\/notes\.md: not a code module/);
  });

  it('reads a tool stream as a channel: documents are tool definitions at their file dates', async () => {
    const { channel } = tools('valid');
    const stream = await channel.getStream('scale');
    const items = await stream.window(TimeInterval.upTo(NOW)).toArray();
    expect(items.map((i) => [i.timestamp, (i.value as { version: string }).version])).toEqual([
      [Date.UTC(2024, 0, 15), '1.0.0'],
      [Date.UTC(2024, 5, 1), '1.1.0'],
      [Date.UTC(2025, 0, 1), '2.0.0'],
    ]);
    expect(isToolChannel(channel)).toBe(true);
    expect(isToolChannel(new ModuleChannel({ path: FIXTURES }))).toBe(false);
  });
});

describe('ModuleChannel', () => {
  it('imports modules lazily through an injected importer; the value is the module', async () => {
    const imported: string[] = [];
    const modules = new ModuleChannel({
      id: 'modules',
      path: join(FIXTURES, 'valid/tools'),
      clock: new VirtualClock(NOW),
      importModule: async (path) => {
        imported.push(path.slice(FIXTURES.length + 1));
        return (await import(path)) as unknown;
      },
    });
    expect(modules.kind).toBe('module');
    const scale = await modules.getStream('scale');
    expect(await scale.window(TimeInterval.upTo(NOW)).count()).toBe(3);
    expect(imported).toEqual([]);
    const newest = await scale.window(TimeInterval.upTo(NOW)).last();
    expect(newest?.timestamp).toBe(Date.UTC(2025, 0, 1));
    expect(Object.keys(newest?.value as object)).toEqual(['default']);
    expect(imported).toEqual(['valid/tools/scale/2025-01-01_v2.0.0.ts']);
    // Cached per file version: reading it again does not import again.
    await scale.window(TimeInterval.upTo(NOW)).last();
    expect(imported).toHaveLength(1);
  });

  it('turns an import failure into StorageError with the path and the cause', async () => {
    const modules = new ModuleChannel({
      path: join(FIXTURES, 'syntax-error/tools'),
      clock: new VirtualClock(NOW),
    });
    const error = await collect(modules.getResults('broken_syntax', TimeInterval.upTo(NOW))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).details.path).toMatch(/broken_syntax\/2024-01-01_v1\.0\.0\.ts$/);
    expect((error as StorageError).cause).toBeInstanceOf(Error);
  });
});

describe('broken tool files', () => {
  it('syntax error: ToolLoadError with the path and the parser error as cause', async () => {
    const { channel } = tools('syntax-error');
    const error = await loadError(channel.get('broken_syntax'));
    expect(error.code).toBe('TOOL_LOAD_FAILED');
    expect(error.details.path).toBe(
      join(FIXTURES, 'syntax-error/tools/broken_syntax/2024-01-01_v1.0.0.ts'),
    );
    expect(error.message).toContain('2024-01-01_v1.0.0.ts');
    expect(error.message).toMatch(/does not load/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('no export: ToolLoadError listing what it exports', async () => {
    const error = await loadError(tools('no-export').channel.get('no_export'));
    expect(error.message).toMatch(/no default or tool export \(exports: helper\)/);
  });

  it('wrong shape: ToolLoadError saying the export is not a defineTool tool', async () => {
    const error = await loadError(tools('wrong-shape').channel.get('wrong_shape'));
    expect(error.message).toMatch(
      /default export is an object with name, version, kind, params, execute, not a tool made with defineTool/,
    );
  });

  it('bad default params: ToolLoadError whose cause is the tool parameter error', async () => {
    const error = await loadError(tools('bad-params').channel.get('bad_params'));
    expect(error.message).toMatch(/the default of parameter "window" \(0\) fails its own schema/);
    expect(isHyperstreamError(error.cause) && error.cause.code).toBe('TOOL_PARAMETERS_INVALID');
  });

  it('name mismatch: ToolLoadError naming both names', async () => {
    const error = await loadError(tools('name-mismatch').channel.get('name_mismatch'));
    expect(error.message).toMatch(/defines tool "other_name" but lies in folder "name_mismatch"/);
  });

  it('version mismatch: ToolLoadError naming both versions', async () => {
    const error = await loadError(tools('version-mismatch').channel.get('version_mismatch'));
    expect(error.message).toMatch(/defines version 2\.0\.0 but its file name says 1\.0\.0/);
  });

  it('list() reports a broken tool without failing the others', async () => {
    const listing = await tools('no-export').channel.list();
    expect(listing).toHaveLength(1);
    expect(listing[0]?.error).toBeInstanceOf(ToolLoadError);
    expect(listing[0]?.kind).toBeUndefined();
  });
});

describe('refresh', () => {
  it('finds a tool file written after start-up, and a fixed file after it changes', async () => {
    // An ES-module folder outside the repository that resolves zod like a user's project would.
    const project = await mkdtemp(join(tmp, 'project-'));
    await writeFile(join(project, 'package.json'), '{ "type": "module" }');
    await symlink(resolve('node_modules'), join(project, 'node_modules'));
    const root = join(project, 'tools');
    await mkdir(root);
    const channel = new ToolChannel({ id: 'live_tools', path: root, clock: new VirtualClock(NOW) });
    expect(await channel.names()).toEqual([]);

    const file = join(root, 'late', '2025-02-01_v1.0.0.ts');
    await mkdir(join(root, 'late'));
    await writeFile(file, toolSource('late', 'first'));
    expect(await channel.has('late')).toBe(false);
    await channel.refresh();
    expect((await channel.get('late')).description).toBe('first');

    // Broken in place, then fixed: each change is seen after refresh, in the same process.
    await writeFile(file, `export default { nope: true };\n`);
    await touch(file, 5);
    await channel.refresh();
    await loadError(channel.get('late'));
    await writeFile(file, toolSource('late', 'fixed'));
    await touch(file, 10);
    await channel.refresh();
    expect((await channel.get('late')).description).toBe('fixed');

    await mkdir(join(root, 'later'));
    await writeFile(
      join(root, 'later', '2025-03-01_v0.1.0.ts'),
      toolSource('later', 'new', '0.1.0'),
    );
    await channel.refresh();
    expect(await channel.names()).toEqual(['late', 'later']);
  });
});

function toolSource(name: string, description: string, version = '1.0.0'): string {
  return [
    `import { z } from 'zod';`,
    `import { defineTool } from ${JSON.stringify(resolve('src/index.js'))};`,
    `export default defineTool({ name: '${name}', version: '${version}', kind: 'tool', description: '${description}',`,
    `  params: z.strictObject({}), async *execute() {} });`,
    '',
  ].join('\n');
}

/** Moves a file's modification time forward (fast rewrites can keep the same mtime). */
async function touch(path: string, seconds: number): Promise<void> {
  const later = new Date(Date.now() + seconds * 1000);
  await utimes(path, later, later);
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('plugins', () => {
  it('validates entries and names the bad one', () => {
    expect(() =>
      parsePluginConfigs([
        { path: 'a', channelIdPrefix: 'a' },
        { path: '', channelIdPrefix: 'b' },
      ]),
    ).toThrow(/invalid plugin entry plugins\[1\]: path:/);
    expect(() => parsePluginConfigs([{ path: 'a', channelIdPrefix: 'a', hasTool: true }])).toThrow(
      /plugins\[0\]: \(entry\): Unrecognized key: "hasTool"/,
    );
    expect(() =>
      parsePluginConfigs([
        { path: 'a', channelIdPrefix: 'x' },
        { path: 'b', channelIdPrefix: 'x' },
      ]),
    ).toThrow(/plugins\[0\] and plugins\[1\] both use channelIdPrefix "x"/);
    expect(() => parsePluginConfigs({})).toThrow(ConfigError);
    expect(parsePluginConfigs([{ path: 'a', channelIdPrefix: 'a' }])).toEqual([
      { path: 'a', channelIdPrefix: 'a', hasTools: true, hasAssets: false },
    ]);
  });

  it('creates <prefix>_tools channels only for plugins with tools, and records the assets folder', () => {
    const plugins = loadPlugins(
      [
        { path: 'fixtures/tools/valid', channelIdPrefix: 'acme', hasTools: true, hasAssets: true },
        { path: '/somewhere/else', channelIdPrefix: 'data', hasTools: false, hasAssets: true },
      ],
      { baseDir: resolve('.') },
    );
    expect(plugins.map((p) => p.channels.map((c) => c.id))).toEqual([['acme_tools'], []]);
    expect(plugins[0]?.toolsPath).toBe(join(FIXTURES, 'valid/tools'));
    expect(plugins[1]?.assetsPath).toBe('/somewhere/else/assets');
  });

  it('refuses an ambiguous name across plugins unless the channel is given', async () => {
    const plugins = loadPlugins([
      { path: 'fixtures/tools/valid', channelIdPrefix: 'acme', hasTools: true },
      { path: 'fixtures/tools/collision', channelIdPrefix: 'other', hasTools: true },
    ]);
    const resolver = ToolResolver.fromChannels(plugins.flatMap((p) => p.channels));
    const error = await resolver.get('scale').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolNotFoundError);
    expect((error as Error).message).toMatch(
      /tool "scale" is in several tool channels \(acme_tools, other_tools\): ask for one of "acme_tools\/scale", "other_tools\/scale"/,
    );
    expect((await resolver.get('acme_tools/scale', { version: '1.0.0' })).description).toMatch(
      /by a factor$/,
    );
    expect((await resolver.get({ name: 'scale', channel: 'other_tools' })).description).toMatch(
      /collision plugin/,
    );
    expect((await resolver.get('offset')).name).toBe('offset');
    await expect(resolver.get('nope_tools/scale')).rejects.toThrow(ChannelNotFoundError);
    await expect(resolver.get('other_tools/offset')).rejects.toThrow(
      /tool "offset" not found in channel "other_tools"/,
    );
    await expect(resolver.get('sclae')).rejects.toThrow(/did you mean "scale"/);
  });

  it('loads only from configured folders: path-like names and escaping links are refused', async () => {
    const root = await mkdtemp(join(tmp, 'escape-'));
    const outside = await mkdtemp(join(tmp, 'outside-'));
    await cp(join(FIXTURES, 'valid/tools/offset'), join(outside, 'offset'), { recursive: true });
    await symlink(join(outside, 'offset'), join(root, 'offset'));
    const ignored: string[] = [];
    const channel = new ToolChannel({
      id: 'x_tools',
      path: root,
      onFileIgnored: (p, r) => ignored.push(`${p}: ${r}`),
    });
    const resolver = new ToolResolver([channel]);
    await expect(resolver.get('offset')).rejects.toThrow(ToolNotFoundError);
    expect(ignored).toEqual([`${join(root, 'offset')}: symbolic link leads outside "${root}"`]);
    for (const ref of ['../offset', 'x_tools/../offset', '/etc/passwd', 'a/b/c']) {
      await expect(resolver.get(ref), ref).rejects.toThrow(PathOutsideRootError);
    }
    await expect(channel.get('../outside')).rejects.toThrow(PathOutsideRootError);
  });
});

describe('the built-in tools folder', () => {
  it('loads every tool in <repo>/tools without error', async () => {
    const ignored: string[] = [];
    const channel = new ToolChannel({
      id: 'tools',
      path: REPO_TOOLS,
      onFileIgnored: (p, r) => ignored.push(`${p}: ${r}`),
    });
    const listing = await channel.list();
    const folders = (await readdir(REPO_TOOLS, { withFileTypes: true })).filter((e) =>
      e.isDirectory(),
    );
    expect(listing.map((t) => t.name)).toEqual(folders.map((e) => e.name).sort());
    expect(listing.filter((t) => t.error).map((t) => `${t.name}: ${t.error?.message}`)).toEqual([]);
    // A code file that is not a loadable version name is almost surely a mistake.
    expect(ignored.filter((line) => /\.(m?ts|m?js):/.test(line))).toEqual([]);
    for (const { name, versions } of listing) {
      const definition = await channel.get(name);
      expect(definition.version).toBe(versions.at(-1)?.version);
      expect(definition.describe().parameters).toMatchObject({ type: 'object' });
    }
  });
});
