// Server faults: the MongoDB-compatible server (one of its own on persistent data, so it can be
// stopped and started again: FerretDB on SQLite files, or mongo-java-server on an H2 data file) is
// stopped in the middle of a run. The run fails with
// a typed, retryable StorageError; nothing is recorded for writes the server never acknowledged;
// once the server is back, a re-run with the same engine completes the outputs exactly.
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { StorageError, isHyperstreamError } from '../../src/errors.js';
import { createMongoEngineOptions } from '../../src/mongodb.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import type { RestartableServer } from '../integration/setup/mongo-server.js';
import { startRestartableServer } from '../integration/setup/mongo-server.js';
import type { Snapshot } from './fixtures/outputs.js';
import {
  claimedShare,
  differences,
  falseClaims,
  readSnapshot,
  referenceRun,
} from './fixtures/outputs.js';
import { sleep } from './fixtures/processes.js';
import { HOUR, TOOLS, buildWorkflow } from './fixtures/workflow.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const INTERVAL = new TimeInterval(T0, T0 + 12 * HOUR);
// Short, so that operations against a stopped server fail quickly instead of waiting 30 s.
const CLIENT_OPTIONS = { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 };

let server: RestartableServer;
let reference: Snapshot;
const database = `hs_fault_${randomUUID().replace(/-/g, '').slice(0, 16)}`;

beforeAll(async () => {
  server = await startRestartableServer();
  process.stderr.write(`server faults against ${server.description}\n`);
  reference = await referenceRun(INTERVAL);
});

afterAll(async () => {
  await server?.dispose();
});

/** Errors along the cause chain (and a WorkflowExecutionError's recorded failures). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && chain.length < 10; e = (e as { cause?: unknown }).cause) {
    chain.push(e);
  }
  return chain;
}

async function snapshot(): Promise<Snapshot> {
  const client = await MongoClient.connect(server.uri, CLIENT_OPTIONS);
  try {
    return await readSnapshot(client.db(database));
  } finally {
    await client.close();
  }
}

describe('the database server stopping mid-run', () => {
  it('fails with a retryable StorageError, records nothing unacknowledged, and a re-run completes', async () => {
    const mongo = await createMongoEngineOptions({
      uri: server.uri,
      database,
      defaultChannel: false,
      clientOptions: CLIENT_OPTIONS,
    });
    const engine = await Engine.create({ ...mongo, tools: TOOLS });
    try {
      const workflow = await buildWorkflow(engine, { output: 'mongo', pieceSize: 'PT20M' });
      const running = workflow.execute(INTERVAL).then(
        () => undefined,
        (error: unknown) => error,
      );
      // Stop the server once part of the run is recorded (and the rest is still to come).
      let share = 0;
      for (let i = 0; i < 400 && share < 0.2; i++) {
        await sleep(10);
        share = claimedShare(await snapshot(), reference);
      }
      expect(share).toBeGreaterThan(0);
      expect(share).toBeLessThan(1);
      await server.stop();
      const stoppedAt = performance.now();
      const error = await running;
      process.stderr.write(
        `server stopped mid-run (${(share * 100).toFixed(0)}% recorded): the run failed after ` +
          `${Math.round(performance.now() - stoppedAt)} ms with ${causes(error)
            .map((e) => (e as Error).constructor.name)
            .join(' <- ')}\n`,
      );

      expect(error, 'the run must fail while the server is down').toBeDefined();
      expect(isHyperstreamError(error)).toBe(true);
      const storage = causes(error).find((e): e is StorageError => e instanceof StorageError);
      expect(storage, `no StorageError in the causes of ${String(error)}`).toBeDefined();
      expect(storage!.retryable, storage!.message).toBe(true);
      expect(storage!.message).toMatch(/MongoDB .* failed.*retry/);

      await server.start();
      const after = await snapshot();
      // What was recorded is true: every claimed document was acknowledged and is there.
      expect(falseClaims(after, reference.documents)).toEqual([]);
      expect(claimedShare(after, reference)).toBeLessThan(1);

      // The same engine (its client reconnects) completes the run.
      const session = await workflow.execute(INTERVAL);
      expect(session.status).toBe('completed');
      expect(differences(await snapshot(), reference)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('refuses to start an engine on a stopped server with a retryable StorageError', async () => {
    await server.stop();
    try {
      const error = await createMongoEngineOptions({
        uri: server.uri,
        database,
        clientOptions: CLIENT_OPTIONS,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).retryable).toBe(true);
      expect((error as StorageError).message).toContain(
        'check that the MongoDB server is reachable',
      );
    } finally {
      await server.start();
    }
  });
});
