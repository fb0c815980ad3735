// MongoDB ingest and window read through the Database channel, next to the raw driver doing the
// same work on the same server in the same run.
import type { Db } from 'mongodb';
import { DatabaseChannel } from '../../src/channels/database-channel.js';
import { StreamId } from '../../src/streams/stream-id.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import { MAX_DATE, MIN_DATE } from '../../src/time/timestamp.js';
import { heapGrowthWhile } from '../data/gc.js';
import { BATCH, compareIngest, withBenchDatabase } from '../data/mongo-bench.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { peakRssMiB, time } from '../harness.js';

const BASE = Date.parse('2020-01-01T00:00:00Z');

const scenario: BenchScenario = {
  name: 'mongo',
  description:
    'Ingest of N stream instances through DatabaseChannel vs raw insertMany of the same documents, and a window read of all of them vs a raw cursor',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const n = context.tiny ? 2_000 : 1_000_000;
    // At 1M each run is already 100 batches, and a run takes a minute on mongo-java-server: one is enough.
    return await withBenchDatabase(context, (db, server) => measure(db, n, 1, server));
  },
};

export default scenario;

async function measure(
  db: Db,
  n: number,
  repetitions: number,
  serverName: string,
): Promise<BenchRow[]> {
  const id = StreamId.of('bench', { sensor: 'a' });
  const channel = new DatabaseChannel({ db, writeBatchSize: BATCH });
  await channel.init();
  const raw = db.collection<{ _id: { s: string; t: Date }; v: unknown }>('raw_streams');
  const instances: StreamInstance[] = Array.from({ length: n }, (_, i) => ({
    timestamp: BASE + i * 1000,
    value: { celsius: 20 + (i % 100) / 10, ok: i % 7 !== 0 },
  }));
  const ingest = await compareIngest(channel, raw, id, instances);
  instances.length = 0; // Let the input go before measuring the read's memory.
  const readAll = async (onBatch?: (index: number) => void) => {
    let count = 0;
    let last = -Infinity;
    let index = 0;
    for await (const batch of channel.readBatches(id, TimeInterval.allTime(), {
      batchSize: BATCH,
    })) {
      count += batch.length;
      last = batch[batch.length - 1]!.timestamp;
      onBatch?.(index++);
    }
    return { count, last };
  };
  const engineRead = await time(repetitions, async () => await readAll(), {
    check: ({ count, last }) => {
      if (count !== n || last !== BASE + (n - 1) * 1000) {
        throw new Error(`window read returned ${count} of ${n} instances, ending at ${last}`);
      }
    },
  });
  // The same query the channel sends: the stream's _id range over all time.
  const window = {
    _id: { $gt: { s: id.key, t: new Date(MIN_DATE) }, $lte: { s: id.key, t: new Date(MAX_DATE) } },
  };
  const rawRead = await time(
    repetitions,
    async () => {
      let count = 0;
      for await (const doc of raw.find(window, { sort: { _id: 1 }, batchSize: BATCH }))
        if (doc.v !== undefined) count++;
      return count;
    },
    {
      check: (count) => {
        if (count !== n) throw new Error(`raw cursor read ${count} of ${n} documents`);
      },
    },
  );

  const { growthMiB: readHeapGrowthMiB } = await heapGrowthWhile(readAll);

  const { engineMs: engineIngestMs, rawMs: rawIngestMs, bytes, chunk } = ingest;
  const mb = bytes / 1e6;
  const rate = (ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en')} docs/s`;
  const throughput = (ms: number) => `${(mb / (ms / 1000)).toFixed(1)} MB/s`;
  return [
    {
      figure: `Mongo ingest of ${n.toLocaleString('en')} instances: DatabaseChannel vs raw insertMany`,
      engineMs: engineIngestMs,
      baselineMs: rawIngestMs,
      items: n,
      note:
        `channel ${rate(engineIngestMs)}, ${throughput(engineIngestMs)}; ` +
        `raw ${rate(rawIngestMs)}, ${throughput(rawIngestMs)}; ` +
        `${mb.toFixed(1)} MB of BSON; batches of ${BATCH}, interleaved in chunks of ${chunk}; server ${serverName}`,
    },
    {
      figure: `Mongo window read of all ${n.toLocaleString('en')} instances: DatabaseChannel vs raw cursor`,
      engineMs: engineRead.medianMs,
      baselineMs: rawRead.medianMs,
      items: n,
      note:
        `channel ${rate(engineRead.medianMs)}, raw ${rate(rawRead.medianMs)}; ` +
        `live heap growth while reading ≤ ${readHeapGrowthMiB.toFixed(1)} MiB (sampled after GC); ` +
        `peak RSS of the whole run ${peakRssMiB().toFixed(0)} MiB (includes the ${n.toLocaleString('en')} input instances); one run each`,
    },
  ];
}
