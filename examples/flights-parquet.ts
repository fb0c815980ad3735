// From a workflow to DuckDB: 10,000 real US flights (vega-datasets) are written into a stream,
// split by origin airport onto a plate, aggregated into daily delay statistics per airport, and
// the results for Chicago O'Hare are exported to a Parquet file that DuckDB, Polars or pandas
// read as they are (test/integration/examples/flights-parquet.test.ts reads it with DuckDB).
// Run: npx tsx examples/flights-parquet.ts [out.parquet]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StreamInstance } from '../src/index.js';
import { Engine, TimeInterval, ToolChannel, exportView } from '../src/index.js';

const DAY = 86_400_000;
const out = process.argv[2] ?? path.join(tmpdir(), 'hyperstream-ord-daily-delays.parquet');

/** One flight of vega-datasets' flights-10k.json (times are local to no zone: read as UTC). */
interface Flight {
  readonly date: string;
  readonly delay: number;
  readonly distance: number;
  readonly origin: string;
  readonly destination: string;
}

/**
 * The flights as stream instances in time order. A stream holds one value per timestamp, and many
 * flights share a minute: the k-th of n flights of a minute is stamped n − 1 − k ms before it, so
 * every flight stays inside its minute.
 */
function flightInstances(flights: readonly Flight[]): StreamInstance<Flight>[] {
  const timed = flights
    .map((flight, i) => ({
      flight,
      i,
      minute: Date.parse(`${flight.date.replace(/\//g, '-').replace(' ', 'T')}:00Z`),
    }))
    .sort((a, b) => a.minute - b.minute || a.i - b.i);
  return timed.map(({ flight, minute }, k) => {
    let after = 0;
    while (timed[k + after + 1]?.minute === minute) after++;
    return { timestamp: minute - after, value: flight };
  });
}

const vega = path.dirname(createRequire(import.meta.url).resolve('vega-datasets'));
const flights = JSON.parse(
  readFileSync(path.join(vega, '..', 'data', 'flights-10k.json'), 'utf8'),
) as Flight[];
const instances = flightInstances(flights);
// Whole days around the flights.
const span = new TimeInterval(
  Math.floor((instances[0]!.timestamp - 1) / DAY) * DAY,
  Math.ceil(instances.at(-1)!.timestamp / DAY) * DAY,
);

const tools = new ToolChannel({ path: fileURLToPath(new URL('../tools/', import.meta.url)) });
const engine = await Engine.create({ tools });
try {
  // The source stream, fed from code: the data, then its calculated interval.
  const written = await engine.write('flights', instances, { calculated: span });
  console.log(
    `wrote ${String(written.documents)} flights, calculated ${written.calculated.toString()}`,
  );

  for (const origin of new Set(flights.map((f) => f.origin))) {
    await engine.plates.ensureMetaData([], 'origin', origin);
  }
  await engine.plates.createPlate({ id: 'origin', metaKey: 'origin' });

  const splitter = await engine.tool('splitter', 'multi-output');
  const windowAggregate = await engine.tool('window_aggregate', 'tool');
  const w = engine.workflow('flight_delays', { description: 'daily delay statistics per origin' });
  const byOrigin = w.node('flights_by_origin', { plates: ['origin'] });
  const daily = w.node('daily_delays', { plates: ['origin'] });
  w.multiOutputFactor({
    tool: splitter.create({ element: 'origin' }),
    source: w.node('flights'),
    sink: byOrigin,
  });
  w.factor({
    tool: windowAggregate.create({ width: 'P1D', stats: ['count', 'mean', 'max'], field: 'delay' }),
    sources: [byOrigin],
    sink: daily,
  });

  // Computes what is missing, then reads one airport's stream.
  const ord = await w.results(daily, span, { plateValue: { origin: 'ORD' } });
  console.log(`first days at ORD:`, await ord.head(2));
  const report = await exportView(ord, { format: 'parquet', path: out });
  console.log(
    `exported ${String(report.rows)} days of ${ord.streamId.key} to ${out}: columns timestamp, ` +
      report.columns.map((c) => `${c.name} (${c.type})`).join(', '),
  );
  console.log(`read it with DuckDB: SELECT * FROM read_parquet('${out}') ORDER BY timestamp`);
} finally {
  await engine.close();
}
