// Scenario 1 (memory part): the 3,000,000 flights into a memory stream, against pushing the same
// instances into a plain array. Also reports what loading the data costs (outside every timing).

import type { Flight } from '../data/flights.js';
import { flightInstances, loadFlights } from '../data/flights.js';
import { collectGarbage } from '../data/gc.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { assertSame, time } from '../harness.js';
import { MemoryChannel } from '../../src/channels/memory-channel.js';
import type { Stream } from '../../src/channels/stream.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import { TimeInterval } from '../../src/time/time-interval.js';

const BATCH = 10_000;

async function run(context: BenchContext): Promise<BenchRow[]> {
  const loaded = await loadFlights(context.tiny ? { sample: 10_000 } : {});
  const { flights } = loaded;
  const n = flights.count;
  const instances = flightInstances(flights);
  const rows: BenchRow[] = [];

  if (loaded.cacheLoadMs !== undefined) {
    rows.push({
      figure: `load ${label(n)} flights from the cache`,
      engineMs: loaded.cacheLoadMs,
      baselineMs: loaded.decodeMs,
      items: n,
      note: 'baseline: decoding the parquet file (when the cache was made)',
    });
  } else {
    rows.push({
      figure: `decode ${label(n)} flights from parquet`,
      engineMs: loaded.decodeMs,
      baselineMs: undefined,
      items: n,
      note:
        loaded.source === 'sample'
          ? 'the start of the file only (tiny)'
          : 'cache written for later runs',
    });
  }

  const everything = TimeInterval.allTime();
  for (const batch of [BATCH, n]) {
    let stream: Stream<Flight> | undefined;
    const engine = await time(
      context.repetitions,
      async () => {
        for (let i = 0; i < n; i += batch) await stream!.write(instances.slice(i, i + batch));
        return await stream!.window(everything).count();
      },
      {
        setup: async () => {
          stream = undefined;
          collectGarbage();
          stream = (await new MemoryChannel('bench').getOrCreateStream(
            'flights',
          )) as Stream<Flight>;
        },
        check: (count) => assertSame(count, n, 'flights written'),
      },
    );
    let plain: StreamInstance<Flight>[] = [];
    const baseline = await time(
      context.repetitions,
      () => {
        for (let i = 0; i < n; i += batch) {
          for (const { timestamp, value } of instances.slice(i, i + batch))
            plain.push({ timestamp, value });
        }
        return plain.length;
      },
      {
        setup: () => {
          plain = [];
          collectGarbage();
        },
        check: (count) => assertSame(count, n, 'flights pushed'),
      },
    );
    // Same data in, same data out.
    const last = await stream!.window(everything).last();
    assertSame(last, plain[plain.length - 1], 'last flight');
    rows.push({
      figure:
        batch === n
          ? `write ${label(n)} flights in one call`
          : `write ${label(n)} flights in batches of ${label(batch)}`,
      engineMs: engine.medianMs,
      baselineMs: baseline.medianMs,
      items: n,
      note: 'baseline: push { timestamp, value } copies into an array',
    });
  }
  return rows;
}

function label(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(2)}M`;
  if (n >= 1000) return `${+(n / 1000).toFixed(1)}k`;
  return String(n);
}

const scenario: BenchScenario = {
  name: 'flights-ingest',
  description: 'the 3M flights into a memory stream, vs pushing them into a plain array',
  run,
};
export default scenario;
