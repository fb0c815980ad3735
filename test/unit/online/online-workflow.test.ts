// The online engine driving real workflows of the engine (memory channels, virtual clock).
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { collect } from '../../../src/internal/async.js';
import { OnlineEngine, virtualSleeper } from '../../../src/online/online-engine.js';
import { everySchedule } from '../../../src/online/schedule.js';
import { VirtualClock } from '../../../src/time/clock.js';
import { RelativeTimeInterval } from '../../../src/time/relative-time-interval.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { defineTool } from '../../../src/tools/tool.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const S = 1000;
const window = RelativeTimeInterval.parse('-PT60S/-PT10S');

/** Doubles its source; `behaviour` decides per call whether it fails or hangs until stopped. */
function doubler(
  behaviour: (call: number, signal: AbortSignal) => Promise<void> = async () => undefined,
) {
  let calls = 0;
  return defineTool({
    name: 'double',
    version: '1.0.0',
    kind: 'tool',
    description: 'doubles',
    params: z.strictObject({}),
    async *execute({ sources, signal }) {
      await behaviour(++calls, signal);
      for await (const { timestamp, value } of sources[0]!.view)
        yield { timestamp, value: (value as number) * 2 };
    },
  });
}

async function setup(tool: ReturnType<typeof doubler>) {
  const clock = new VirtualClock(T0);
  const engine = await Engine.create({ clock, tools: [tool] });
  const w = engine.workflow('sensor');
  const raw = w.node('raw');
  const doubled = w.node('doubled');
  w.factor({ tool: tool.create({}), sources: [raw], sink: doubled });
  const memory = engine.channels.get('memory');
  let producedUpTo = T0 - 120 * S;
  // The sensor appends one reading per second as time passes.
  const produce = async (): Promise<void> => {
    const readings = [];
    for (let t = producedUpTo + S; t <= clock.now(); t += S)
      readings.push({ timestamp: t, value: t / S });
    if (readings.length) await memory.writeInstances('raw', readings);
    producedUpTo = Math.max(producedUpTo, clock.now());
  };
  await memory.getOrCreateStream('raw');
  await produce();
  const sleep = virtualSleeper(clock);
  return {
    engine,
    workflow: w,
    memory,
    clock,
    sleep: async (until: number, signal: AbortSignal) => {
      await sleep(until, signal);
      await produce();
    },
  };
}

describe('OnlineEngine with engine workflows', () => {
  it('keeps a workflow fed by an appending source up to date for an hour of ticks', async () => {
    const s = await setup(doubler());
    const online = new OnlineEngine({
      clock: s.clock,
      sleep: s.sleep,
      workflows: [
        { target: s.workflow, schedule: everySchedule('PT10S'), window, iterations: 360 },
      ],
    });
    await online.start();
    const final = await online.finished();
    expect(final).toMatchObject({ status: 'stopped', iterations: 360, failedPieces: [] });
    const first = T0 + 10 * S - 60 * S;
    const last = T0 + 3600 * S - 10 * S;
    expect((await s.memory.getCalculatedIntervals('doubled')).toJSON()).toEqual([
      { start: first, end: last },
    ]);
    const items = await collect(s.memory.getResults('doubled', new TimeInterval(first, last)));
    const stamps = items.map((i) => i.timestamp);
    expect(stamps).toHaveLength((last - first) / S);
    expect(new Set(stamps).size).toBe(stamps.length);
    expect(items.every((i) => i.value === (i.timestamp / S) * 2)).toBe(true);
    expect(await s.engine.sessions.list({ limit: 1000 })).toHaveLength(360);
    await s.engine.close();
  });

  it('recovers a flaky tool through retries, leaving no gap', async () => {
    // Calls 2 and 3 fail: the second tick needs two retries.
    const s = await setup(
      doubler(async (call) => {
        if (call === 2 || call === 3) throw new Error(`flake ${String(call)}`);
      }),
    );
    const online = new OnlineEngine({
      clock: s.clock,
      sleep: s.sleep,
      workflows: [
        {
          target: s.workflow,
          schedule: everySchedule('PT10S'),
          window,
          iterations: 5,
          retry: { policy: 'linear', delay: 2000, maxRetries: 2 },
        },
      ],
    });
    await online.start();
    const final = await online.finished();
    expect(final.failedPieces).toEqual([]);
    expect(final.lastError).toContain('flake 3');
    expect((await s.memory.getCalculatedIntervals('doubled')).toJSON()).toEqual([
      { start: T0 - 50 * S, end: T0 + 40 * S },
    ]);
    const statuses = (await s.engine.sessions.list({ limit: 100 })).map((x) => x.status).sort();
    expect(statuses).toEqual([
      'completed',
      'completed',
      'completed',
      'completed',
      'completed',
      'failed',
      'failed',
    ]);
    await s.engine.close();
  });

  it('abandons a long piece on stop without recording it', async () => {
    let started!: () => void;
    const underway = new Promise<void>((resolve) => (started = resolve));
    const s = await setup(
      doubler(async (call, signal) => {
        if (call < 3) return;
        started();
        // Like the built-in tools: stop with an error when the run is stopped.
        await new Promise<void>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new Error('stopped'))),
        );
      }),
    );
    const online = new OnlineEngine({
      clock: s.clock,
      sleep: s.sleep,
      workflows: [{ target: s.workflow, schedule: everySchedule('PT10S'), window }],
    });
    await online.start();
    await underway;
    expect((await online.stop({ timeout: 20 })).status).toBe('SUCCESS');
    const status = online.status();
    expect(status).toMatchObject({ status: 'stopped', iterations: 2, failedPieces: [] });
    // Only the two finished ticks are calculated; the abandoned third is not, and nothing of it was written.
    expect((await s.memory.getCalculatedIntervals('doubled')).toJSON()).toEqual([
      { start: T0 - 50 * S, end: T0 + 10 * S },
    ]);
    expect(await s.memory.count('doubled', new TimeInterval(T0 + 10 * S, T0 + 60 * S))).toBe(0);
    const sessions = await s.engine.sessions.list({ limit: 10 });
    expect(sessions[0]!.status).toBe('aborted');
    await s.engine.close();
  });
});
