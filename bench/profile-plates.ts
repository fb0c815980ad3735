// Profiles the airport plate workflow on the 3M flights (the plates figure of flights-columnar):
//   npx tsx bench/profile-plates.ts [runs] [out.cpuprofile]
// Each run is a fresh engine (made untimed and unprofiled), then plateWorkflow.execute over every
// hour of the flights, profiled by the V8 sampling profiler (open the file in Chrome DevTools).
// Prints each run's time and, over the profiled runs, the garbage collector's share and the top
// frames by self time.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { flightsBatch, loadFlights } from './data/flights.js';
import {
  flightsEngine,
  hourSpan,
  originAirports,
  plateWorkflow,
} from './data/flights-workflows.js';
import { collectGarbage } from './data/gc.js';
import { pause } from './harness.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}
interface Profile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

const runs = Number(process.argv[2] ?? 3);
const out = process.argv[3] ?? 'plates.cpuprofile';
const { flights } = await loadFlights();
const columns = flightsBatch(flights);
const span = hourSpan(flights);
const airports = originAirports(flights);
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
const selfTime = new Map<string, number>();
let total = 0;
let last: Profile | undefined;
for (let r = 0; r < runs; r++) {
  const engine = await flightsEngine(columns, span, airports);
  collectGarbage();
  await pause();
  await session.post('Profiler.start');
  const started = performance.now();
  await plateWorkflow(engine, 'p').execute(span);
  const ms = performance.now() - started;
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  console.log(`plates run ${r + 1}: ${ms.toFixed(0)} ms`);
  last = profile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  // Samples inside the call that stops the profiler are the profiler's, not the workflow's.
  const profiler = new Set<number>();
  const mark = (id: number): void => {
    profiler.add(id);
    for (const child of profile.nodes.find((node) => node.id === id)?.children ?? []) mark(child);
  };
  for (const node of profile.nodes) {
    if (node.callFrame.functionName === 'post' && node.callFrame.url.includes('inspector'))
      mark(node.id);
  }
  for (let i = 0; i < profile.samples.length; i++) {
    if (profiler.has(profile.samples[i]!)) continue;
    const frame = frames.get(profile.samples[i]!)!;
    const file = frame.url.split('/').at(-1) ?? '';
    const key = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    const dt = profile.timeDeltas[i]! / 1000;
    selfTime.set(key, (selfTime.get(key) ?? 0) + dt);
    total += dt;
  }
  await engine.close();
}
if (last) await writeFile(out, JSON.stringify(last));
const share = (ms: number): string => `${((100 * ms) / total).toFixed(1)}%`;
console.log(
  `profiled ${total.toFixed(0)} ms; garbage collector ${share(selfTime.get('(garbage collector) :0') ?? 0)}`,
);
for (const [key, ms] of [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`${share(ms).padStart(6)} ${ms.toFixed(0).padStart(6)} ms  ${key}`);
session.disconnect();
