// Scenario 7: the flights workflows of scenarios 2–4 on this engine and on Python HyperStream 0.3.8
// (bench/python/), on the same flights and the same MongoDB-compatible server, in the same run.
// A reduced size (the first week of January): HyperStream's cross-plate aggregate is quadratic.
//
// Both sides keep streams in memory and HyperStream keeps its meta-data, plates, workflows and
// sessions in MongoDB. Ratios are ours / theirs (below 1: this engine is faster). Python runs once
// per figure; this engine takes the median of the repetitions. Both must compute the same numbers.

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Flights } from '../data/flights.js';
import { firstAfter, loadFlights, sliceFlights } from '../data/flights.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { assertSame, time } from '../harness.js';
import { Engine } from '../../src/engine/engine.js';
import { StreamId } from '../../src/streams/stream-id.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import type { Workflow } from '../../src/workflow/workflow.js';
import type { TestServer } from '../../test/integration/setup/mongo-server.js';
import { startTestServer } from '../../test/integration/setup/mongo-server.js';
import aggregate from '../../tools/aggregate/2026-11-22_v1.0.0.js';
import splitter from '../../tools/splitter/2026-11-22_v1.0.0.js';
import windowAggregate from '../../tools/window_aggregate/2026-11-22_v1.0.0.js';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PYTHON_DIR = path.join(ROOT, 'bench', 'python');
const CACHE = path.join(ROOT, '.cache', 'python-hyperstream');
const VENV_PYTHON = path.join(CACHE, 'venv', 'bin', 'python');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What both engines report for an output stream: enough to see they computed the same. */
interface Summary {
  readonly count: number;
  readonly sum: number;
  readonly first: number | null;
  readonly last: number | null;
}

interface PythonReport {
  readonly hyperstream: string;
  readonly python: string;
  readonly pymongo: string;
  readonly server: string;
  readonly flights: number;
  readonly airports: number;
  readonly interval: [number, number];
  readonly middle: number;
  readonly streams: number;
  readonly timings: Record<string, number>;
  readonly results: Record<'hourlyMean' | 'dailySlidingMean' | 'plates' | 'onRequest', Summary>;
}

interface FlightValue {
  readonly delay: number;
  readonly origin: string;
}

/** Whole hours around the data, and the hour in the middle (as the Python script computes them). */
function spans(flights: Flights): { everything: TimeInterval; firstHalf: TimeInterval } {
  const start = Math.floor((flights.timestamps[0]! - 1) / HOUR) * HOUR;
  const end = Math.ceil(flights.timestamps[flights.count - 1]! / HOUR) * HOUR;
  const middle = start + Math.floor((end - start) / 2 / HOUR) * HOUR;
  return { everything: new TimeInterval(start, end), firstHalf: new TimeInterval(start, middle) };
}

