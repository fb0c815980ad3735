// The web view's plot of the 3,000,000 flights (memory channel): the `GET /api/stream/values`
// handler (min/max per pixel over the window's column batches) against the same pass over the
// window's instance objects, and `view.toColumns()` against `view.toArray()`, interleaved.

import { collectGarbage } from '../data/gc.js';
import { flightInstances, loadFlights } from '../data/flights.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { assertSame, time } from '../harness.js';
import type { Channel } from '../../src/channels/channel.js';
import { Engine } from '../../src/engine/engine.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import { streamValues } from '../../src/ui/api.js';

const WIDTH = 800;

interface Extremes {
  readonly numeric: number;
  readonly min: number;
  readonly max: number;
}

/**
 * The baseline: the plot's pass over instance objects (what the handler did before it read
 * columns), min and max of `value.delay` per pixel bucket.
 */
async function instancePass(channel: Channel, window: TimeInterval): Promise<Extremes> {
  const minV = new Float64Array(WIDTH).fill(Infinity);
  const maxV = new Float64Array(WIDTH).fill(-Infinity);
  const scale = WIDTH / (window.end - window.start);
  let numeric = 0;
  let min = Infinity;
  let max = -Infinity;
  for await (const batch of channel.readBatches('flights', window, { batchSize: 16_384 })) {
    for (const { timestamp, value } of batch) {
      const y = (value as { delay: unknown }).delay;
      if (typeof y !== 'number' || !Number.isFinite(y)) continue;
      numeric++;
      if (y < min) min = y;
      if (y > max) max = y;
      const b = Math.min(WIDTH - 1, Math.floor((timestamp - window.start) * scale));
      if (y < minV[b]!) minV[b] = y;
      if (y > maxV[b]!) maxV[b] = y;
    }
  }
  return { numeric, min, max };
}

async function run(context: BenchContext): Promise<BenchRow[]> {
  const { flights } = await loadFlights(context.tiny ? { sample: 10_000 } : {});
  const all = flightInstances(flights);
  const n = all.length;
  const engine = await Engine.create();
  try {
    const channel = engine.channels.get('memory');
    for (let i = 0; i < n; i += 200_000)
      await channel.writeInstances('flights', all.slice(i, i + 200_000));
    const window = new TimeInterval(all[0]!.timestamp - 1, all[n - 1]!.timestamp);
    const query = new URLSearchParams({
      channel: 'memory',
      stream: 'flights',
      field: 'delay',
      width: String(WIDTH),
    });
    const view = (await channel.getStream('flights')).window(window);
    const rows: BenchRow[] = [];
    const options = { setup: collectGarbage };

    // Interleaved: each sample of the engine is followed by one of its baseline.
    const handler: number[] = [];
    const instances: number[] = [];
    const toColumns: number[] = [];
    const toArray: number[] = [];
    let expected: Extremes | undefined;
    for (let r = 0; r < Math.max(1, context.repetitions); r++) {
      const plotted = await time(1, async () => await streamValues(engine, query), options);
      handler.push(plotted.medianMs);
      const passed = await time(1, async () => await instancePass(channel, window), {
        ...options,
        check: (extremes) => (expected = extremes),
      });
      instances.push(passed.medianMs);
      const columns = await time(1, async () => await view.toColumns(), {
        ...options,
        check: (c) => assertSame(c.timestamps.length, n, 'toColumns rows'),
      });
      toColumns.push(columns.medianMs);
      const array = await time(1, async () => await view.toArray(), {
        ...options,
        check: (a) => assertSame(a.length, n, 'toArray rows'),
      });
      toArray.push(array.medianMs);
    }
    const values = await streamValues(engine, query);
    assertSame(
      { numeric: values.numeric, min: values.min, max: values.max },
      expected,
      'plotted extremes',
    );
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    rows.push(
      {
        figure: `plot: /api/stream/values, ${String(n)} flights, delay, ${String(WIDTH)} px`,
        engineMs: median(handler),
        baselineMs: median(instances),
        items: n,
        note: `baseline: the same min/max pass over instance objects; ${String(values.timestamps.length)} points sent`,
      },
      {
        figure: `view.toColumns(), ${String(n)} flights (4 fields)`,
        engineMs: median(toColumns),
        baselineMs: median(toArray),
        items: n,
        note: 'baseline: view.toArray() of the same window',
      },
    );
    return rows;
  } finally {
    await engine.close();
  }
}

const scenario: BenchScenario = {
  name: 'flights-plot',
  description:
    "The web view's plot of the 3M flights (min/max per pixel over column batches) vs the same pass over instances; toColumns vs toArray",
  run,
};
export default scenario;
