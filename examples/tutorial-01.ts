// Tutorial 1 (HyperStream's introduction): an hourly clock computed over two disjoint intervals;
// windows read across the gap, and the stream remembers exactly what it has computed.
// Run: npx tsx examples/tutorial-01.ts
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { StreamInstance, TimeIntervals } from '../src/index.js';
import {
  Engine,
  StreamId,
  TimeInterval,
  ToolChannel,
  VirtualClock,
  formatTimestamp,
} from '../src/index.js';

const HOUR = 3_600_000;
/** The built-in tools, loaded from disk as plugins are. */
export const TOOLS = fileURLToPath(new URL('../tools/', import.meta.url));

export interface Tutorial1Result {
  readonly first: TimeInterval;
  readonly second: TimeInterval;
  readonly afterFirst: TimeIntervals;
  readonly afterSecond: TimeIntervals;
  readonly firstWindow: StreamInstance[];
  readonly firstFiveHours: StreamInstance[];
  readonly acrossTheGap: StreamInstance[];
}

export async function tutorial1(): Promise<Tutorial1Result> {
  // "Now" as when the notebook ran; a virtual clock keeps the output reproducible.
  const now = Date.parse('2017-07-21T16:00:37.904Z');
  const engine = await Engine.create({
    clock: new VirtualClock(now),
    tools: new ToolChannel({ path: TOOLS }),
  });
  try {
    const clock = await engine.tool('clock', 'tool');
    const w = engine.workflow('tutorial_01', {
      owner: 'tutorials',
      description: 'an hourly clock',
    });
    const ticks = w.node('clock_stream', { channel: 'memory' });
    w.factor({ tool: clock.create({ stride: 'PT1H' }), sink: ticks });
    const memory = engine.channels.get('memory');
    const stream = await memory.getOrCreateStream(StreamId.of('clock_stream'));

    // Ten hours starting "yesterday now".
    const first = new TimeInterval(now - 24 * HOUR, now - 14 * HOUR);
    await w.execute(first);
    const afterFirst = await stream.calculatedIntervals();
    const firstWindow = await stream.window(first).toArray();
    const firstFiveHours = await stream
      .window(new TimeInterval(first.start, first.start + 5 * HOUR))
      .toArray();

    // The last five hours: a second, disjoint interval; nothing in between is computed.
    const second = new TimeInterval(now - 5 * HOUR, now);
    await w.execute(second);
    const afterSecond = await stream.calculatedIntervals();
    const acrossTheGap = await stream.window(new TimeInterval(first.start, second.end)).toArray();
    return { first, second, afterFirst, afterSecond, firstWindow, firstFiveHours, acrossTheGap };
  } finally {
    await engine.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await tutorial1();
  const show = (items: StreamInstance[]): string =>
    items
      .map((i) => `  ${formatTimestamp(i.timestamp)} → ${formatTimestamp(i.value as number)}`)
      .join('\n');
  console.log(`calculated after the first execute: ${result.afterFirst.toString()}`);
  console.log(
    `window ${result.first.toString()}: ${result.firstWindow.length} ticks\n${show(result.firstWindow)}`,
  );
  console.log(`first five hours: ${result.firstFiveHours.length} ticks`);
  console.log(`calculated after the second execute: ${result.afterSecond.toString()}`);
  console.log(
    `window across the gap: ${result.acrossTheGap.length} ticks\n${show(result.acrossTheGap)}`,
  );
}
