// What the MongoDB scenarios share: a throw-away database on the given or a freshly started
// server, and the ingest comparison of the Database channel against raw insertMany.
import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { BSON, MongoClient } from 'mongodb';
import type { DatabaseChannel } from '../../src/channels/database-channel.js';
import type { InstanceDocument } from '../../src/storage/mongodb/mongo-documents.js';
import type { StreamId } from '../../src/streams/stream-id.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import type { TestServer } from '../../test/integration/setup/mongo-server.js';
import { startTestServer } from '../../test/integration/setup/mongo-server.js';
import type { BenchContext } from '../harness.js';
import { assertSame, time } from '../harness.js';

/** Documents per insertMany / channel write batch. */
export const BATCH = 10_000;
/** Ingest alternates engine and raw driver every CHUNK instances, so both meet the same server state. */
const CHUNK = 100_000;

/**
 * Runs `measure` on a new database (dropped afterwards) of `context.mongoUri`, or of a test server
 * started for the occasion; `server` describes which.
 */
export async function withBenchDatabase<T>(
  context: BenchContext,
  measure: (db: Db, server: string) => Promise<T>,
): Promise<T> {
  let server: TestServer | undefined;
  const uri = context.mongoUri ?? (server = await startTestServer()).uri;
  const client = new MongoClient(uri);
  try {
    await client.connect();
    const db = client.db(`hs_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`);
    try {
      return await measure(db, server?.description ?? 'MONGODB_URI');
    } finally {
      await db.dropDatabase();
    }
  } finally {
    await client.close();
    await server?.stop();
  }
}

export interface IngestComparison {
  readonly engineMs: number;
  readonly rawMs: number;
  /** BSON size of all the documents. */
  readonly bytes: number;
  readonly chunk: number;
}

/**
 * Writes `instances` through the channel and, as the baseline, exactly the documents the channel
 * writes with raw unordered insertMany into `raw` — after a warm-up of both, interleaved in chunks
 * alternating who goes first (neither pays for going first) — and checks both stored everything.
 * One run each: repeating a chunk would time the channel's replace path against duplicate-key
 * failures of the raw inserts.
 */
export async function compareIngest(
  channel: DatabaseChannel,
  raw: Collection<InstanceDocument>,
  id: StreamId,
  instances: readonly StreamInstance[],
): Promise<IngestComparison> {
  const n = instances.length;
  const toDocument = ({ timestamp, value }: StreamInstance): InstanceDocument => ({
    _id: { s: id.key, t: new Date(timestamp) },
    v: value,
  });
  let bytes = 0;
  for (const instance of instances) bytes += BSON.calculateObjectSize(toDocument(instance));

  const warmUp = instances.slice(0, Math.min(n, BATCH));
  await channel.writeInstances(id, warmUp);
  await raw.insertMany(warmUp.map(toDocument), { ordered: false });
  await channel.purgeStream(id, { removeDefinition: true });
  await raw.deleteMany({});

  const chunk = Math.max(1, Math.min(CHUNK, Math.ceil(n / 2)));
  let engineMs = 0;
  let rawMs = 0;
  for (let start = 0, k = 0; start < n; start += chunk, k++) {
    const part = instances.slice(start, start + chunk);
    const engine = async (): Promise<void> => {
      const timing = await time(1, () => channel.writeInstances(id, part), {
        check: (written) => assertSame(written, part.length, 'instances written by the channel'),
      });
      engineMs += timing.medianMs;
    };
    const baseline = async (): Promise<void> => {
      const timing = await time(1, async () => {
        for (let i = 0; i < part.length; i += BATCH)
          await raw.insertMany(part.slice(i, i + BATCH).map(toDocument), { ordered: false });
      });
      rawMs += timing.medianMs;
    };
    if (k % 2 === 0) {
      await engine();
      await baseline();
    } else {
      await baseline();
      await engine();
    }
  }
  assertSame(
    [await channel.count(id, TimeInterval.allTime()), await raw.countDocuments()],
    [n, n],
    'instances stored by the channel and by insertMany',
  );
  return { engineMs, rawMs, bytes, chunk };
}
