// The picture model of a workflow graph, and its DOT and Mermaid text (hyperstream graph).
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { MemoryToolSource } from '../../../src/tools/tool-source.js';
import { workflowGraphModel } from '../../../src/ui/graph-model.js';
import type { GraphFormat } from '../../../src/ui/graph-text.js';
import { formatWorkflowGraph } from '../../../src/ui/graph-text.js';
import { buildTutorial5, createPlates, tutorialEngine } from '../../../examples/tutorial-05.js';
import { fanout, mean, platesFromList, scale, ticker } from '../../helpers/workflow-tools.js';

const engines: Engine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
});

async function tutorial() {
  const engine = await tutorialEngine();
  engines.push(engine);
  await createPlates(engine);
  return workflowGraphModel((await buildTutorial5(engine)).graph);
}

/** Nodes on unrelated plates, a plate-creation factor, and a node without plates. */
async function mixed() {
  const engine = await Engine.create({
    tools: new MemoryToolSource([ticker, scale, fanout, mean, platesFromList]),
  });
  engines.push(engine);
  for (const house of ['1', '2']) {
    await engine.plates.addMetaData([], 'house', house);
    for (const r of ['A', 'B', 'C'])
      await engine.plates.addMetaData([['house', house]], 'resident', r);
  }
  await engine.plates.addMetaData([], 'sensor', 'x');
  await engine.plates.addMetaData([], 'sensor', 'y');
  await engine.plates.createPlate({ id: 'H', metaKey: 'house' });
  await engine.plates.createPlate({ id: 'H.R', metaKey: 'resident', parent: 'H' });
  await engine.plates.createPlate({ id: 'S', metaKey: 'sensor' });
  const w = engine.workflow('mixed');
  const ticks = w.node('ticks');
  const perHouse = w.node('per_house', { plates: ['H'] });
  const grid = w.node('grid', { plates: ['H.R', 'S'] });
  w.factor({ tool: ticker.create({ stride: 1000 }), sink: ticks, id: 'clock' });
  w.factor({ tool: scale.create({ factor: 2 }), sources: [ticks], sink: perHouse });
  w.factor({ tool: scale.create({ factor: 3 }), sources: [ticks], sink: grid, id: 'to-grid' });
  await w.plateCreationFactor({
    tool: platesFromList.create({}),
    source: perHouse,
    outputPlate: { id: 'H.N', metaKey: 'name', parentPlate: 'H' },
  });
  return workflowGraphModel(w.graph);
}

describe('workflowGraphModel', () => {
  it('has every node and factor of tutorial 5, factors as tool@version, plates as nested boxes with their number of values', async () => {
    const model = await tutorial();
    expect(model.workflow).toBe('tutorial_05');
    expect(model.nodes.map((n) => n.id).sort()).toEqual(
      [
        'city_avg_temp',
        'city_rain',
        'city_temp',
        'city_temp_rain',
        'country_avg_rain',
        'country_avg_temp',
        'country_avg_temp_rain',
        'raw_rain_data',
        'raw_temp_data',
        'temp_data',
        'world_avg_temp',
      ].sort(),
    );
    expect(model.factors).toHaveLength(11);
    for (const f of model.factors) expect(f.label).toBe(`${f.tool.name}@${f.tool.version}`);
    expect(model.factors.map((f) => f.label)).toContain('aligned_correlation@1.0.0');
    expect(model.boxes.map((b) => [b.id, b.parent, b.values, b.metaKeys.join()])).toEqual([
      ['C', undefined, 4, 'country'],
      ['R', undefined, 1, 'country'],
      ['C.C', 'C', 20, 'city'],
      ['R.C', 'R', 5, 'city'],
    ]);
    const node = (id: string) => model.nodes.find((n) => n.id === id)!;
    expect(node('city_avg_temp')).toMatchObject({ box: 'C.C', streams: 20, channel: 'memory' });
    expect(node('world_avg_temp')).toMatchObject({ box: undefined, streams: 1 });
    expect(node('raw_temp_data').producer).toBe('csv_multi_reader->raw_temp_data');
    const factor = (sink: string) => model.factors.find((f) => f.sink === sink)!;
    // A splitter runs once per value of its source's plate; an aggregate in its sink's box.
    expect(factor('city_temp').box).toBe('C');
    expect(factor('city_avg_temp').box).toBe('C.C');
    expect(factor('country_avg_temp').box).toBe('C');
    expect(factor('world_avg_temp').box).toBeUndefined();
    expect(factor('city_temp_rain')).toMatchObject({
      box: 'R.C',
      inputs: ['city_avg_temp', 'city_rain'],
    });
    // One edge per input and per sink.
    expect(model.edges).toHaveLength(
      model.factors.reduce((n, f) => n + f.inputs.length + (f.sink ? 1 : 0), 0),
    );
    expect(model.edges).toContainEqual({
      from: { kind: 'node', id: 'temp_data' },
      to: { kind: 'factor', id: factor('city_temp').id },
    });
  });

  it('gives nodes on unrelated plates a box of their combination, and places plate creation under its parent plate', async () => {
    const model = await mixed();
    const grid = model.boxes.find((b) => b.id === 'H.R × S')!;
    expect(grid).toEqual({
      id: 'H.R × S',
      plates: ['H.R', 'S'],
      metaKeys: ['resident', 'sensor'],
      values: 12,
      parent: undefined,
      description: '',
    });
    expect(model.nodes.find((n) => n.id === 'grid')).toMatchObject({ box: 'H.R × S', streams: 12 });
    const creator = model.factors.find((f) => f.createdPlate === 'H.N')!;
    expect(creator).toMatchObject({ sink: undefined, box: 'H', inputs: ['per_house'] });
    expect(model.factors.find((f) => f.id === 'clock')).toMatchObject({
      box: undefined,
      inputs: [],
    });
    expect(model.edges.filter((e) => e.from.id === creator.id)).toEqual([]);
  });
});

