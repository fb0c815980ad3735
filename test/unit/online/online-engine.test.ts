import { describe, expect, it } from 'vitest';
import { MemoryChannel } from '../../../src/channels/memory-channel.js';
import { collect } from '../../../src/internal/async.js';
import { ExecutionAbortedError, InvalidArgumentError } from '../../../src/errors.js';
import type { OnlineStatus, OnlineTarget } from '../../../src/online/online-engine.js';
import { OnlineEngine, virtualSleeper } from '../../../src/online/online-engine.js';
import { everySchedule } from '../../../src/online/schedule.js';
import { VirtualClock } from '../../../src/time/clock.js';
import { RelativeTimeInterval } from '../../../src/time/relative-time-interval.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const S = 1000;
const window = RelativeTimeInterval.parse('-PT60S/-PT10S');

/**
 * A sensor writing one reading per second, and a derived stream computed like the runner does:
 * only the part of the interval not yet calculated, data written first, interval recorded last.
 */
async function sensorPipeline(clock: VirtualClock) {
  const memory = new MemoryChannel();
  const raw = await memory.getOrCreateStream('raw');
  const doubled = await memory.getOrCreateStream('doubled');
  let producedUpTo = T0 - 120 * S;
  const produce = async (): Promise<void> => {
    const readings = [];
    for (let t = producedUpTo + S; t <= clock.now(); t += S)
      readings.push({ timestamp: t, value: t / S });
    if (readings.length) await raw.write(readings);
    producedUpTo = Math.max(producedUpTo, clock.now());
  };
  const executed: TimeInterval[] = [];
  const target: OnlineTarget = {
    id: 'double',
    async execute(interval, { signal }) {
      executed.push(interval);
      const missing = TimeIntervals.of(interval).difference(await doubled.calculatedIntervals());
      for (const piece of missing) {
        if (signal.aborted) throw new ExecutionAbortedError('stopped');
        const out = [];
        for await (const item of raw.window(piece).items()) {
          out.push({ timestamp: item.timestamp, value: (item.value as number) * 2 });
        }
        await doubled.write(out);
        await memory.addCalculatedIntervals(doubled.id, piece);
      }
    },
  };
  const sleep = virtualSleeper(clock);
  return {
    memory,
    raw,
    doubled,
    target,
    executed,
    sleep: async (until: number, signal: AbortSignal) => {
      await sleep(until, signal);
      await produce();
    },
    produce,
  };
}

