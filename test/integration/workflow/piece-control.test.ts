// Per-piece control: timeouts for hung tools, aborts that a tool answers by returning early, and
// the progress hook. In each case nothing partial may be recorded as calculated.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ExecutionAbortedError,
  ToolTimeoutError,
  WorkflowExecutionError,
} from '../../../src/errors.js';
import type { PieceRecord } from '../../../src/storage/session-store.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { defineTool } from '../../../src/tools/tool.js';
import { H, enginePerTest } from '../../helpers/engine-per-test.js';

const engine = enginePerTest();

/** Emits one document per hour; `hangAfter` documents in, it waits forever (ignoring its signal). */
const hourly = defineTool({
  name: 'hourly',
  version: '1.0.0',
  kind: 'tool',
  params: z.strictObject({
    hangAfter: z.number().optional(),
    stopOnAbort: z.boolean().default(false),
  }),
  async *execute({ interval, params, signal }) {
    let n = 0;
    for (let t = Math.floor(interval.start / H) * H + H; t <= interval.end; t += H) {
      if (params.hangAfter !== undefined && n === params.hangAfter) await new Promise(() => {});
      // A cooperative tool that answers the stop signal by returning early (a partial piece).
      if (params.stopOnAbort && signal.aborted) return;
      yield { timestamp: t, value: n++ };
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  },
});

async function calculated(name: string) {
  return (await engine().channels.get('memory').getCalculatedIntervals(StreamId.of(name))).toJSON();
}

describe('per-piece control', () => {
  it('a hung tool is abandoned after pieceTimeout with ToolTimeoutError; nothing is recorded for it', async () => {
    const w = engine().workflow('hang');
    const hung = w.node('hung');
    const fine = w.node('fine');
    w.factor({ tool: hourly.create({ hangAfter: 2 }), sink: hung });
    w.factor({ tool: hourly.create({}), sink: fine });
    const error = await w
      .execute(new TimeInterval(0, 5 * H), { pieceTimeout: 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowExecutionError);
    const cause = (error as WorkflowExecutionError).cause;
    expect(cause).toBeInstanceOf(ToolTimeoutError);
    expect((cause as Error).message).toMatch(
      /hourly@1\.0\.0 took longer than 200 ms computing "hung"/,
    );
    expect(await calculated('hung')).toEqual([]);
    // The independent factor was not affected.
    expect(await calculated('fine')).toEqual([{ start: 0, end: 5 * H }]);
  });

  it('a piece whose tool returns early after the stop signal is not recorded', async () => {
    const w = engine().workflow('abort');
    const out = w.node('out');
    w.factor({ tool: hourly.create({ stopOnAbort: true }), sink: out });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5);
    await expect(
      w.execute(new TimeInterval(0, 1000 * H), { signal: controller.signal }),
    ).rejects.toBeInstanceOf(ExecutionAbortedError);
    expect(await calculated('out')).toEqual([]);
    // A re-run completes it, with no duplicates.
    await w.execute(new TimeInterval(0, 1000 * H));
    expect(await calculated('out')).toEqual([{ start: 0, end: 1000 * H }]);
    expect(
      await engine()
        .channels.get('memory')
        .count(StreamId.of('out'), new TimeInterval(0, 1000 * H)),
    ).toBe(1000);
  });

  it('reports each recorded piece to onPiece', async () => {
    const w = engine().workflow('progress');
    const out = w.node('out');
    w.factor({ tool: hourly.create({}), sink: out });
    const seen: PieceRecord[] = [];
    const session = await w.execute(new TimeInterval(0, 6 * H), {
      maxPieceSize: 2 * H,
      onPiece: (piece) => seen.push(piece),
    });
    expect(seen.map((p) => [p.interval.start / H, p.interval.end / H, p.documents])).toEqual([
      [0, 2, 2],
      [2, 4, 2],
      [4, 6, 2],
    ]);
    expect(session.pieces).toEqual(seen);
  });
});
