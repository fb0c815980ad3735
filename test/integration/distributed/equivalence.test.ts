// A run on the queue equals a local run, byte for byte: the same streams with the same calculated
// intervals and documents, and a session with the same pieces and totals, with 1, 2 and 4 worker
// processes. Workflows: HyperStream's tutorial 5 (plates, splitters, aggregates), a subset of the
// real US flights split over an airport plate, and a plate-creation workflow (whose downstream
// factors are planned again once workers created the plate values).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { flightInstances, loadFlights } from '../../../bench/data/flights.js';
import {
  AIRPORT_PLATE,
  FLIGHTS_STREAM,
  plateWorkflow,
} from '../../../bench/data/flights-workflows.js';
import { TUTORIAL5_INTERVAL, buildTutorial5, createPlates } from '../../../examples/tutorial-05.js';
import { createQueueScheduler } from '../../../src/distributed.js';
import type { Engine } from '../../../src/engine/engine.js';
import type { SessionRecord } from '../../../src/storage/session-store.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import type { StreamInstance } from '../../../src/streams/stream-instance.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { reading, sum } from '../../reliability/fixtures/workflow.js';
import { channelSnapshot, sessionShape } from './fixtures/compare.js';
import type { StorageSpec } from './fixtures/engines.js';
import { openEngine } from './fixtures/engines.js';
import type { WorkerProcesses } from './fixtures/workers.js';
import { startWorkers } from './fixtures/workers.js';

const HOUR = 3_600_000;
const redisUrl = inject('redisUrl');
let dir: string;
let flights: StreamInstance[];
let flightSpan: TimeInterval;
let airports: string[];

/** The three workflows, each set up on an engine whose default channel is the shared one. */
const CASES = {
  tutorial5: {
    interval: () => TUTORIAL5_INTERVAL,
    options: { maxPieceSize: 'P1Y' },
    async build(engine: Engine) {
      await createPlates(engine);
      return await buildTutorial5(engine);
    },
  },
  flights: {
    interval: () => flightSpan,
    options: { maxPieceSize: 'PT6H' },
    async build(engine: Engine) {
      const channel = engine.channels.get('sqlite');
      const id = StreamId.of(FLIGHTS_STREAM);
      if (!(await channel.getCalculatedIntervals(id)).covers(flightSpan)) {
        await channel.writeInstances(id, flights);
        await channel.addCalculatedIntervals(id, flightSpan);
      }
      for (const code of airports) await engine.plates.ensureMetaData([], AIRPORT_PLATE, code);
      await engine.plates.createPlate({ id: AIRPORT_PLATE, metaKey: AIRPORT_PLATE });
      return plateWorkflow(engine, 'flights_subset');
    },
  },
  plateCreation: {
    interval: () => new TimeInterval(Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 6)),
    options: { maxPieceSize: 'PT2H' },
    async build(engine: Engine) {
      const creator = await engine.tool('meta_instance_from_list', 'plate-creation');
      const w = engine.workflow('created_houses');
      await w.plateCreationFactor({
        tool: creator.create({ values: ['7', '8', '9'] }),
        outputPlate: { id: 'HC', metaKey: 'house' },
      });
      const raw = w.node('hc_raw', { plates: ['HC'] });
      const total = w.node('hc_total');
      w.factor({ tool: reading.create({ step: 15 * 60_000 }), sink: raw });
      w.aggregateFactor({ tool: sum.create({}), sources: [raw], sink: total });
      return w;
    },
  },
} as const;

type CaseName = keyof typeof CASES;
const reference = new Map<CaseName, { streams: Map<string, string>; session: SessionRecord }>();

function sqlite(name: string): StorageSpec {
  return { kind: 'sqlite', path: join(dir, `${name}.sqlite`) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hs-equivalence-'));
  // A real sample of the flights (the first rows of the file: 1-2 January 2001), the six busiest
  // origin airports.
  const loaded = await loadFlights({ sample: 30_000 });
  const all = flightInstances(loaded.flights);
  const counts = new Map<string, number>();
  for (const f of all) counts.set(f.value.origin, (counts.get(f.value.origin) ?? 0) + 1);
  airports = [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([code]) => code)
    .sort();
  flights = all.filter((f) => airports.includes(f.value.origin));
  const first = flights[0]!.timestamp;
  const last = flights.at(-1)!.timestamp;
  flightSpan = new TimeInterval(
    Math.floor((first - 1) / HOUR) * HOUR,
    Math.ceil(last / HOUR) * HOUR,
  );

  // The references: each workflow run locally on its own SQLite file.
  for (const name of Object.keys(CASES) as CaseName[]) {
    const engine = await openEngine(sqlite(`reference_${name}`), { defaultChannel: 'sqlite' });
    try {
      const workflow = await CASES[name].build(engine);
      const session = await workflow.execute(CASES[name].interval(), CASES[name].options);
      expect(session.status).toBe('completed');
      expect(session.pieces.length).toBeGreaterThan(3);
      reference.set(name, { streams: await channelSnapshot(engine, 'sqlite'), session });
    } finally {
      await engine.close();
    }
  }
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each([1, 2, 4])('a queue run with %i worker process(es)', (count) => {
  const queue = `equivalence_${String(count)}_${String(process.pid)}`;
  const storage = (): StorageSpec => sqlite(`queue_${String(count)}`);
  let workers: WorkerProcesses;
  let engine: Engine;

  beforeAll(async () => {
    workers = await startWorkers(count, { storage: storage(), redis: redisUrl, queue });
    engine = await openEngine(storage(), {
      defaultChannel: 'sqlite',
      schedulers: { queue: createQueueScheduler({ connection: redisUrl, queue }) },
    });
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    await workers?.stop();
  });

  it.each(Object.keys(CASES) as CaseName[])(
    'computes %s exactly as the local run, and records one session',
    async (name) => {
      const workflow = await CASES[name].build(engine);
      const planned: number[] = [];
      const session = await workflow.execute(CASES[name].interval(), {
        ...CASES[name].options,
        runner: 'queue',
        onPlan: (pieces) => planned.push(pieces.length),
      });
      const expected = reference.get(name)!;
      expect(sessionShape(session)).toEqual(sessionShape(expected.session));
      expect(planned.reduce((a, b) => a + b, 0)).toBe(expected.session.pieces.length);
      const streams = await channelSnapshot(engine, 'sqlite');
      for (const [key, value] of expected.streams) expect(streams.get(key), key).toBe(value);
      // One session, stored as the local run stores it.
      const stored = await engine.sessions.get(session.id);
      expect(stored?.status).toBe('completed');
      expect(stored?.pieces).toHaveLength(session.pieces.length);
      // Nothing is recomputed the second time.
      const again = await workflow.execute(CASES[name].interval(), {
        ...CASES[name].options,
        runner: 'queue',
      });
      expect(again.pieces).toHaveLength(0);
    },
  );

  it('spread the pieces over every worker, and the workers stop gracefully', async () => {
    const stopped = await workers.stop();
    expect(stopped).toHaveLength(count);
    for (const status of stopped) {
      expect(status.status).toBe('stopped');
      expect(status.failed).toBe(0);
      expect(status.abandoned).toBe(0);
    }
    const done = stopped.map((s) => s.done);
    expect(done.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    if (count > 1) expect(done.filter((d) => d > 0).length).toBeGreaterThan(1);
  });
});
