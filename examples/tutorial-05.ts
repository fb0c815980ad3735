// Tutorial 5 (workflows): countries and cities as plates C and C.C; temperatures read per country,
// split per city, averaged, correlated with rainfall, and aggregated per country and for the world.
// Run: npx tsx examples/tutorial-05.ts   (or npm run demo)
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SessionRecord, Workflow } from '../src/index.js';
import { Engine, StreamId, TimeInterval, ToolChannel, formatTimestamp } from '../src/index.js';
import { TOOLS } from './tutorial-01.js';

export const DATA = fileURLToPath(new URL('../fixtures/data/', import.meta.url));

export const CITIES: Readonly<Record<string, readonly string[]>> = {
  Asia: ['Bangkok', 'HongKong', 'KualaLumpur', 'NewDelhi', 'Tokyo'],
  Australia: ['Brisbane', 'Canberra', 'GoldCoast', 'Melbourne', 'Sydney'],
  NZ: ['Auckland', 'Christchurch', 'Dunedin', 'Hamilton', 'Wellington'],
  USA: ['Chicago', 'Houston', 'LosAngeles', 'NY', 'Seattle'],
};

/** The meta-data tree and plates: C (countries), C.C (cities); R and R.C where rainfall exists (NZ only). */
export async function createPlates(engine: Engine): Promise<void> {
  for (const [country, cities] of Object.entries(CITIES)) {
    await engine.plates.ensureMetaData([], 'country', country);
    for (const city of cities)
      await engine.plates.ensureMetaData([['country', country]], 'city', city);
  }
  await engine.plates.createPlate({ id: 'C', metaKey: 'country', description: 'countries' });
  await engine.plates.createPlate({
    id: 'C.C',
    metaKey: 'city',
    parent: 'C',
    description: 'cities',
  });
  // HyperStream read {}Rainfall.csv for every country and logged the missing files; a whitelist
  // plate says up front that only NZ has rainfall.
  await engine.plates.createPlate({
    id: 'R',
    metaKey: 'country',
    include: ['NZ'],
    description: 'countries with rainfall',
  });
  await engine.plates.createPlate({
    id: 'R.C',
    metaKey: 'city',
    parent: 'R',
    description: 'cities with rainfall',
  });
}

/** Builds the tutorial's workflow: HyperStream's 11 nodes and factors. */
export async function buildTutorial5(engine: Engine): Promise<Workflow> {
  const csvMultiReader = await engine.tool('csv_multi_reader', 'multi-output');
  const apply = await engine.tool('apply', 'tool');
  const splitter = await engine.tool('splitter_from_stream', 'multi-output');
  const correlation = await engine.tool('aligned_correlation', 'tool');
  const aggregate = await engine.tool('aggregate', 'aggregate');

  const w = engine.workflow('tutorial_05', {
    name: 'Tutorial 5',
    owner: 'tutorials',
    description: 'temperature and rainfall per city',
  });
  // Nodes go to the engine's default channel: memory here, a SQLite file in the demo.
  const node = (id: string, plates: string[]) => w.node(id, { plates });
  const rawTemp = node('raw_temp_data', ['C']);
  const temp = node('temp_data', ['C']);
  const cityTemp = node('city_temp', ['C.C']);
  const cityAvgTemp = node('city_avg_temp', ['C.C']);
  const countryAvgTemp = node('country_avg_temp', ['C']);
  const worldAvgTemp = node('world_avg_temp', []);
  const rawRain = node('raw_rain_data', ['R']);
  const cityRain = node('city_rain', ['R.C']);
  const cityTempRain = node('city_temp_rain', ['R.C']);
  const countryAvgRain = node('country_avg_rain', ['R']);
  const countryAvgTempRain = node('country_avg_temp_rain', ['R']);

  const csv = { dateParser: 'yyyyMmm' as const };
  w.multiOutputFactor({
    tool: csvMultiReader.create({ filenameTemplate: `${DATA}Temp{}.csv`, ...csv }),
    sink: rawTemp,
  });
  w.factor({
    tool: apply.create({ func: { fn: 'split_temperatures' } }),
    sources: [rawTemp],
    sink: temp,
  });
  w.multiOutputFactor({
    tool: splitter.create({ useMappingKeysOnly: true }),
    source: temp,
    splitting: temp,
    sink: cityTemp,
  });
  w.factor({
    tool: apply.create({ func: { fn: 'dict_mean' } }),
    sources: [cityTemp],
    sink: cityAvgTemp,
  });
  // NZRainfall.csv marks missing readings with "-".
  w.multiOutputFactor({
    tool: csvMultiReader.create({
      filenameTemplate: `${DATA}{}Rainfall.csv`,
      ...csv,
      missingValues: ['-'],
    }),
    sink: rawRain,
  });
  w.multiOutputFactor({
    tool: splitter.create({ useMappingKeysOnly: true }),
    source: rawRain,
    splitting: rawRain,
    sink: cityRain,
  });
  w.factor({ tool: correlation.create({}), sources: [cityAvgTemp, cityRain], sink: cityTempRain });
  const mean = aggregate.create({ func: { fn: 'mean' } });
  w.aggregateFactor({
    tool: mean,
    sources: [cityAvgTemp],
    sink: countryAvgTemp,
    aggregationMetaKey: 'city',
  });
  w.aggregateFactor({
    tool: mean,
    sources: [cityRain],
    sink: countryAvgRain,
    aggregationMetaKey: 'city',
  });
  w.aggregateFactor({
    tool: mean,
    sources: [cityTempRain],
    sink: countryAvgTempRain,
    aggregationMetaKey: 'city',
  });
  w.aggregateFactor({
    tool: mean,
    sources: [countryAvgTemp],
    sink: worldAvgTemp,
    aggregationMetaKey: 'country',
  });
  return w;
}

