// A sliding-window mean over 1,000,000 in-memory instances through the window_aggregate tool, next
// to a hand-written loop over plain arrays computing the same windows in the same run.
import { MemoryChannel } from '../../src/channels/memory-channel.js';
import { StreamId } from '../../src/streams/stream-id.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import { StreamView } from '../../src/channels/stream-view.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import { flattenOutputs } from '../../src/tools/tool.js';
import windowAggregate from '../../tools/window_aggregate/2026-11-22_v1.0.0.js';
import type { BenchRow, BenchScenario } from '../harness.js';
import { assertSame, peakRssMiB, time } from '../harness.js';

const SECOND = 1000;
const WIDTH = 60 * SECOND;

/** Window ends and means, as both sides produce them. */
interface Means {
  readonly ends: Float64Array;
  readonly means: Float64Array;
}

/** The obvious fast loop: two pointers over sorted arrays and a running sum. */
function handWritten(
  times: Float64Array,
  values: Float64Array,
  interval: TimeInterval,
  step: number,
): Means {
  const ends: number[] = [];
  const means: number[] = [];
  let lo = 0;
  let hi = 0;
  let sum = 0;
  for (
    let end = Math.floor(interval.start / step) * step + step;
    end <= interval.end;
    end += step
  ) {
    while (hi < times.length && times[hi]! <= end) sum += values[hi++]!;
    while (lo < hi && times[lo]! <= end - WIDTH) sum -= values[lo++]!;
    if (hi > lo) {
      ends.push(end);
      means.push(sum / (hi - lo));
    }
  }
  return { ends: Float64Array.from(ends), means: Float64Array.from(means) };
}

async function throughTool(
  channel: MemoryChannel,
  id: StreamId,
  interval: TimeInterval,
  step: number,
): Promise<Means> {
  const tool = windowAggregate.create({ width: WIDTH, step, stats: 'mean' });
  const view = new StreamView(channel, id, tool.sourceInterval(interval));
  const ends: number[] = [];
  const means: number[] = [];
  const output = tool.execute({
    params: tool.params,
    interval,
    signal: new AbortController().signal,
    sources: [{ id, view }],
    alignment: undefined,
    sink: StreamId.of('bench_sliding_mean'),
    sourceWindow: (_index, window) => Promise.resolve(new StreamView(channel, id, window)),
  });
  for await (const { timestamp, value } of flattenOutputs(output)) {
    ends.push(timestamp);
    means.push(value as number);
  }
  return { ends: Float64Array.from(ends), means: Float64Array.from(means) };
}

const scenario: BenchScenario = {
  name: 'sliding-window',
  description:
    'window_aggregate sliding mean (60 s window, 1 s step) over in-memory instances vs a hand-written loop',
  async run(context): Promise<BenchRow[]> {
    const n = context.tiny ? 1000 : 1_000_000;
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    const instances: StreamInstance[] = new Array<StreamInstance>(n);
    // One reading per second with a few gaps, values from a fixed linear congruential sequence.
    let seed = 12345;
    let t = 0;
    for (let i = 0; i < n; i++) {
      t += i % 997 === 0 ? 5 * SECOND : SECOND;
      seed = (seed * 1103515245 + 12345) % 2147483648;
      times[i] = t;
      values[i] = seed / 2147483648;
      instances[i] = { timestamp: t, value: values[i] };
    }
    const channel = new MemoryChannel('bench-sliding-window');
    const id = StreamId.of('bench_readings');
    await channel.getOrCreateStream(id);
    await channel.writeInstances(id, instances);
    const interval = new TimeInterval(0, t);

    const perSecond = (ms: number): string => `${(n / ms / 1000).toFixed(2)} M instances/s`;
    const rows: BenchRow[] = [];
    // A step of 1 s gives one window (one yielded instance) per input; 10 s is a common dashboard setting.
    for (const step of [SECOND, 10 * SECOND]) {
      const expected = handWritten(times, values, interval, step);
      const check = (result: Means): void => {
        assertSame(Array.from(result.ends), Array.from(expected.ends), 'window ends');
        assertSame(Array.from(result.means), Array.from(expected.means), 'window means');
      };
      const engine = await time(
        context.repetitions,
        () => throughTool(channel, id, interval, step),
        { check },
      );
      const baseline = await time(context.repetitions, () =>
        handWritten(times, values, interval, step),
      );
      rows.push({
        figure: `window_aggregate mean, 60 s window, ${step / SECOND} s step, ${n.toLocaleString('en')} instances`,
        engineMs: engine.medianMs,
        baselineMs: baseline.medianMs,
        items: n,
        note:
          `tool ${perSecond(engine.medianMs)} (reads the memory channel in batches, yields ${expected.ends.length.toLocaleString('en')} windows); ` +
          `hand-written loop over plain arrays ${perSecond(baseline.medianMs)}; ratio ${(engine.medianMs / baseline.medianMs).toFixed(1)}×; ` +
          `peak RSS ${peakRssMiB().toFixed(0)} MiB`,
      });
    }
    await channel.close();
    return rows;
  },
};

export default scenario;
