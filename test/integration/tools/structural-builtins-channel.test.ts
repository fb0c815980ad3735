// The structural built-in tools (aggregate, multi-output, selector, plate creation, importers,
// generators) load by name through the Tool channel, as user plugins do, and run.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ToolChannel } from '../../../src/tools/tool-channel.js';
import { isToolDefinition } from '../../../src/index.js';
import type { ToolInstance } from '../../../src/index.js';
import { SINK, interval, runTool, source } from '../../helpers/tool-harness.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NAMES = {
  aggregate: ['aggregate', 'aggregate_plate', 'aggregate_into_dict_and_apply'],
  'multi-output': [
    'splitter',
    'splitter_from_stream',
    'splitter_of_dict',
    'splitter_of_list',
    'splitter_with_unlist',
    'splitter_time_aware',
    'splitter_time_aware_from_stream',
    'stream_broadcaster',
    'stream_broadcaster_from_stream',
    'asset_splitter',
    'csv_multi_reader',
  ],
  selector: ['index_of', 'index_of_by_stream', 'plate_sink'],
  'plate-creation': ['asset_plate_generator', 'meta_instance', 'meta_instance_from_list'],
  tool: [
    'csv_reader',
    'random',
    'uniform',
    'gauss',
    'normalvariate',
    'expovariate',
    'randint',
    'randrange',
    'triangular',
    'betavariate',
    'gammavariate',
    'lognormvariate',
    'paretovariate',
    'vonmisesvariate',
    'weibullvariate',
    'custom',
  ],
} as const;

describe('structural built-in tools through the Tool channel', () => {
  const channel = new ToolChannel({ path: `${ROOT}tools` });

  it.each(Object.entries(NAMES).flatMap(([kind, names]) => names.map((name) => [name, kind])))(
    '%s loads by name as a %s tool',
    async (name, kind) => {
      const tool = await channel.get(name);
      expect(isToolDefinition(tool)).toBe(true);
      expect(tool.name).toBe(name);
      expect(tool.kind).toBe(kind);
      expect(tool.version).toBe('1.0.0');
    },
  );

  it('runs a loaded csv_reader on the sea-ice data', async () => {
    const csv = await channel.get('csv_reader');
    const iv = interval(Date.UTC(2000, 0, 1), Date.UTC(2000, 11, 1));
    const tool = csv.create({ path: `${ROOT}fixtures/data/sea_ice.csv` }) as ToolInstance<'tool'>;
    const out = await runTool(tool, {
      sources: [],
      alignment: undefined,
      sink: SINK,
      interval: iv,
    });
    const line = readFileSync(`${ROOT}fixtures/data/sea_ice.csv`, 'utf8')
      .split(/\r?\n/)
      .find((l) => l.startsWith('2000-12-01'))!
      .split(',');
    expect(out).toHaveLength(11);
    expect(out.at(-1)).toEqual({
      timestamp: Date.UTC(2000, 11, 1),
      value: { Arctic: Number(line[1]), Antarctica: Number(line[2]) },
    });
  });

  it('gives the same generator values loaded from disk as imported directly', async () => {
    const loaded = (await channel.get('gauss')).create({ mu: 5, seed: 11 }) as ToolInstance<'tool'>;
    const direct = (await import('../../../tools/gauss/2026-11-22_v1.0.0.js')).default.create({
      mu: 5,
      seed: 11,
    });
    const iv = interval(0, 10_000);
    const ticks = Array.from({ length: 10 }, (_, i) => ({
      timestamp: (i + 1) * 1000,
      value: null,
    }));
    const context = async () => ({
      sources: [],
      alignment: await source(ticks, iv),
      sink: SINK,
      interval: iv,
    });
    expect(loaded.identity).toBe(direct.identity);
    expect(await runTool(loaded, await context())).toEqual(await runTool(direct, await context()));
  });
});
