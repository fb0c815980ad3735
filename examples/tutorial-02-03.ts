// Tutorials 2 and 3 (your own tools, stream composition): csv_reader reads sea_ice.csv into a
// memory stream; list_mean turns each [Arctic, Antarctica] row into its mean.
// Run: npx tsx examples/tutorial-02-03.ts
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SessionRecord, StreamInstance } from '../src/index.js';
import { Engine, StreamId, TimeInterval, ToolChannel, formatTimestamp } from '../src/index.js';
import { TOOLS } from './tutorial-01.js';

export const SEA_ICE = fileURLToPath(new URL('../fixtures/data/sea_ice.csv', import.meta.url));

export interface Tutorial23Result {
  readonly session: SessionRecord;
  /** Tutorial 2: the rows of 1995 (1995-01-01 itself is outside the half-open window). */
  readonly year1995: StreamInstance[];
  /** Tutorial 3: every monthly mean. */
  readonly means: StreamInstance[];
}

export async function tutorial23(): Promise<Tutorial23Result> {
  const engine = await Engine.create({ tools: new ToolChannel({ path: TOOLS }) });
  try {
    const csvReader = await engine.tool('csv_reader', 'tool');
    const listMean = await engine.tool('list_mean', 'tool');
    const w = engine.workflow('tutorial_02_03', {
      owner: 'tutorials',
      description: 'sea ice means',
    });
    const seaIce = w.node('sea_ice');
    const means = w.node('sea_ice_means');
    // Without a header each row is the list of the other columns: [Arctic, Antarctica].
    w.factor({
      tool: csvReader.create({ path: SEA_ICE, header: false, skipRows: 1 }),
      sink: seaIce,
    });
    w.factor({ tool: listMean.create({}), sources: [seaIce], sink: means });
    const session = await w.execute(
      TimeInterval.of('1990-01-01T00:00:00Z', '2012-01-01T00:00:00Z'),
    );
    const memory = engine.channels.get('memory');
    const year1995 = await (
      await memory.getStream(StreamId.of('sea_ice'))
    )
      .window(TimeInterval.of('1995-01-01T00:00:00Z', '1996-01-01T00:00:00Z'))
      .toArray();
    const all = await (
      await memory.getStream(StreamId.of('sea_ice_means'))
    )
      .window(TimeInterval.allTime())
      .toArray();
    return { session, year1995, means: all };
  } finally {
    await engine.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { session, year1995, means } = await tutorial23();
  for (const f of session.factors) console.log(`${f.factor}: ${f.documents} documents`);
  console.log('sea ice in 1995:');
  for (const row of year1995)
    console.log(`  ${formatTimestamp(row.timestamp).slice(0, 10)}: ${JSON.stringify(row.value)}`);
  console.log(
    `first 10 means: ${means
      .slice(0, 10)
      .map((m) => m.value as number)
      .join(', ')}`,
  );
}
