// Scenarios 1 and 6 with a server: the flights into the Database channel against raw insertMany of
// identical documents on the same server in the same run, then first, last, tail(10), a one-day
// window and a streaming read of the whole stream through the channel against the raw driver
// sending the same queries to the channel's own collection.
//
// Size: BENCH_FLIGHTS_DB=all (the 3,000,000 flights) or a month 1–6; default January (~480k).
// mongo-java-server, the test server here, ingests ~50k documents/s on an idle machine and answers
// every range query by scanning and sorting the whole collection in memory, so on it the full
// 3M would take minutes per ingest and seconds per first/last; a real mongod uses the _id index.

import type { Db } from 'mongodb';
import type { Flight, LoadFlightsOptions } from '../data/flights.js';
import { flightInstances, loadFlights } from '../data/flights.js';
import { DAY, countLabel } from '../data/flights-workflows.js';
import { heapGrowthWhile } from '../data/gc.js';
import { BATCH, compareIngest, withBenchDatabase } from '../data/mongo-bench.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { assertSame, peakRssMiB, time } from '../harness.js';
import { DatabaseChannel } from '../../src/channels/database-channel.js';
import type { InstanceDocument } from '../../src/storage/mongodb/mongo-documents.js';
import { StreamId } from '../../src/streams/stream-id.js';
import type { Stream } from '../../src/channels/stream.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import { TimeInterval } from '../../src/time/time-interval.js';

/** The channel's collection of instances (its default). */
const INSTANCES = 'streams';

/** Which flights: BENCH_FLIGHTS_DB=all or 1–6 (a month of 2001); January by default. */
function chosenFlights(tiny: boolean): { options: LoadFlightsOptions; label: string } {
  if (tiny) return { options: { sample: 2_000 }, label: 'the first 2,000 rows of the file' };
  const given = process.env.BENCH_FLIGHTS_DB ?? '1';
  if (given === 'all') return { options: {}, label: 'all flights' };
  const month = Number(given);
  if (!Number.isInteger(month) || month < 1 || month > 6) {
    throw new Error(
      `BENCH_FLIGHTS_DB=${given}: expected "all" or a month of 2001 from 1 to 6 (January by default)`,
    );
  }
  const name = new Date(Date.UTC(2001, month - 1, 1)).toLocaleString('en', {
    month: 'long',
    timeZone: 'UTC',
  });
  return { options: { month }, label: `the flights of ${name} 2001 (BENCH_FLIGHTS_DB=${given})` };
}

async function run(context: BenchContext): Promise<BenchRow[]> {
  const chosen = chosenFlights(context.tiny);
  const { flights } = await loadFlights(chosen.options);
  return await withBenchDatabase(context, (db) =>
    measure(db, flightInstances(flights), chosen.label, context),
  );
}

