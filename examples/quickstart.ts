// Quick start: streams in the in-memory channel, windows over (start, end], calculated intervals.
// Run: npx tsx examples/quickstart.ts
import { readFile } from 'node:fs/promises';
import { MemoryChannel, StreamId, TimeInterval, TimeIntervals, collect } from '../src/index.js';

const memory = new MemoryChannel('memory');

// One stream per hemisphere: the same name, different meta-data (a plate value).
const csv = await readFile(new URL('../fixtures/data/sea_ice.csv', import.meta.url), 'utf8');
const rows = csv
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));
for (const [column, hemisphere] of [
  [1, 'arctic'],
  [2, 'antarctic'],
] as const) {
  const stream = await memory.getOrCreateStream(StreamId.of('sea_ice', { hemisphere }));
  await stream.write(rows.map((r) => ({ timestamp: Date.parse(r[0]!), value: Number(r[column]) })));
  // Record what is now complete: everything up to the last row.
  await memory.addCalculatedIntervals(
    stream.id,
    TimeInterval.of('1989-12-31T00:00:00Z', rows.at(-1)![0]!),
  );
}

const arctic = await memory.getStream(StreamId.of('sea_ice', { hemisphere: 'arctic' }));
const year2000 = arctic.window('2000-01-01T00:00:00Z/P1Y'); // (2000-01-01, 2001-01-01]
const values = await collect(year2000.values());
console.log(`${arctic.id.toString()}: ${values.length} months in ${year2000.interval.toString()}`);
console.log('first:', await year2000.first());
console.log('last 3:', await year2000.tail(3));
console.log(
  'mean extent 2000:',
  (values.reduce((a, b) => (a as number) + (b as number), 0) as number) / values.length,
);

// What still needs computing over a wider range: requested − calculated.
const requested = TimeIntervals.of(TimeInterval.of('2010-01-01T00:00:00Z', '2012-01-01T00:00:00Z'));
console.log('missing:', requested.difference(await arctic.calculatedIntervals()).toString());
