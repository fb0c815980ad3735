// Scenario 3: the 3,000,000 flights split by origin airport into a plate (one stream per airport),
// the hourly mean delay per airport, then the mean across airports — a workflow of splitter,
// window_aggregate and aggregate — against a hand-written loop with a Map per airport.

import { flightInstances, flightsBatch, loadFlights } from '../data/flights.js';
import {
  CpuMeter,
  countLabel,
  cpuNote,
  airportMeansLoop,
  flightsEngine,
  hourSpan,
  memorySeries,
  originAirports,
  plateSinkStreams,
  plateWorkflow,
} from '../data/flights-workflows.js';
import { collectGarbage } from '../data/gc.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { assertSame, time } from '../harness.js';
import type { Engine } from '../../src/engine/engine.js';

async function run(context: BenchContext): Promise<BenchRow[]> {
  const { flights } = await loadFlights(context.tiny ? { sample: 10_000 } : {});
  const instances = flightInstances(flights);
  const columns = flightsBatch(flights);
  const span = hourSpan(flights);
  const airports = originAirports(flights);
  const n = flights.count;
  const expected = airportMeansLoop(instances, span);

  let engine: Engine | undefined;
  let runs = 0;
  const engineCpu = new CpuMeter();
  const baselineCpu = new CpuMeter();
  const workflow = await time(
    context.repetitions,
    engineCpu.wrap(async () => {
      const id = `plates_${runs++}`;
      await plateWorkflow(engine!, id).execute(span);
      return id;
    }),
    {
      // A fresh engine each time: a second execute of the same interval would compute nothing.
      setup: async () => {
        await engine?.close();
        engine = undefined;
        collectGarbage();
        engine = await flightsEngine(columns, span, airports);
        collectGarbage();
      },
    },
  );
  // The harness's check is synchronous: compare the last run's output once timing is done.
  assertSame(
    await memorySeries(engine!, `plates_${runs - 1}_mean_of_airports`, span),
    expected,
    'hourly mean across airports of the workflow',
  );
  const streams = (await engine!.channels.get('memory').findStreams()).filter((s) =>
    s.id.name.startsWith(`plates_${runs - 1}_`),
  ).length;
  assertSame(streams, plateSinkStreams(airports.length), 'sink streams of the plate workflow');
  await engine?.close();

  const baseline = await time(
    context.repetitions,
    baselineCpu.wrap(() => airportMeansLoop(instances, span)),
    {
      setup: collectGarbage,
      check: (series) => assertSame(series, expected, 'hourly mean across airports of the loop'),
    },
  );
  return [
    {
      figure: `${countLabel(n)} flights → ${airports.length} airports, hourly mean each, mean across`,
      engineMs: workflow.medianMs,
      baselineMs: baseline.medianMs,
      items: n,
      note: `${cpuNote(engineCpu, baselineCpu)}; ${expected.length} hourly means checked equal; ${streams} sink streams; engine: splitter → window_aggregate → aggregate on memory streams; baseline: a loop with a Map of hours per airport`,
    },
  ];
}

const scenario: BenchScenario = {
  name: 'flights-plates',
  description:
    'the 3M flights split onto an airport plate, hourly mean per airport, mean across, vs a hand-written loop',
  run,
};
export default scenario;
