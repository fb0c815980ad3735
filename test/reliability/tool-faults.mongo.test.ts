// Tool faults: a tool that throws, yields timestamps out of order, twice or outside its piece, or
// yields values that cannot be stored — for one plate value only, part-way through a piece (after
// the first batch was already written). Each gives a clear error naming the tool, the stream and
// the interval; the piece is not claimed; the other plate values and the factors that do not
// depend on it are computed; and once the tool is fixed a re-run completes without duplicates.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../src/channels/channel.js';
import { DatabaseChannel } from '../../src/channels/database-channel.js';
import { MemoryChannel } from '../../src/channels/memory-channel.js';
import { Engine } from '../../src/engine/engine.js';
import {
  ExecutionAbortedError,
  ToolExecutionError,
  ToolTimeoutError,
  WorkflowExecutionError,
} from '../../src/errors.js';
import { WRITE_BATCH_SIZE } from '../../src/engine/sink-writer.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import { defineTool } from '../../src/tools/tool.js';
import type { SessionRecord } from '../../src/storage/session-store.js';
import type { Workflow } from '../../src/workflow/workflow.js';
import { useTestDatabase } from '../integration/setup/mongo.js';
import { HOUR, HOUSES, STEP, reading, scale, sum } from './fixtures/workflow.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const INTERVAL = new TimeInterval(T0, T0 + 24 * HOUR);
const TICK = 10_000;
/** Outputs per house: more than one write batch, so a fault can come after a batch was written. */
const PER_HOUSE = (24 * HOUR) / TICK;
const FAULT_AT = WRITE_BATCH_SIZE + 1000;

class Reading {
  constructor(readonly celsius: number) {}
}
const cycle: Record<string, unknown> = {};
cycle.self = cycle;

/** What the faulty tool does at output FAULT_AT for house 2 (everything else is healthy). */
const FAULTS = {
  throws: { expected: /sensor offline/ },
  'out of order': { expected: /strictly increasing/ },
  'duplicate timestamp': { expected: /strictly increasing/ },
  'outside the piece': { expected: /outside the piece/ },
  'function value': { expected: /cannot be stored.*function/ },
  'bigint value': { expected: /cannot be stored.*bigint/ },
  'symbol value': { expected: /cannot be stored.*symbol/ },
  'undefined value': { expected: /cannot be stored.*undefined/ },
  'class instance value': { expected: /cannot be stored.*Reading/ },
  'Map value': { expected: /cannot be stored.*Map/ },
  'cyclic value': { expected: /cannot be stored.*(cycle|deeply)/ },
} as const;
type Fault = keyof typeof FAULTS;

let fault: Fault | 'none' = 'none';

function* faultyOutputs(interval: TimeInterval, house: string): Generator<unknown> {
  let i = 0;
  for (let t = (Math.floor(interval.start / TICK) + 1) * TICK; t <= interval.end; t += TICK) {
    if (house === '2' && i++ === FAULT_AT) {
      switch (fault) {
        case 'throws':
          throw new Error('sensor offline');
        case 'out of order':
          yield { timestamp: t, value: 1 };
          yield { timestamp: t - TICK / 2, value: 2 };
          break;
        case 'duplicate timestamp':
          yield { timestamp: t, value: 1 };
          yield { timestamp: t, value: 2 };
          break;
        case 'outside the piece':
          yield { timestamp: interval.end + TICK, value: 1 };
          break;
        case 'function value':
          yield { timestamp: t, value: { compute: () => 1 } };
          break;
        case 'bigint value':
          yield { timestamp: t, value: 10n };
          break;
        case 'symbol value':
          yield { timestamp: t, value: Symbol('x') };
          break;
        case 'undefined value':
          yield { timestamp: t, value: undefined };
          break;
        case 'class instance value':
          yield { timestamp: t, value: new Reading(21) };
          break;
        case 'Map value':
          yield { timestamp: t, value: new Map([['a', 1]]) };
          break;
        case 'cyclic value':
          yield { timestamp: t, value: cycle };
          break;
        case 'none':
          break;
      }
    }
    yield { timestamp: t, value: t / TICK };
  }
}

const faulty = defineTool({
  name: 'faulty',
  version: '1.0.0',
  kind: 'tool',
  description: 'A reading every 10 s, with the fault under test for house 2',
  params: z.strictObject({}),
  async *execute({ interval, sink }) {
    for (const item of faultyOutputs(interval, sink.get('house')!)) {
      yield item as { timestamp: number; value: unknown };
    }
  },
});

