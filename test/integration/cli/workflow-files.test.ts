import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';

let dir: string;
const FORMAT = 'hyperstream-ts/workflow@1';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hs-wf-files-'));
  const node = { id: 'a', channel: 'memory', plates: [] };
  await writeFile(
    join(dir, 'no-description.json'),
    JSON.stringify({
      format: FORMAT,
      id: 'w1',
      name: 'w1',
      online: false,
      plates: [],
      nodes: [node],
      factors: [],
    }),
  );
  await writeFile(
    join(dir, 'unknown-tool.json'),
    JSON.stringify([
      {
        format: FORMAT,
        id: 'ok',
        name: 'ok',
        description: '',
        online: false,
        plates: [],
        nodes: [node],
        factors: [],
      },
      {
        format: FORMAT,
        id: 'w2',
        name: 'w2',
        description: '',
        online: false,
        plates: [],
        nodes: [node],
        factors: [
          {
            id: 'ticks',
            kind: 'tool',
            tool: { name: 'clok', version: '1.0.0', params: {} },
            sources: [],
            sink: 'a',
          },
        ],
      },
    ]),
  );
  await writeFile(
    join(dir, 'unknown-tool.ts'),
    [
      'export async function w3(engine: { tools: { get(n: string): Promise<unknown> } }) {',
      "  await engine.tools.get('no_such_tool');",
      '}',
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('workflow files with mistakes', () => {
  it('names the missing field of a JSON definition', async () => {
    const file = join(dir, 'no-description.json');
    const result = await cli(['workflows', 'validate', file], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(
      `WORKFLOW_DEFINITION_INVALID: workflow file "${file}", workflow "w1": invalid definition: missing field "description" (a string)`,
    );
  });

  it('names the file, workflow and factor of an unknown tool, not the list of every tool', async () => {
    const json = join(dir, 'unknown-tool.json');
    const ts = join(dir, 'unknown-tool.ts');
    await writeFile(join(dir, 'hyperstream.config.json'), JSON.stringify({ workflows: [json] }));
    const [listed, module] = await Promise.all([
      cli(['workflows', 'list'], { cwd: dir }),
      cli(['workflows', 'validate', ts], { cwd: dir }),
    ]);
    expect(listed.code).toBe(2);
    expect(listed.stderr).toBe(
      `error [TOOL_NOT_FOUND]: workflow file "${json}" (definition 2), workflow "w2", factor "ticks" (factors[0]): ` +
        'tool "clok" is not installed; did you mean "clock"? (see "hyperstream tools list")\n',
    );
    expect(module.code).toBe(2);
    expect(module.stdout).toContain(
      `TOOL_NOT_FOUND: workflow file "${ts}", export "w3": tool "no_such_tool" is not installed (see "hyperstream tools list")`,
    );
    expect(module.stdout).not.toContain('window_aggregate');
  });
});

describe('tool file paths in a config', () => {
  it('resolve against the config file, not the working directory', async () => {
    const project = await mkdtemp(join(tmpdir(), 'hs-rel-'));
    try {
      await mkdir(join(project, 'data'));
      await writeFile(
        join(project, 'data/ice.csv'),
        'Date,Arctic\n2000-01-01,14.1\n2000-02-01,15.2\n2000-03-01,15.3\n',
      );
      await writeFile(
        join(project, 'ice.ts'),
        [
          'export async function ice(engine: any) {',
          "  const reader = await engine.tools.get('csv_reader');",
          "  const w = engine.workflow('ice');",
          "  w.factor({ tool: reader.create({ path: 'data/ice.csv' }), sink: w.node('ice') });",
          '  return w;',
          '}',
        ].join('\n'),
      );
      await writeFile(join(project, 'rel.cfg.json'), JSON.stringify({ workflows: ['ice.ts'] }));
      const result = await cli(
        [
          'stream',
          'show',
          'ice',
          '--config',
          join(project, 'rel.cfg.json'),
          '--interval',
          '1999-12-01T00:00:00Z/2000-12-01T00:00:00Z',
          '--json',
        ],
        { cwd: '/' },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual([
        { timestamp: '2000-01-01T00:00:00.000Z', value: { Arctic: 14.1 } },
        { timestamp: '2000-02-01T00:00:00.000Z', value: { Arctic: 15.2 } },
        { timestamp: '2000-03-01T00:00:00.000Z', value: { Arctic: 15.3 } },
      ]);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});
