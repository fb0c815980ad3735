// MongoDB ingest and window read through the Database channel, next to the raw driver doing the
// same work on the same server in the same run.
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BSON, MongoClient } from 'mongodb';
import { DatabaseChannel } from '../../src/channels/database-channel.js';
import { StreamId } from '../../src/streams/stream-id.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import { MAX_DATE, MIN_DATE } from '../../src/time/timestamp.js';
import type { TestServer } from '../../test/integration/setup/mongo-server.js';
import { startTestServer } from '../../test/integration/setup/mongo-server.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { peakRssMiB, time } from '../harness.js';

const BATCH = 10_000;
const CHUNK = 100_000;
const BASE = Date.parse('2020-01-01T00:00:00Z');

const scenario: BenchScenario = {
  name: 'mongo',
  description:
    'Ingest of N stream instances through DatabaseChannel vs raw insertMany of the same documents, and a window read of all of them vs a raw cursor',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const n = context.tiny ? 2_000 : 1_000_000;
    // At 1M each run is already 100 batches, and a run takes a minute on mongo-java-server: one is enough.
    const repetitions = 1;
    let server: TestServer | undefined;
    const uri = context.mongoUri ?? (server = await startTestServer()).uri;
    const client = new MongoClient(uri);
    try {
      await client.connect();
      const db = client.db(`hs_bench_${randomUUID().replace(/-/g, '')}`);
      try {
        return await measure(db, n, repetitions, server?.description ?? 'MONGODB_URI');
      } finally {
        await db.dropDatabase();
      }
    } finally {
      await client.close();
      await server?.stop();
    }
  },
};

export default scenario;

/** A full-GC function even without --expose-gc (V8 allows enabling the flag at run time). */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function measure(
  db: ReturnType<MongoClient['db']>,
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
  const toDocument = (instance: StreamInstance) => ({
    _id: { s: id.key, t: new Date(instance.timestamp) },
    v: instance.value,
  });
  let bytes = 0;
  for (const instance of instances) bytes += BSON.calculateObjectSize(toDocument(instance));
  // Warm both paths (and the server's JIT, on mongo-java-server), then clear.
  const warmUp = instances.slice(0, BATCH);
  await channel.writeInstances(id, warmUp);
  await raw.insertMany(warmUp.map(toDocument), { ordered: false });
  await channel.purgeStream(id, { removeDefinition: true });
  await raw.deleteMany({});

  // Interleaved chunks, alternating who goes first, so both meet the same server state (collection
  // size, server heap) and neither pays for going first.
  const chunk = Math.max(1, Math.min(CHUNK, Math.ceil(n / 2)));
  let engineIngestMs = 0;
  let rawIngestMs = 0;
  for (let start = 0, k = 0; start < n; start += chunk, k++) {
    const part = instances.slice(start, start + chunk);
    const engine = async () => {
      const timing = await time(repetitions, () => channel.writeInstances(id, part), {
        check: (written) => {
          if (written !== part.length)
            throw new Error(`DatabaseChannel wrote ${written} of ${part.length}`);
        },
      });
      engineIngestMs += timing.medianMs;
    };
    const baseline = async () => {
      const timing = await time(repetitions, async () => {
        for (let i = 0; i < part.length; i += BATCH) {
          await raw.insertMany(part.slice(i, i + BATCH).map(toDocument), { ordered: false });
        }
      });
      rawIngestMs += timing.medianMs;
    };
    if (k % 2 === 0) {
      await engine();
      await baseline();
    } else {
      await baseline();
      await engine();
    }
  }
  const stored = [await channel.count(id, TimeInterval.allTime()), await raw.countDocuments()];
  if (stored[0] !== n || stored[1] !== n) {
    throw new Error(
      `benchmark check failed: channel stored ${stored[0]}, raw stored ${stored[1]} of ${n}`,
    );
  }
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

  // Memory in a separate, untimed pass: live heap after a full GC every 10 batches, so garbage
  // not yet collected does not count as memory the read holds.
  const gc = collectGarbage();
  gc();
  const baseHeap = process.memoryUsage().heapUsed;
  let readHeapGrowthMiB = 0;
  await readAll((index) => {
    if (index % 10 !== 0) return;
    gc();
    readHeapGrowthMiB = Math.max(
      readHeapGrowthMiB,
      (process.memoryUsage().heapUsed - baseHeap) / 2 ** 20,
    );
  });

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