/** A workflow with the faulty factor, one that depends on it and two that do not. */
async function setUp(channel: Channel): Promise<{ engine: Engine; workflow: Workflow }> {
  const engine = await Engine.create({
    tools: [reading, scale, sum, faulty],
    channels: [channel],
    defaultChannel: channel.id,
  });
  for (const house of HOUSES) await engine.plates.ensureMetaData([], 'house', house);
  await engine.plates.createPlate({ id: 'H', metaKey: 'house' });
  const w = engine.workflow('faults');
  const raw = w.node('raw', { plates: ['H'] });
  const scaled = w.node('scaled', { plates: ['H'] });
  const faultyNode = w.node('faulty', { plates: ['H'] });
  w.factor({ tool: faulty.create({}), sink: faultyNode });
  w.aggregateFactor({ tool: sum.create({}), sources: [faultyNode], sink: w.node('faulty_sum') });
  w.factor({ tool: reading.create({ step: STEP }), sink: raw });
  w.factor({ tool: scale.create({ factor: 2 }), sources: [raw], sink: scaled });
  w.aggregateFactor({ tool: sum.create({}), sources: [scaled], sink: w.node('total') });
  return { engine, workflow: w };
}

/** Calculated intervals and document count of a node's stream. */
async function state(
  engine: Engine,
  workflow: Workflow,
  node: string,
  house?: string,
): Promise<{ calculated: unknown; documents: number }> {
  const id = workflow.getNode(node).streamId(house === undefined ? [] : [['house', house]]);
  const channel = engine.channels.get(workflow.getNode(node).channelId);
  return {
    calculated: (await channel.getCalculatedIntervals(id)).toJSON(),
    documents: await channel.count(id, new TimeInterval(INTERVAL.start - HOUR, INTERVAL.end)),
  };
}

const full = { calculated: [INTERVAL.toJSON()], documents: PER_HOUSE };

const database = useTestDatabase();
const channels = {
  memory: () => new MemoryChannel('memory'),
  // Once more against MongoDB, where the first batch really is durably written.
  database: () => new DatabaseChannel({ id: 'mongo', db: database.db }),
};
const cases = [
  ...(Object.keys(FAULTS) as Fault[]).map((which) => ['memory', which] as const),
  ['database', 'throws'] as const,
];

describe('a tool failing for one plate value', () => {
  it.each(cases)('%s channel: %s', async (kind, which) => {
    if (kind === 'database') await database.db.dropDatabase();
    const { engine, workflow } = await setUp(channels[kind]());
    try {
      fault = which;
      const error = await workflow.execute(INTERVAL).then(
        () => undefined,
        (e: unknown) => e,
      );

      // A clear error naming the tool, the stream and the interval, on the run and on its cause.
      expect(error).toBeInstanceOf(WorkflowExecutionError);
      const run = error as WorkflowExecutionError;
      const cause = run.cause as ToolExecutionError;
      expect(cause).toBeInstanceOf(ToolExecutionError);
      for (const message of [run.message, cause.message]) {
        expect(message).toMatch(FAULTS[which].expected);
        expect(message).toContain('faulty');
        expect(message).toContain('house=2');
        expect(message).toContain(INTERVAL.toString());
      }
      expect(cause.details).toMatchObject({ interval: INTERVAL.toJSON() });
      expect(String(cause.details.tool)).toContain('faulty@1.0.0');
      expect(String(cause.details.sink)).toContain('house=2');
      // One failure: the aggregate over the failed stream is skipped, not reported again.
      expect(run.details.failures).toHaveLength(1);
      const session = run.details.session as SessionRecord;
      expect(session.status).toBe('failed');
      expect(session.error).toMatchObject({
        factor: 'faulty->faulty',
        plateValue: [['house', '2']],
        interval: INTERVAL.toJSON(),
      });

      // The failed piece is not claimed (its first batch may be stored, unclaimed).
      const failed = await state(engine, workflow, 'faulty', '2');
      expect(failed.calculated).toEqual([]);
      expect([0, WRITE_BATCH_SIZE]).toContain(failed.documents);
      expect(await state(engine, workflow, 'faulty_sum')).toEqual({
        calculated: [],
        documents: 0,
      });
      // Everything that does not depend on it is complete.
      for (const house of ['1', '3']) {
        expect(await state(engine, workflow, 'faulty', house)).toEqual(full);
      }
      for (const house of HOUSES) {
        expect((await state(engine, workflow, 'scaled', house)).calculated).toEqual([
          INTERVAL.toJSON(),
        ]);
      }
      expect((await state(engine, workflow, 'total')).calculated).toEqual([INTERVAL.toJSON()]);

      // Fixed, a re-run computes just the failed part, with no duplicates.
      fault = 'none';
      const rerun = await workflow.execute(INTERVAL);
      expect(rerun.status).toBe('completed');
      expect(rerun.pieces.map((p) => [p.factor, p.plateValue])).toEqual([
        ['faulty->faulty', [['house', '2']]],
        ['sum->faulty_sum', []],
      ]);
      expect(await state(engine, workflow, 'faulty', '2')).toEqual(full);
      expect(await state(engine, workflow, 'faulty_sum')).toEqual(full);
    } finally {
      fault = 'none';
      await engine.close();
    }
  });
});

