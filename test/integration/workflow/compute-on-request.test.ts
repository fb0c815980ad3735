import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ReadOnlyMemoryChannel } from '../../../src/channels/read-only-memory-channel.js';
import { defineTool } from '../../../src/tools/tool.js';
import {
  ExecutionAbortedError,
  ToolExecutionError,
  WorkflowExecutionError,
} from '../../../src/errors.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';
import { calls, resetCalls, scale, ticker } from '../../helpers/workflow-tools.js';
import { H, iv, enginePerTest } from '../../helpers/engine-per-test.js';

const engine = enginePerTest();

async function values(name: string, interval = iv(0, 1000)): Promise<[number, unknown][]> {
  const memory = engine().channels.get('memory');
  const out: [number, unknown][] = [];
  for await (const item of memory.getResults(StreamId.of(name), interval))
    out.push([item.timestamp / H, item.value]);
  return out;
}

function chain(options: { failFrom?: number; failTo?: number; lookback?: number } = {}) {
  const w = engine().workflow('chain');
  const ticks = w.node('ticks');
  const scaled = w.node('scaled');
  w.factor({
    tool: ticker.create({
      stride: H,
      ...(options.failFrom !== undefined ? { failFrom: options.failFrom * H } : {}),
      ...(options.failTo !== undefined ? { failTo: options.failTo * H } : {}),
    }),
    sink: ticks,
  });
  w.factor({
    tool: scale.create({ factor: 2, lookback: (options.lookback ?? 0) * H }),
    sources: [ticks],
    sink: scaled,
  });
  return { w, ticks, scaled };
}