describe('formatWorkflowGraph', () => {
  it('writes DOT with plates as nested clusters, labelled with their values', async () => {
    const dot = formatWorkflowGraph(await tutorial(), 'dot');
    expect(dot.startsWith('digraph "tutorial_05" {\n  rankdir=LR;')).toBe(true);
    expect(dot.endsWith('\n}')).toBe(true);
    expect(dot).toContain('subgraph "cluster_C" {\n    label="C: country (4 values)";');
    // C.C nested inside C (deeper indentation), R.C inside R.
    expect(dot).toMatch(/\n {4}subgraph "cluster_C\.C" \{\n {6}label="C\.C: city \(20 values\)";/);
    expect(dot).toContain('label="R: country (1 value)"');
    expect(dot).toContain(
      '"factor:apply->city_avg_temp" [label="apply@1.0.0", shape=box, style=filled, fillcolor="#eeeeee"];',
    );
    expect(dot).toContain('"node:city_temp" -> "factor:apply->city_avg_temp";');
    expect(dot).toContain('"factor:aggregate->world_avg_temp" -> "node:world_avg_temp";');
    expect(dot.match(/ -> /g)).toHaveLength(21);
    // Balanced braces: a valid nesting.
    expect(dot.split('{').length).toBe(dot.split('}').length);
  });

  it('writes a Mermaid flowchart with subgraphs, numbered ids and quoted labels', async () => {
    const text = formatWorkflowGraph(await tutorial(), 'mermaid');
    const lines = text.split('\n');
    expect(lines[0]).toBe('%% workflow tutorial_05');
    expect(lines[1]).toBe('flowchart LR');
    expect(text).toMatch(/\n {2}subgraph p0\["C: country \(4 values\)"\]\n/);
    expect(text).toMatch(/\n {4}subgraph p2\["C\.C: city \(20 values\)"\]\n/);
    expect(text).toContain('(["city_avg_temp"])');
    expect(text).toContain('["splitter_from_stream@1.0.0"]');
    expect(lines.filter((l) => l.includes(' --> '))).toHaveLength(21);
    expect(lines.filter((l) => l.trim() === 'end')).toHaveLength(4);
    for (const line of lines.filter((l) => l.includes(' --> ')))
      expect(line).toMatch(/^ {2}[nf]\d+ --> [nf]\d+$/);
  });

  it('escapes names that would break out of a label', async () => {
    const engine = await Engine.create({ tools: new MemoryToolSource([ticker]) });
    engines.push(engine);
    const w = engine.workflow('quo"te\\');
    const evil = '<img src=x onerror=alert(1)> "q" #1';
    w.factor({ tool: ticker.create({ stride: 1 }), sink: w.node(evil), id: 'f"\n}x' });
    const model = workflowGraphModel(w.graph);
    const dot = formatWorkflowGraph(model, 'dot');
    expect(dot).toContain('digraph "quo\\"te\\\\" {');
    expect(dot).toContain(
      '"node:<img src=x onerror=alert(1)> \\"q\\" #1" [label="<img src=x onerror=alert(1)> \\"q\\" #1"',
    );
    expect(dot).toContain('"factor:f\\"\\n}x"');
    const mermaid = formatWorkflowGraph(model, 'mermaid');
    expect(mermaid).toContain('n0(["#60;img src=x onerror=alert(1)#62; #34;q#34; #35;1"])');
    expect(mermaid).not.toMatch(/<img|"q"/);
    expect(mermaid.split('\n')[0]).toBe('%% workflow quo#34;te\\');
  });

  it('refuses an unknown format with a typed error', async () => {
    const model = await mixed();
    expect(() => formatWorkflowGraph(model, 'svg' as GraphFormat)).toThrow(InvalidArgumentError);
    expect(() => formatWorkflowGraph(model, 'svg' as GraphFormat)).toThrow(
      'unknown graph format "svg": expected one of dot, mermaid',
    );
  });
});