async function measure(
  db: Db,
  instances: StreamInstance<Flight>[],
  label: string,
  context: BenchContext,
): Promise<BenchRow[]> {
  const n = instances.length;
  const id = StreamId.of('flights');
  const channel = new DatabaseChannel({ db, writeBatchSize: BATCH });
  await channel.init();
  const raw = db.collection<InstanceDocument>('raw_flights');
  const {
    engineMs: engineIngestMs,
    rawMs: rawIngestMs,
    bytes,
    chunk,
  } = await compareIngest(channel, raw, id, instances);
  const everything = TimeInterval.allTime();
  // The raw copy has served its purpose; the reads below query the channel's own collection.
  await raw.drop();

  const mb = bytes / 1e6;
  const rows: BenchRow[] = [
    {
      figure: `ingest ${countLabel(n)} flights: Database channel vs raw insertMany`,
      engineMs: engineIngestMs,
      baselineMs: rawIngestMs,
      items: n,
      note:
        `${label}; channel ${rate(n, engineIngestMs)}, ${(mb / (engineIngestMs / 1000)).toFixed(1)} MB/s; ` +
        `raw ${rate(n, rawIngestMs)}, ${(mb / (rawIngestMs / 1000)).toFixed(1)} MB/s; ${mb.toFixed(1)} MB of BSON; ` +
        `batches of ${BATCH}, interleaved in chunks of ${chunk}; one run`,
    },
  ];

  const stream = (await channel.getStream(id)) as Stream<Flight>;
  const docs = db.collection<InstanceDocument & { v: Flight }>(INSTANCES);
  const filter = (interval: TimeInterval) => ({
    _id: {
      $gt: { s: id.key, t: new Date(interval.start) },
      $lte: { s: id.key, t: new Date(interval.end) },
    },
  });
  const rawRead = async (interval: TimeInterval, sort: 1 | -1, limit: number) =>
    (
      await docs
        .find(filter(interval), { sort: { _id: sort }, ...(limit > 0 ? { limit } : {}) })
        .toArray()
    ).map((doc) => ({ timestamp: doc._id.t.getTime(), value: doc.v }));
  // The middle day of the data, whole UTC days.
  const middle = instances[n >> 1]!.timestamp;
  const day = new TimeInterval(
    Math.floor(middle / DAY) * DAY,
    Math.floor(middle / DAY) * DAY + DAY,
  );
  const expectedDay = instances.filter((x) => x.timestamp > day.start && x.timestamp <= day.end);
  const tail = instances.slice(-10);

  const reads: [string, () => Promise<unknown>, () => Promise<unknown>, unknown][] = [
    [
      'first',
      () => stream.window(everything).first(),
      async () => (await rawRead(everything, 1, 1))[0],
      instances[0],
    ],
    [
      'last',
      () => stream.window(everything).last(),
      async () => (await rawRead(everything, -1, 1))[0],
      instances[n - 1],
    ],
    [
      'tail(10)',
      () => stream.window(everything).tail(10),
      async () => (await rawRead(everything, -1, 10)).reverse(),
      tail,
    ],
    [
      `one-day window (${countLabel(expectedDay.length)} flights)`,
      () => stream.window(day).toArray(),
      () => rawRead(day, 1, 0),
      expectedDay,
    ],
  ];
  for (const [figure, engineRead, baselineRead, expected] of reads) {
    const engine = await time(context.repetitions, engineRead, {
      check: (result) => assertSame(result, expected, `${figure} through the channel`),
    });
    const baseline = await time(context.repetitions, baselineRead, {
      check: (result) => assertSame(result, expected, `${figure} through the raw driver`),
    });
    rows.push({
      figure: `${figure} of ${countLabel(n)}`,
      engineMs: engine.medianMs,
      baselineMs: baseline.medianMs,
      items: undefined,
      note: 'baseline: the same query (range on _id, sorted, limit) through the raw driver',
    });
  }

  // Streaming the whole stream, timed against the raw cursor, once each (full scans are slow here).
  instances.length = 0; // Let the input go before measuring the read's memory.
  const streamAll = async (onBatch?: (index: number) => void) => {
    let count = 0;
    let delaySum = 0;
    let index = 0;
    for await (const batch of stream.window(everything).batches()) {
      count += batch.length;
      for (const item of batch) delaySum += item.value.delay;
      onBatch?.(index++);
    }
    return { count, delaySum };
  };
  const engineStream = await time(1, () => streamAll(), {
    check: (r) => assertSame(r.count, n, 'flights streamed through the channel'),
  });
  const rawStream = await time(
    1,
    async () => {
      let count = 0;
      let delaySum = 0;
      for await (const doc of docs.find(filter(everything), { sort: { _id: 1 } })) {
        count++;
        delaySum += doc.v.delay;
      }
      return { count, delaySum };
    },
    { check: (r) => assertSame(r.count, n, 'flights streamed through the raw cursor') },
  );
  const { growthMiB: heapGrowthMiB, batches } = await heapGrowthWhile(streamAll);
  rows.push({
    figure: `stream all ${countLabel(n)} back in batches`,
    engineMs: engineStream.medianMs,
    baselineMs: rawStream.medianMs,
    items: n,
    note: `channel ${rate(n, engineStream.medianMs)}, raw cursor ${rate(n, rawStream.medianMs)}; live heap growth while reading ≤ ${heapGrowthMiB.toFixed(1)} MiB over ${batches} batches (sampled after GC); peak RSS ${peakRssMiB().toFixed(0)} MiB includes the input instances; one run each`,
  });
  return rows;
}

function rate(n: number, ms: number): string {
  return `${Math.round(n / (ms / 1000)).toLocaleString('en')} docs/s`;
}

const scenario: BenchScenario = {
  name: 'flights-database',
  description:
    'flights into the Database channel vs raw insertMany; first, last, tail(10), a one-day window and a streaming read vs the raw driver',
  run,
};
export default scenario;
