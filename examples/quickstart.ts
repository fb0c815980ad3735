// Quick start: a two-step workflow on the in-memory default — read a CSV into a stream, then a
// windowed mean — executed over an interval, extended, and executed again (nothing recomputed).
// Run: npx tsx examples/quickstart.ts
import { fileURLToPath } from 'node:url';
import type { PieceRecord as Piece } from '../src/index.js';
import { Engine, TimeInterval, ToolChannel, formatTimestamp } from '../src/index.js';

const tools = new ToolChannel({ path: fileURLToPath(new URL('../tools/', import.meta.url)) });
const engine = await Engine.create({ tools });
try {
  const csvReader = await engine.tool('csv_reader', 'tool');
  const windowAggregate = await engine.tool('window_aggregate', 'tool');

  const w = engine.workflow('sea_ice', { description: 'Arctic sea-ice extent, yearly means' });
  const extent = w.node('sea_ice'); // on the default 'memory' channel
  const yearly = w.node('arctic_yearly_mean');
  w.factor({
    tool: csvReader.create({
      path: fileURLToPath(new URL('../fixtures/data/sea_ice.csv', import.meta.url)),
    }),
    sink: extent,
  });
  w.factor({
    tool: windowAggregate.create({
      width: 'P365D',
      origin: '1990-01-01T00:00:00Z',
      field: 'Arctic',
    }),
    sources: [extent],
    sink: yearly,
  });

  const show = (label: string, session: { pieces: readonly Piece[] }): void => {
    console.log(`${label}: ${session.pieces.length} pieces`);
    for (const p of session.pieces) {
      console.log(
        `  ${p.factor} over ${new TimeInterval(p.interval.start, p.interval.end).toString()}: ${p.documents} documents`,
      );
    }
  };
  show('first run', await w.execute('1995-01-01T00:00:00Z/2000-01-01T00:00:00Z'));
  // A wider interval computes only what is missing; the same interval again computes nothing.
  show('wider run', await w.execute('1995-01-01T00:00:00Z/2005-01-01T00:00:00Z'));
  show('same run again', await w.execute('1995-01-01T00:00:00Z/2005-01-01T00:00:00Z'));

  // A node's numbers: results() computes what is missing (nothing here), then reads the window.
  const view = await w.results(yearly, '1995-01-01T00:00:00Z/2005-01-01T00:00:00Z');
  console.log(`calculated: ${(await yearly.stream().calculatedIntervals()).toString()}`);
  for (const { timestamp, value } of await view.tail(3)) {
    console.log(
      `  window ending ${formatTimestamp(timestamp).slice(0, 10)}: ${(value as number).toFixed(3)} million km²`,
    );
  }
  const { timestamps, values } = await view.toColumns(); // Float64Arrays, for analysis
  console.log(
    `columns: ${String(timestamps.length)} timestamps, values ${values.constructor.name}`,
  );
} finally {
  await engine.close();
}
