// Scenario 2: hourly mean delay over all 3,000,000 flights (tumbling) and a 24-hour sliding mean
// advanced hourly, each a workflow with window_aggregate over the flights in a memory stream,
// against a hand-written single-pass loop over the same instances producing identical numbers.

import { flightInstances, flightsBatch, loadFlights } from '../data/flights.js';
import {
  CpuMeter,
  DAY,
  cpuNote,
  countLabel,
  HOUR,
  flightsEngine,
  hourSpan,
  memorySeries,
  windowMeansLoop,
  windowWorkflow,
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
  const n = flights.count;
  const rows: BenchRow[] = [];

  for (const [label, width] of [
    ['hourly mean delay (tumbling 1 h)', HOUR],
    ['24 h sliding mean delay, advanced hourly', DAY],
  ] as const) {
    const expected = windowMeansLoop(instances, span, width, HOUR);
    let engine: Engine | undefined;
    let runs = 0;
    const engineCpu = new CpuMeter();
    const baselineCpu = new CpuMeter();
    const workflow = await time(
      context.repetitions,
      engineCpu.wrap(async () => {
        const id = `windowed_${runs++}`;
        await windowWorkflow(engine!, id, { width, step: HOUR }).execute(span);
        return id;
      }),
      {
        // A fresh engine each time: a second execute of the same interval would compute nothing.
        setup: async () => {
          await engine?.close();
          engine = undefined;
          collectGarbage();
          engine = await flightsEngine(columns, span);
          collectGarbage();
        },
      },
    );
    // The harness's check is synchronous: compare the last run's output once timing is done.
    assertSame(
      await memorySeries(engine!, `windowed_${runs - 1}_means`, span),
      expected,
      `${label} of the workflow`,
    );
    await engine?.close();
    const baseline = await time(
      context.repetitions,
      baselineCpu.wrap(() => windowMeansLoop(instances, span, width, HOUR)),
      {
        setup: collectGarbage,
        check: (series) => assertSame(series, expected, `${label} of the loop`),
      },
    );
    rows.push({
      figure: `${label}, ${countLabel(n)} flights`,
      engineMs: workflow.medianMs,
      baselineMs: baseline.medianMs,
      items: n,
      note: `${cpuNote(engineCpu, baselineCpu)}; ${expected.length} window means checked equal; engine: workflow.execute (window_aggregate on a memory stream); baseline: a single-pass loop over the same instance objects`,
    });
  }
  return rows;
}

const scenario: BenchScenario = {
  name: 'flights-windowed',
  description:
    'hourly and 24 h sliding mean delay of the 3M flights through window_aggregate, vs a hand-written loop',
  run,
};
export default scenario;