describe('OnlineEngine', () => {
  it('keeps a workflow fed by an appending source up to date: no gaps, no duplicates', async () => {
    const clock = new VirtualClock(T0);
    const p = await sensorPipeline(clock);
    await p.produce();
    const changes: OnlineStatus[] = [];
    const engine = new OnlineEngine({
      name: 'sensors',
      clock,
      sleep: p.sleep,
      onChange: (status) => {
        changes.push(status);
      },
      workflows: [{ target: p.target, schedule: everySchedule('PT10S'), window, iterations: 360 }],
    });
    expect(await engine.start()).toEqual({
      status: 'SUCCESS',
      message: 'online engine "sensors" started with 1 workflow(s)',
    });
    const final = await engine.finished();
    // An hour of 10 s ticks.
    expect(clock.now()).toBe(T0 + 3600 * S);
    expect(final).toMatchObject({
      name: 'sensors',
      status: 'stopped',
      active: false,
      iterations: 360,
    });
    expect(final.failedPieces).toEqual([]);
    // Each window starts where the previous one ended.
    expect(p.executed).toHaveLength(360);
    for (let i = 1; i < p.executed.length; i++) {
      expect(p.executed[i]!.start).toBe(p.executed[i - 1]!.end);
    }
    const first = p.executed[0]!;
    const last = p.executed.at(-1)!;
    expect(first.toJSON()).toEqual({ start: T0 + 10 * S - 60 * S, end: T0 + 10 * S - 10 * S });
    expect(last.end).toBe(T0 + 3600 * S - 10 * S);
    const calculated = await p.doubled.calculatedIntervals();
    expect(calculated.toJSON()).toEqual([{ start: first.start, end: last.end }]);
    const items = await collect(p.doubled.window(new TimeInterval(first.start, last.end)).items());
    const stamps = items.map((i) => i.timestamp);
    expect(new Set(stamps).size).toBe(stamps.length);
    expect(stamps).toHaveLength((last.end - first.start) / S);
    expect(items.every((i) => i.value === (i.timestamp / S) * 2)).toBe(true);
    // The state was published on start, as every tick began (what it is computing now) and
    // after it, and on stop.
    expect(changes).toHaveLength(722);
    expect(changes[0]!.status).toBe('running');
    expect(changes.at(-1)!.status).toBe('stopped');
    expect(final.workflows[0]).toMatchObject({
      workflow: 'double',
      schedule: 'every 10 s',
      window: '(-60s, -10s]',
      iterations: 360,
      done: true,
    });
  });

  it('recovers a flaky target through retries, waiting as the backoff policy says', async () => {
    const clock = new VirtualClock(T0);
    const attempts: { at: number; interval: string }[] = [];
    let calls = 0;
    const flaky: OnlineTarget = {
      id: 'flaky',
      async execute(interval) {
        attempts.push({ at: clock.now() - T0, interval: interval.toString() });
        calls += 1;
        // Every piece fails twice before it succeeds.
        if (calls % 3 !== 0) throw new Error(`transient ${String(calls)}`);
      },
    };
    const engine = new OnlineEngine({
      clock,
      sleep: virtualSleeper(clock),
      workflows: [
        {
          target: flaky,
          schedule: everySchedule('PT60S'),
          window,
          iterations: 3,
          retry: { policy: 'exponential', delay: 1000, maxRetries: 3 },
        },
      ],
    });
    await engine.start();
    const final = await engine.finished();
    expect(final.failedPieces).toEqual([]);
    expect(final.iterations).toBe(3);
    expect(final.lastError).toBe(
      `flaky ${new TimeInterval(T0 + 110 * S, T0 + 170 * S).toString()}: transient 8`,
    );
    // Tick at 60 s, retries 1 s and 2 s later; the next tick is back on the grid.
    expect(attempts.map((a) => a.at / S)).toEqual([60, 61, 63, 120, 121, 123, 180, 181, 183]);
    expect(new Set(attempts.slice(0, 3).map((a) => a.interval)).size).toBe(1);
  });

  it('reports what it is computing now: the workflow, its window and the last piece done', async () => {
    const clock = new VirtualClock(T0);
    const seen: OnlineStatus['current'][] = [];
    const target: OnlineTarget = {
      id: 'busy',
      async execute(interval, { onPiece }) {
        seen.push(engine.status().current);
        onPiece?.({
          factor: 'clock->ticks',
          plateValue: [['house', '1']],
          interval: interval.toJSON(),
          documents: 7,
        });
        seen.push(engine.status().current);
      },
    };
    const engine = new OnlineEngine({
      clock,
      sleep: virtualSleeper(clock),
      workflows: [{ target, schedule: everySchedule('PT60S'), window, iterations: 1 }],
    });
    await engine.start();
    const final = await engine.finished();
    const windowText = new TimeInterval(T0, T0 + 50 * S).toString(); // tick at 60 s
    expect(seen[0]).toMatchObject({ workflow: 'busy', window: windowText, attempt: 1, pieces: 0 });
    expect(seen[1]).toMatchObject({
      pieces: 1,
      documents: 7,
      lastPiece: { factor: 'clock->ticks', plateValue: 'house=1', interval: windowText },
    });
    expect(final.current).toBeUndefined();
  });

  it('jitters retry delays with the injected random source', async () => {
    const clock = new VirtualClock(T0);
    const attempts: number[] = [];
    const failing: OnlineTarget = {
      id: 'failing',
      async execute() {
        attempts.push((clock.now() - T0) / S);
        throw new Error('down');
      },
    };
    const engine = new OnlineEngine({
      clock,
      sleep: virtualSleeper(clock),
      random: () => 0.5,
      workflows: [
        {
          target: failing,
          schedule: everySchedule('PT60S'),
          window,
          iterations: 1,
          retry: { policy: 'exponential', delay: 4000, maxRetries: 2, jitter: 'full' },
        },
      ],
    });
    await engine.start();
    await engine.finished();
    // Tick at 60 s; full jitter at 0.5 halves the 4 s and 8 s delays.
    expect(attempts).toEqual([60, 62, 66]);
  });

  it('records a permanently failing piece as failed and goes on, while other workflows continue', async () => {
    const clock = new VirtualClock(T0);
    const healthyRuns: TimeInterval[] = [];
    const brokenRuns: TimeInterval[] = [];
    const healthy: OnlineTarget = {
      id: 'healthy',
      async execute(interval) {
        healthyRuns.push(interval);
      },
    };
    const broken: OnlineTarget = {
      id: 'broken',
      async execute(interval) {
        brokenRuns.push(interval);
        throw new Error('source unreachable');
      },
    };
    const engine = new OnlineEngine({
      clock,
      sleep: virtualSleeper(clock),
      workflows: [
        { target: healthy, schedule: everySchedule('PT10S'), window, iterations: 30 },
        {
          target: broken,
          schedule: everySchedule('PT60S'),
          window,
          iterations: 4,
          retry: { policy: 'constant', delay: 5000, maxRetries: 2 },
        },
      ],
    });
    await engine.start();
    const final = await engine.finished();
    expect(final.status).toBe('stopped');
    expect(healthyRuns).toHaveLength(30);
    expect(brokenRuns).toHaveLength(4 * 3);
    expect(final.failedPieces).toHaveLength(4);
    expect(final.failedPieces[0]).toEqual({
      workflow: 'broken',
      interval: { start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:00:50.000Z' },
      attempts: 3,
      error: 'source unreachable',
      failedAt: '2026-01-01T00:01:10.000Z',
    });
    // After giving a piece up, the next window starts at its end: the failed list holds the gap.
    expect(final.failedPieces[1]!.interval.start).toBe(final.failedPieces[0]!.interval.end);
    expect(final.lastError).toMatch(/^broken .*: source unreachable$/);
    expect(final.workflows.map((w) => [w.workflow, w.iterations, w.failures])).toEqual([
      ['healthy', 30, 0],
      ['broken', 4, 4],
    ]);
    // The healthy workflow's windows stayed contiguous while the other one was retrying.
    for (let i = 1; i < healthyRuns.length; i++) {
      expect(healthyRuns[i]!.start).toBe(healthyRuns[i - 1]!.end);
    }
  });

  it('stops during a long piece: abandons it after the timeout and records nothing partial', async () => {
    const clock = new VirtualClock(T0);
    const memory = new MemoryChannel();
    const sink = await memory.getOrCreateStream('slow');
    let started!: () => void;
    const pieceStarted = new Promise<void>((resolve) => (started = resolve));
    const slow: OnlineTarget = {
      id: 'slow',
      async execute(interval, { signal }) {
        // Half of the piece is written, then the tool keeps working until stopped.
        await sink.write([{ timestamp: interval.start + 1, value: 'partial' }]);
        started();
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        throw new ExecutionAbortedError('stopped during the piece');
      },
    };
    const engine = new OnlineEngine({
      clock,
      sleep: virtualSleeper(clock),
      workflows: [{ target: slow, schedule: everySchedule('PT10S'), window }],
    });
    await engine.start();
    await pieceStarted;
    const result = await engine.stop({ timeout: 50 });
    expect(result).toEqual({ status: 'SUCCESS', message: 'online engine "default" stopped' });
    const status = engine.status();
    expect(status.status).toBe('stopped');
    expect(status.iterations).toBe(0);
    expect(status.failedPieces).toEqual([]);
    expect((await sink.calculatedIntervals()).isEmpty).toBe(true);
  });

  it('lets the current piece finish when it does so within the stop timeout', async () => {
    const clock = new VirtualClock(T0);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const pieceStarted = new Promise<void>((resolve) => (started = resolve));
    const done: TimeInterval[] = [];
    const target: OnlineTarget = {
      id: 'finishing',
      async execute(interval, { signal }) {
        started();
        await gate;
        expect(signal.aborted).toBe(false);
        done.push(interval);
      },
    };
    const engine = new OnlineEngine({
      clock,
      sleep: virtualSleeper(clock),
      workflows: [{ target, schedule: everySchedule('PT10S'), window }],
    });
    await engine.start();
    await pieceStarted;
    const stopping = engine.stop({ timeout: 5000 });
    setTimeout(release, 20);
    expect((await stopping).status).toBe('SUCCESS');
    expect(done).toHaveLength(1);
    expect(engine.status().iterations).toBe(1);
  });

  it('answers start, stop and restart with SUCCESS or ERROR', async () => {
    const clock = new VirtualClock(T0);
    const runs: TimeInterval[] = [];
    const target: OnlineTarget = {
      id: 'w',
      async execute(interval) {
        runs.push(interval);
      },
    };
    // Real timers on a 1 h schedule: it waits, so start/stop happen between ticks.
    const engine = new OnlineEngine({
      clock,
      workflows: [{ target, schedule: everySchedule('PT1H'), window, resumeFrom: T0 - 3600 * S }],
    });
    expect((await engine.stop()).status).toBe('ERROR');
    expect((await engine.start()).status).toBe('SUCCESS');
    expect(await engine.start()).toEqual({
      status: 'ERROR',
      message: 'online engine "default" is already running',
    });
    expect(engine.status()).toMatchObject({ active: true, status: 'running', pid: process.pid });
    expect(engine.status().workflows[0]!.nextRun).toBe('2026-01-01T01:00:00.000Z');
    expect(await engine.restart({ timeout: 100 })).toEqual({
      status: 'SUCCESS',
      message: 'online engine "default" restarted',
    });
    expect(engine.status().active).toBe(true);
    expect((await engine.stop()).status).toBe('SUCCESS');
    expect(engine.status()).toMatchObject({ active: false, status: 'stopped' });
    expect(runs).toEqual([]);
    expect(engine.status().memory.rss).toBeGreaterThan(0);
  });

  it('starts its first window where a previous run left off', async () => {
    const clock = new VirtualClock(T0);
    const runs: TimeInterval[] = [];
    const engine = new OnlineEngine({
      clock,
      sleep: virtualSleeper(clock),
      workflows: [
        {
          target: { id: 'r', execute: async (i) => void runs.push(i) },
          schedule: everySchedule('PT10S'),
          window,
          iterations: 2,
          resumeFrom: T0 - 3600 * S,
        },
      ],
    });
    await engine.start();
    await engine.finished();
    expect(runs.map((r) => r.toJSON())).toEqual([
      { start: T0 - 3600 * S, end: T0 },
      { start: T0, end: T0 + 10 * S },
    ]);
  });

  it('reports itself failed when its own machinery breaks, and rejects bad options', async () => {
    const clock = new VirtualClock(T0);
    const engine = new OnlineEngine({
      clock,
      sleep: virtualSleeper(clock),
      workflows: [
        {
          target: { id: 'x', execute: async () => undefined },
          schedule: {
            description: 'broken',
            next: (after) => {
              if (after > T0) throw new Error('schedule exploded');
              return after + S;
            },
          },
          window,
        },
      ],
    });
    await engine.start();
    const final = await engine.finished();
    expect(final).toMatchObject({
      status: 'failed',
      active: false,
      lastError: 'schedule exploded',
    });
    const target = { id: 'twice', execute: async () => undefined };
    const w = { target, schedule: everySchedule(S), window };
    expect(() => new OnlineEngine({ workflows: [w, w] })).toThrow(InvalidArgumentError);
    expect(() => new OnlineEngine({ workflows: [{ ...w, iterations: 0 }] })).toThrow(
      /iterations must be 1 or more/,
    );
  });
});