describe('compute on request', () => {
  it('computes once: a second execute of the same interval calls no tool', async () => {
    const { w } = chain();
    const first = await w.execute(iv(0, 10));
    expect(calls).toMatchObject({ ticker: 1, scale: 1 });
    expect(first.status).toBe('completed');
    expect(first.factors.map((f) => [f.factor, f.documents])).toEqual([
      ['test_ticker->ticks', 10],
      ['test_scale->scaled', 10],
    ]);
    const second = await w.execute(iv(0, 10));
    expect(calls).toMatchObject({ ticker: 1, scale: 1 });
    expect(second.pieces).toEqual([]);
    expect((await values('scaled')).map(([t, v]) => [t, v])).toEqual(
      Array.from({ length: 10 }, (_, i) => [i + 1, 2 * (i + 1) * H]),
    );
  });

  it('computes only the difference for a larger interval', async () => {
    const { w } = chain();
    await w.execute(iv(0, 10));
    const session = await w.execute(iv(5, 20));
    expect(
      session.pieces.map((p) => [p.factor, p.interval.start / H, p.interval.end / H, p.documents]),
    ).toEqual([
      ['test_ticker->ticks', 10, 20, 10],
      ['test_scale->scaled', 10, 20, 10],
    ]);
    const calculated = await engine()
      .channels.get('memory')
      .getCalculatedIntervals(StreamId.of('scaled'));
    expect(calculated.equals(TimeIntervals.of(iv(0, 20)))).toBe(true);
    expect(await values('scaled')).toHaveLength(20);
  });

  it('recomputes after a purge, and only the purged part', async () => {
    const { w, scaled } = chain();
    await w.execute(iv(0, 10));
    const dry = await w.purge({ node: scaled }, { interval: iv(3, 6), dryRun: true });
    expect(dry.streams).toEqual([
      {
        node: 'scaled',
        stream: 'scaled',
        channel: 'memory',
        documents: 3,
        intervals: [iv(3, 6).toJSON()],
      },
    ]);
    expect(await values('scaled')).toHaveLength(10);
    await w.purge({ node: scaled }, { interval: iv(3, 6) });
    expect(await values('scaled')).toHaveLength(7);
    resetCalls();
    const session = await w.execute(iv(0, 10));
    expect(calls).toMatchObject({ ticker: 0, scale: 1 });
    expect(session.pieces.map((p) => [p.interval.start / H, p.interval.end / H])).toEqual([[3, 6]]);
    expect(await values('scaled')).toHaveLength(10);
  });

  it('a throwing tool leaves its interval uncalculated; a re-run fills it with no duplicates', async () => {
    const { w } = chain({ failFrom: 4, failTo: 5 });
    await w.execute(iv(0, 3));
    const error = await w.execute(iv(0, 8)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowExecutionError);
    const failure = error as WorkflowExecutionError;
    expect(failure.message).toContain('factor "test_ticker->ticks"');
    expect(failure.message).toContain('(no plate)');
    expect(failure.message).toContain('1970-01-01T03:00:00.000Z');
    expect(failure.cause).toBeDefined();
    const session = failure.details.session as {
      status: string;
      id: string;
      error: { factor: string };
    };
    expect(session.status).toBe('failed');
    expect(session.error.factor).toBe('test_ticker->ticks');
    expect((await engine().sessions.get(session.id))?.status).toBe('failed');
    // The failed piece claims nothing.
    const memory = engine().channels.get('memory');
    expect(
      (await memory.getCalculatedIntervals(StreamId.of('ticks'))).equals(
        TimeIntervals.of(iv(0, 3)),
      ),
    ).toBe(true);
    expect(
      (await memory.getCalculatedIntervals(StreamId.of('scaled'))).equals(
        TimeIntervals.of(iv(0, 3)),
      ),
    ).toBe(true);

    // Re-running the failing factor fails again and records nothing.
    const again = await w.execute(iv(0, 8)).catch((e: unknown) => e);
    expect(
      ((again as WorkflowExecutionError).details.session as { pieces: unknown[] }).pieces,
    ).toEqual([]);
    // The healthy tool has other parameters, so another fingerprint: it recomputes and replaces
    // everything, with no duplicates.
    await engine().workflows.delete('chain');
    const fixed = chain();
    const rerun = await fixed.w.execute(iv(0, 8));
    expect(rerun.pieces.map((p) => [p.factor, p.interval.start / H, p.interval.end / H])).toEqual([
      ['test_ticker->ticks', 0, 8],
      ['test_scale->scaled', 0, 8],
    ]);
    const ticks = await values('ticks');
    expect(ticks.map(([t]) => t)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('pulls upstream over the source interval a tool asks for', async () => {
    const { w } = chain({ lookback: 3 });
    const session = await w.request('scaled', iv(10, 12));
    expect(session.kind).toBe('request');
    // scale needs ticks over (7, 12]: only that much is computed upstream.
    const ticksCalc = await engine()
      .channels.get('memory')
      .getCalculatedIntervals(StreamId.of('ticks'));
    expect(ticksCalc.equals(TimeIntervals.of(iv(7, 12)))).toBe(true);
    expect(await values('scaled')).toEqual([
      [11, 2 * (9 + 10 + 11) * H],
      [12, 2 * (10 + 11 + 12) * H],
    ]);
  });

  it('request computes only what the node needs', async () => {
    const w = engine().workflow('branches');
    const ticks = w.node('ticks');
    const a = w.node('a');
    const b = w.node('b');
    w.factor({ tool: ticker.create({ stride: H }), sink: ticks });
    w.factor({ tool: scale.create({ factor: 2 }), sources: [ticks], sink: a });
    w.factor({ tool: scale.create({ factor: 3 }), sources: [ticks], sink: b });
    await w.request(a, iv(0, 4));
    expect(calls).toMatchObject({ ticker: 1, scale: 1 });
    expect(await values('b')).toEqual([]);
    expect(await values('a')).toHaveLength(4);
  });

  it('splits required intervals by the max piece size', async () => {
    const { w } = chain();
    const session = await w.execute(iv(0, 10), { maxPieceSize: 4 * H });
    expect(
      session.pieces
        .filter((p) => p.factor === 'test_ticker->ticks')
        .map((p) => [p.interval.start / H, p.interval.end / H]),
    ).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
  });

  it('stops after the current piece when aborted, recording nothing partial', async () => {
    const { w } = chain();
    const controller = new AbortController();
    const pulled: number[] = [];
    const original = engine()
      .channels.get('memory')
      .changeCalculatedRanges.bind(engine().channels.get('memory'));
    engine().channels.get('memory').changeCalculatedRanges = async (id, change) => {
      const result = await original(id, change);
      pulled.push(1);
      if (pulled.length === 2) controller.abort();
      return result;
    };
    const error = await w
      .execute(iv(0, 10), { maxPieceSize: 2 * H, signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionAbortedError);
    const session = (error as ExecutionAbortedError).details.session as {
      status: string;
      pieces: unknown[];
    };
    expect(session.status).toBe('aborted');
    expect(session.pieces).toHaveLength(2);
    const calc = await engine().channels.get('memory').getCalculatedIntervals(StreamId.of('ticks'));
    expect(calc.equals(TimeIntervals.of(iv(0, 4)))).toBe(true);
  });

  it('records every run as a session, queryable afterwards', async () => {
    const { w } = chain();
    await w.execute(iv(0, 2));
    await w.request('scaled', iv(0, 4));
    const sessions = await engine().sessions.list({ workflow: 'chain' });
    expect(sessions.map((s) => [s.kind, s.status])).toEqual([
      ['request', 'completed'],
      ['execute', 'completed'],
    ]);
    expect(sessions[0]!.node).toBe('scaled');
    expect(sessions[0]!.intervals).toEqual([iv(0, 4).toJSON()]);
    expect(sessions[0]!.factors.every((f) => f.durationMs >= 0)).toBe(true);
  });
});

describe('sources and purge', () => {
  it('refuses to compute beyond what a read-only source can give', async () => {
    class Sensor extends ReadOnlyMemoryChannel {
      protected async updateStreams(span: TimeInterval): Promise<void> {
        const items = [];
        for (let t = Math.max(0, Math.floor(span.start / H)) + 1; t * H <= span.end; t++)
          items.push({ timestamp: t * H, value: t });
        await this.emit('sensor', items);
      }
    }
    const sensor = new Sensor('sensor');
    engine().channels.add(sensor);
    await sensor.update(5 * H);
    const w = engine().workflow('reads');
    const raw = w.node('sensor', { channel: 'sensor' });
    w.factor({ tool: scale.create({ factor: 10 }), sources: [raw], sink: w.node('tenfold') });
    await w.execute(iv(0, 5));
    expect((await values('tenfold')).map(([, v]) => v)).toEqual([10, 20, 30, 40, 50]);
    const error = (await w.execute(iv(0, 8)).catch((e: unknown) => e)) as WorkflowExecutionError;
    expect(error).toBeInstanceOf(WorkflowExecutionError);
    expect((error.cause as Error).name).toBe('StreamNotAvailableError');
    await sensor.update(8 * H);
    await w.execute(iv(0, 8));
    expect(await values('tenfold')).toHaveLength(8);
  });

  it('pulls upstream when a tool asks for a source window of its own', async () => {
    const w = engine().workflow('window');
    const ticks = w.node('ticks');
    w.factor({ tool: ticker.create({ stride: H }), sink: ticks });
    w.factor({ tool: firstOfDay.create({}), sources: [ticks], sink: w.node('first_of_day') });
    await w.execute(iv(30, 31), { concurrency: 1 });
    expect(await values('first_of_day')).toEqual([[31, 25]]);
    const calc = await engine().channels.get('memory').getCalculatedIntervals(StreamId.of('ticks'));
    expect(calc.toJSON()).toEqual([iv(24, 31).toJSON()]);
  });

  it('purges a node with cascade, a whole workflow, and reports the downstream nodes', async () => {
    const { w, ticks } = chain();
    await w.execute(iv(0, 10));
    const plain = await w.purge({ node: ticks }, { interval: iv(8, 10), dryRun: true });
    expect(plain.downstream).toEqual(['scaled']);
    expect(plain.streams.map((s) => s.node)).toEqual(['ticks']);
    const cascade = await w.purge({ node: ticks }, { interval: iv(8, 10), cascade: true });
    expect(cascade.streams.map((s) => [s.node, s.documents])).toEqual([
      ['ticks', 2],
      ['scaled', 2],
    ]);
    expect(cascade.downstream).toEqual([]);
    const calculated = await engine()
      .channels.get('memory')
      .getCalculatedIntervals(StreamId.of('scaled'));
    expect(calculated.toJSON()).toEqual([iv(0, 8).toJSON()]);
    const all = await w.purge({ workflow: true });
    expect(all.streams.map((s) => [s.node, s.documents])).toEqual([
      ['ticks', 8],
      ['scaled', 8],
    ]);
    expect(await values('scaled')).toEqual([]);
    resetCalls();
    await w.execute(iv(0, 10));
    expect(calls).toMatchObject({ ticker: 1, scale: 1 });
  });
});

/** For each tick, the value of the first tick of its day (read through ctx.sourceWindow). */
const firstOfDay = defineTool({
  name: 'test_first_of_day',
  version: '1.0.0',
  kind: 'tool',
  params: z.strictObject({}),
  async *execute(ctx) {
    const { interval } = ctx;
    const day = 24 * H;
    const start = Math.floor(interval.start / day) * day;
    const view = await ctx.sourceWindow(0, new TimeInterval(start, interval.end));
    const items = await view.toArray();
    for (const item of items) {
      if (interval.contains(item.timestamp))
        yield { timestamp: item.timestamp, value: (items[0]!.value as number) / H };
    }
  },
});

describe('failures', () => {
  const emitting = (name: string, items: { timestamp: number; value: unknown }[]) =>
    defineTool({
      name,
      version: '1.0.0',
      kind: 'tool',
      params: z.strictObject({}),
      async *execute() {
        await Promise.resolve();
        yield* items;
      },
    });

  it.each([
    ['outside', [{ timestamp: 5 * H, value: 1 }], /timestamp 18000000 outside the piece/],
    [
      'unordered',
      [
        { timestamp: 2 * H, value: 1 },
        { timestamp: 1 * H, value: 2 },
      ],
      /strictly increasing/,
    ],
    ['unstorable', [{ timestamp: 1 * H, value: { f: () => 1 } }], /value\.f is function/],
  ])('rejects a tool output that is %s and records nothing', async (name, items, message) => {
    const w = engine().workflow(`bad_${name}`);
    w.factor({ tool: emitting(`test_${name}`, items).create({}), sink: w.node(`bad_${name}`) });
    const error = (await w.execute(iv(0, 3)).catch((e: unknown) => e)) as WorkflowExecutionError;
    expect(error).toBeInstanceOf(WorkflowExecutionError);
    const cause = error.cause as ToolExecutionError;
    expect(cause).toBeInstanceOf(ToolExecutionError);
    expect(cause.message).toMatch(message);
    expect(cause.details).toMatchObject({ sink: `bad_${name}`, interval: iv(0, 3).toJSON() });
    expect(String(cause.details.tool)).toContain(`test_${name}@1.0.0`);
    const calc = await engine()
      .channels.get('memory')
      .getCalculatedIntervals(StreamId.of(`bad_${name}`));
    expect(calc.isEmpty).toBe(true);
  });

  it('keeps computing independent factors after a failure, and skips what depends on it', async () => {
    const build = (id: string) => {
      const w = engine().workflow(id);
      const bad = w.node(`${id}_bad`);
      const good = w.node(`${id}_good`);
      w.factor({ tool: ticker.create({ stride: H, failFrom: 0 }), sink: bad });
      w.factor({
        tool: scale.create({ factor: 2 }),
        sources: [bad],
        sink: w.node(`${id}_after_bad`),
      });
      w.factor({ tool: ticker.create({ stride: H }), sink: good });
      return w;
    };
    const error = (await build('go_on')
      .execute(iv(0, 2))
      .catch((e: unknown) => e)) as WorkflowExecutionError;
    const session = error.details.session as { pieces: { factor: string }[] };
    expect(session.pieces.map((p) => p.factor)).toEqual(['test_ticker->go_on_good']);
    expect((error.details.failures as unknown[]).length).toBe(1);
    expect(calls).toMatchObject({ ticker: 2, scale: 0 });

    resetCalls();
    const stopped = (await build('stop')
      .execute(iv(0, 2), { continueOnError: false })
      .catch((e: unknown) => e)) as WorkflowExecutionError;
    expect((stopped.details.session as { pieces: unknown[] }).pieces).toEqual([]);
    expect(calls).toMatchObject({ ticker: 1, scale: 0 });
  });
});