/** The interval HyperStream's tutorial executed. */
export const TUTORIAL5_INTERVAL = TimeInterval.of('1999-01-01T00:00:00Z', '2013-01-01T00:00:00Z');

export async function tutorial5(
  engine: Engine,
): Promise<{ workflow: Workflow; session: SessionRecord }> {
  await createPlates(engine);
  const workflow = await buildTutorial5(engine);
  const session = await workflow.execute(TUTORIAL5_INTERVAL);
  return { workflow, session };
}

/** A new engine with the built-in tools loaded from disk. */
export async function tutorialEngine(): Promise<Engine> {
  return await Engine.create({ tools: new ToolChannel({ path: TOOLS }) });
}

/** Runs the tutorial and prints what the notebook showed. */
export async function main(): Promise<void> {
  const engine = await tutorialEngine();
  try {
    const { workflow, session } = await tutorial5(engine);
    console.log(engine.plates.tree.toString().split('\n').slice(0, 8).join('\n'), '\n…');
    console.log(
      `\nworkflow ${workflow.id}: ${workflow.nodes.length} nodes, ${workflow.factors.length} factors, in order:`,
    );
    for (const f of workflow.topologicalOrder()) {
      const total = session.factors.find((s) => s.factor === f.id);
      console.log(
        `  ${f.id.padEnd(44)} ${String(total?.pieces ?? 0).padStart(3)} pieces ${String(total?.documents ?? 0).padStart(5)} documents`,
      );
    }
    // The month HyperStream's notebook printed (its dates fell on the 21st; ours on the 1st).
    const january = TimeInterval.of('2006-12-31T00:00:00Z', '2007-01-31T00:00:00Z');
    const memory = engine.channels.get(engine.environment.defaultChannel);
    for (const name of ['city_avg_temp', 'city_temp_rain', 'country_avg_temp', 'world_avg_temp']) {
      console.log(`\n${name} in ${formatTimestamp(january.end).slice(0, 7)}:`);
      for (const stream of await memory.findStreams({ name })) {
        for await (const item of memory.getResults(stream.id, january))
          console.log(`  ${stream.id.toString()}: ${String(item.value)}`);
      }
    }
    const again = await workflow.execute(TUTORIAL5_INTERVAL);
    console.log(
      `\nexecuting again computes ${again.pieces.length} pieces: everything is already calculated`,
    );
    const world = await (
      await memory.getStream(StreamId.of('world_avg_temp'))
    )
      .window(TUTORIAL5_INTERVAL)
      .count();
    console.log(`world_avg_temp holds ${world} monthly means`);
  } finally {
    await engine.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