/** A tool that computes house 1 and 3 at once and, for house 2, calls `misbehave` first. */
function houseTool(name: string, misbehave: () => Promise<void>) {
  return defineTool({
    name,
    version: '1.0.0',
    kind: 'tool',
    params: z.strictObject({}),
    async *execute({ interval, sink }) {
      if (sink.get('house') === '2') await misbehave();
      for (let t = (Math.floor(interval.start / STEP) + 1) * STEP; t <= interval.end; t += STEP) {
        yield { timestamp: t, value: t };
      }
    },
  });
}

async function houses(
  tool: ReturnType<typeof houseTool>,
): Promise<{ engine: Engine; workflow: Workflow }> {
  const engine = await Engine.create({ tools: [tool] });
  for (const house of HOUSES) await engine.plates.ensureMetaData([], 'house', house);
  await engine.plates.createPlate({ id: 'H', metaKey: 'house' });
  const workflow = engine.workflow('misbehaving');
  workflow.factor({ tool: tool.create({}), sink: workflow.node('out', { plates: ['H'] }) });
  return { engine, workflow };
}

const PER_HOUSE_STEPS = (24 * HOUR) / STEP;

describe('a tool that hangs', () => {
  it('is ended by pieceTimeout with a ToolTimeoutError naming it, and its piece is not recorded', async () => {
    let hang = true;
    // Never settles and never looks at its signal: the worst case.
    const stuck = houseTool('stuck', () =>
      hang ? new Promise<void>(() => undefined) : Promise.resolve(),
    );
    const { engine, workflow } = await houses(stuck);
    try {
      const started = performance.now();
      const error = await workflow.execute(INTERVAL, { pieceTimeout: 'PT0.3S' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(performance.now() - started).toBeLessThan(5000);
      expect(error).toBeInstanceOf(WorkflowExecutionError);
      const cause = (error as WorkflowExecutionError).cause;
      expect(cause).toBeInstanceOf(ToolTimeoutError);
      for (const message of [(error as Error).message, (cause as Error).message]) {
        expect(message).toContain('stuck@1.0.0');
        expect(message).toContain('house=2');
        expect(message).toContain(INTERVAL.toString());
      }
      expect((cause as ToolTimeoutError).details).toMatchObject({
        interval: INTERVAL.toJSON(),
        timeoutMs: 300,
      });
      expect(await state(engine, workflow, 'out', '2')).toEqual({ calculated: [], documents: 0 });
      for (const house of ['1', '3']) {
        expect(await state(engine, workflow, 'out', house)).toEqual({
          calculated: [INTERVAL.toJSON()],
          documents: PER_HOUSE_STEPS,
        });
      }
      hang = false;
      expect((await workflow.execute(INTERVAL, { pieceTimeout: 'PT0.3S' })).status).toBe(
        'completed',
      );
      expect(await state(engine, workflow, 'out', '2')).toEqual({
        calculated: [INTERVAL.toJSON()],
        documents: PER_HOUSE_STEPS,
      });
    } finally {
      await engine.close();
    }
  });
});

describe('a tool that returns normally after the stop signal', () => {
  it('has its piece left unrecorded (the run ends with ExecutionAbortedError)', async () => {
    const controller = new AbortController();
    // Stops the run, then produces its whole output anyway.
    const { engine, workflow } = await houses(
      houseTool('deaf', () => {
        controller.abort();
        return Promise.resolve();
      }),
    );
    try {
      const error = await workflow.execute(INTERVAL, { signal: controller.signal }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ExecutionAbortedError);
      expect(await state(engine, workflow, 'out', '1')).toEqual({
        calculated: [INTERVAL.toJSON()],
        documents: PER_HOUSE_STEPS,
      });
      expect((await state(engine, workflow, 'out', '2')).calculated).toEqual([]);
      expect((await state(engine, workflow, 'out', '3')).calculated).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