async function exportCsv(flights: Flights): Promise<string> {
  await mkdir(CACHE, { recursive: true });
  const file = path.join(CACHE, `flights-${flights.count}-${flights.timestamps[0]}.csv`);
  const lines = ['timestamp,delay,origin'];
  for (let i = 0; i < flights.count; i++) {
    lines.push(
      `${flights.timestamps[i]},${flights.delay[i]},${flights.airports[flights.origin[i]!]}`,
    );
  }
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

async function ensurePython(): Promise<void> {
  try {
    await access(VENV_PYTHON);
    await execFileAsync(VENV_PYTHON, ['-c', 'import hyperstream']);
  } catch {
    // First run on this machine: install HyperStream (about 10 s from PyPI).
    try {
      await execFileAsync('bash', [path.join(PYTHON_DIR, 'setup.sh')], { cwd: ROOT });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(
        `bench/python/setup.sh failed, Python HyperStream cannot run here: ${e.stderr?.trim() || e.message}`,
        { cause: error },
      );
    }
  }
}

async function runPython(uri: string, csv: string): Promise<PythonReport> {
  try {
    const { stdout } = await execFileAsync(
      VENV_PYTHON,
      [
        path.join(PYTHON_DIR, 'hyperstream_bench.py'),
        '--mongo-uri',
        uri,
        '--data',
        csv,
        '--db',
        `hs_bench_py_${randomUUID().slice(0, 8)}`,
      ],
      { maxBuffer: 16 * 1024 * 1024, timeout: 30 * 60_000 },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!) as PythonReport;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(
      `Python HyperStream failed: ${e.stderr?.trim().split('\n').slice(-5).join(' | ') || e.message}`,
      { cause: error },
    );
  }
}

// --- this engine: the same workflows

interface OurRun {
  readonly engine: Engine;
  readonly ingestMs: number;
}

async function newEngine(flights: Flights, everything: TimeInterval): Promise<OurRun> {
  const engine = await Engine.create();
  const instances: StreamInstance<FlightValue>[] = new Array<StreamInstance<FlightValue>>(
    flights.count,
  );
  const started = performance.now();
  for (let i = 0; i < flights.count; i++) {
    instances[i] = {
      timestamp: flights.timestamps[i]!,
      value: { delay: flights.delay[i]!, origin: flights.airports[flights.origin[i]!]! },
    };
  }
  const memory = engine.channels.get('memory');
  const id = StreamId.of('flights');
  await memory.writeInstances(id, instances);
  await memory.addCalculatedIntervals(id, everything);
  const ingestMs = performance.now() - started;
  const origins = new Set<string>();
  for (let i = 0; i < flights.count; i++) origins.add(flights.airports[flights.origin[i]!]!);
  for (const code of [...origins].sort()) await engine.plates.addMetaData([], 'airport', code);
  await engine.plates.createPlate({ id: 'A', metaKey: 'airport' });
  return { engine, ingestMs };
}

function windowWorkflow(engine: Engine, id: string, width: number): Workflow {
  const w = engine.workflow(id);
  const flights = w.node('flights');
  const means = w.node(`${id}_means`);
  w.factor({
    tool: windowAggregate.create({ width, step: HOUR, stats: 'mean', field: 'delay' }),
    sources: [flights],
    sink: means,
  });
  return w;
}

function plateWorkflow(engine: Engine, id: string): Workflow {
  const w = engine.workflow(id);
  const flights = w.node('flights');
  const byAirport = w.node(`${id}_by_airport`, { plates: ['A'] });
  const airportMeans = w.node(`${id}_airport_means`, { plates: ['A'] });
  const overall = w.node(`${id}_mean_of_airports`);
  w.multiOutputFactor({
    tool: splitter.create({ element: 'origin' }),
    source: flights,
    sink: byAirport,
  });
  w.factor({
    tool: windowAggregate.create({ width: HOUR, stats: 'mean', field: 'delay' }),
    sources: [byAirport],
    sink: airportMeans,
  });
  w.aggregateFactor({
    tool: aggregate.create({ func: { fn: 'mean' } }),
    sources: [airportMeans],
    sink: overall,
  });
  return w;
}

async function summary(engine: Engine, name: string, interval: TimeInterval): Promise<Summary> {
  let count = 0;
  let sum = 0;
  let first: number | null = null;
  let last: number | null = null;
  for await (const { timestamp, value } of engine.channels
    .get('memory')
    .getResults(StreamId.of(name), interval)) {
    if (typeof value !== 'number') continue;
    count++;
    sum += value;
    first ??= timestamp;
    last = timestamp;
  }
  return { count, sum, first, last };
}

async function run(context: BenchContext): Promise<BenchRow[]> {
  const { flights: all } = await loadFlights(context.tiny ? { sample: 10_000 } : {});
  // Tiny: six hours of the sample; otherwise the first week of January.
  const cut = context.tiny ? all.timestamps[0]! + 6 * HOUR : Date.UTC(2001, 0, 1) + 7 * DAY;
  const flights = sliceFlights(all, 0, firstAfter(all.timestamps, cut));
  const { everything, firstHalf } = spans(flights);

  await ensurePython();
  const csv = await exportCsv(flights);
  let server: TestServer | undefined;
  const uri = context.mongoUri ?? (server = await startTestServer()).uri;
  let python: PythonReport;
  try {
    python = await runPython(uri, csv);
  } finally {
    await server?.stop();
  }
  assertSame(python.interval, [everything.start, everything.end], 'interval of the Python run');
  assertSame(python.flights, flights.count, 'flights read by Python');

  const repetitions = context.repetitions;
  const ours: Record<string, number[]> = {};
  const record = (key: string, ms: number): void => void (ours[key] ??= []).push(ms);
  let results: PythonReport['results'] | undefined;
  let streams = 0;
  for (let r = 0; r < repetitions; r++) {
    const { engine, ingestMs } = await newEngine(flights, everything);
    try {
      record('ingestMs', ingestMs);
      for (const [key, width] of [
        ['hourlyMean', HOUR],
        ['dailySlidingMean', DAY],
      ] as const) {
        const w = windowWorkflow(engine, `bench_${key}`, width);
        record(`${key}Ms`, (await time(1, () => w.execute(everything))).medianMs);
      }
      const plates = plateWorkflow(engine, 'bench_plates');
      record('platesMs', (await time(1, () => plates.execute(everything))).medianMs);
      const onRequest = plateWorkflow(engine, 'bench_on_request');
      for (const [key, interval] of [
        ['firstHalf', firstHalf],
        ['whole', everything],
        ['again', everything],
      ] as const) {
        record(`onRequest_${key}Ms`, (await time(1, () => onRequest.execute(interval))).medianMs);
      }
      if (r === 0) {
        results = {
          hourlyMean: await summary(engine, 'bench_hourlyMean_means', everything),
          dailySlidingMean: await summary(engine, 'bench_dailySlidingMean_means', everything),
          plates: await summary(engine, 'bench_plates_mean_of_airports', everything),
          onRequest: await summary(engine, 'bench_on_request_mean_of_airports', everything),
        };
        streams = (await engine.channels.get('memory').findStreams()).filter((s) =>
          s.id.name.startsWith('bench_on_request'),
        ).length;
      }
    } finally {
      await engine.close();
    }
  }
  assertSame(results, python.results, 'results of this engine and of Python HyperStream');

  const median = (key: string): number => {
    const sorted = [...(ours[key] ?? [])].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const days = `${((everything.end - everything.start) / DAY).toFixed(2).replace(/\.?0+$/, '')} d`;
  const n = flights.count;
  const versions = `Python HyperStream ${python.hyperstream} (Python ${python.python}, pymongo ${python.pymongo}, server ${python.server})`;
  const row = (figure: string, key: string, items: number | undefined, note: string): BenchRow => ({
    figure,
    engineMs: median(key),
    baselineMs: python.timings[key],
    items,
    note,
  });
  const againPerStream = median('onRequest_againMs') / Math.max(1, streams);
  return [
    row(`ingest ${n} flights (${days})`, 'ingestMs', n, `baseline: ${versions}, memory channel`),
    row(
      'hourly mean delay (tumbling)',
      'hourlyMeanMs',
      n,
      'baseline: sliding_window + sliding_apply',
    ),
    row(
      '24 h sliding mean, hourly',
      'dailySlidingMeanMs',
      n,
      'baseline: sliding_window + sliding_apply',
    ),
    row(
      `plates: split by ${python.airports} airports, hourly mean, mean across`,
      'platesMs',
      n,
      'baseline: splitter, sliding_apply, aggregate',
    ),
    row('on request: first half', 'onRequest_firstHalfMs', undefined, 'plates workflow, fresh'),
    row('on request: whole (second half computed)', 'onRequest_wholeMs', undefined, ''),
    row(
      'on request: whole again (nothing computed)',
      'onRequest_againMs',
      undefined,
      `ours ${(againPerStream * 1000).toFixed(1)} µs per stream (${streams} streams), HyperStream ${(python.timings.onRequest_againPerStreamMs! * 1000).toFixed(2)} µs per stream (${python.streams})`,
    ),
  ];
}

const scenario: BenchScenario = {
  name: 'flights-python-hyperstream',
  description:
    'scenarios 2–4 on the first week of flights: this engine vs Python HyperStream 0.3.8 (ratio = ours / theirs)',
  run,
};
export default scenario;
