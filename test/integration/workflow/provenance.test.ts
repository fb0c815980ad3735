// A result always matches the workflow that asks for it: fingerprints on calculated ranges.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { FingerprintMismatchError, WorkflowExecutionError } from '../../../src/errors.js';
import { ToolChannel } from '../../../src/tools/tool-channel.js';
import { createSqliteBackend } from '../../../src/storage/sqlite/sqlite-backend.js';
import type { StorageBackend } from '../../../src/storage/backend.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import type { Workflow } from '../../../src/workflow/workflow.js';
import { scale, ticker } from '../../helpers/workflow-tools.js';

const TOOLS = resolve('tools');
const HOUR = '2026-03-10T00:00:00Z/2026-03-10T01:00:00Z';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hs-provenance-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The reproduction: two workflows write `agg` over the same hour with other widths. */
async function aggregate(
  engine: Engine,
  id: string,
  width: string,
  options: { onFingerprintMismatch?: 'recompute' | 'error' } = {},
): Promise<{ pieces: number; values: unknown[] }> {
  const clock = await engine.tool('clock', 'tool');
  const windowAggregate = await engine.tool('window_aggregate', 'tool');
  const w = engine.workflow(id);
  const ticks = w.node('ticks');
  const agg = w.node('agg');
  w.factor({ tool: clock.create({ stride: 'PT1M' }), sink: ticks });
  w.factor({
    tool: windowAggregate.create({ width, stats: 'count' }),
    sources: [ticks],
    sink: agg,
  });
  const session = await w.execute(HOUR, options);
  const stream = await engine.channels.get(engine.storage.defaultChannel).getStream('agg');
  const values = (await stream.window(HOUR).toArray()).map((i) => i.value);
  return {
    pieces: session.factors.find((f) => f.factor.includes('agg'))?.pieces ?? 0,
    values,
  };
}

const backends: [string, () => Promise<StorageBackend | undefined>][] = [
  ['memory', () => Promise.resolve(undefined)],
  ['sqlite', async () => await createSqliteBackend({ path: join(tmp, `${Math.random()}.db`) })],
];

describe.each(backends)('a changed factor on %s', (_, makeStorage) => {
  async function engine(): Promise<Engine> {
    const storage = await makeStorage();
    return await Engine.create({
      tools: new ToolChannel({ path: TOOLS }),
      ...(storage ? { storage } : {}),
    });
  }

  it('recomputes what another factor computed: 20s after the second execute, not 10s', async () => {
    const e = await engine();
    try {
      const first = await aggregate(e, 'ten', 'PT10M');
      expect(first.values).toEqual([10, 10, 10, 10, 10, 10]);
      const second = await aggregate(e, 'twenty', 'PT20M');
      expect(second.pieces).toBe(1);
      expect(second.values).toEqual([20, 20, 20]);
      // Asking again with the same factor costs nothing.
      expect((await aggregate(e, 'twenty-again', 'PT20M')).pieces).toBe(0);
    } finally {
      await e.close();
    }
  });

  it("with onFingerprintMismatch 'error' fails before running, naming the stream, both fingerprints and the purge", async () => {
    const e = await engine();
    try {
      await aggregate(e, 'ten', 'PT10M');
      const error = await aggregate(e, 'twenty', 'PT20M', { onFingerprintMismatch: 'error' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(WorkflowExecutionError);
      const cause = (error as Error).cause;
      expect(cause).toBeInstanceOf(FingerprintMismatchError);
      const details = (cause as FingerprintMismatchError).details;
      expect(details.stream).toBe('agg');
      expect(details.expected).toMatch(/^[0-9a-f]{16}$/);
      expect((details.found as string[])[0]).not.toBe(details.expected);
      expect(details.purge).toBe(
        'hyperstream purge "agg" --workflow twenty --from 2026-03-10T00:00:00.000Z --to 2026-03-10T01:00:00.000Z',
      );
      // Nothing was replaced.
      const stream = await e.channels.get(e.storage.defaultChannel).getStream('agg');
      expect((await stream.window(HOUR).toArray()).map((i) => i.value)).toEqual([
        10, 10, 10, 10, 10, 10,
      ]);
    } finally {
      await e.close();
    }
  });
});

describe('a tool upgraded in a plugin folder', () => {
  const tool = (version: string, factor: string): string => `
import { defineTool, z } from '${resolve('src/index.ts')}';
export default defineTool({
  name: 'stepper',
  version: '${version}',
  kind: 'tool',
  params: z.strictObject({ stride: z.number().int().positive()${version === '1.0.0' ? '' : ', offset: z.number().default(0)'} }),
  async *execute({ interval, params }) {
    const first = Math.floor(interval.start / params.stride) * params.stride + params.stride;
    for (let t = first; t <= interval.end; t += params.stride) yield { timestamp: t, value: ${factor} };
  },
});
`;

  async function run(folder: string, db: string): Promise<{ pieces: number; values: unknown[] }> {
    const engine = await Engine.create({
      tools: new ToolChannel({ path: join(folder, 'tools') }),
      storage: await createSqliteBackend({ path: db }),
    });
    try {
      const stepper = await engine.tool('stepper', 'tool');
      const w = engine.workflow('steps');
      w.factor({ tool: stepper.create({ stride: 600_000 }), sink: w.node('steps') });
      const session = await w.execute(HOUR);
      const stream = await engine.channels.get('sqlite').getStream('steps');
      return {
        pieces: session.factors[0]?.pieces ?? 0,
        values: (await stream.window(HOUR).toArray()).map((i) => i.value),
      };
    } finally {
      await engine.close();
    }
  }

  it('keeps its intervals from 1.0.0 to 1.1.0 (same major) and recomputes them for 2.0.0', async () => {
    const folder = join(tmp, 'plugin');
    const dir = join(folder, 'tools', 'stepper');
    await mkdir(dir, { recursive: true });
    await writeFile(join(folder, 'package.json'), '{ "type": "module" }');
    const db = join(tmp, 'upgrade.db');
    await writeFile(join(dir, '2026-01-01_v1.0.0.ts'), tool('1.0.0', '1'));
    expect(await run(folder, db)).toEqual({ pieces: 1, values: [1, 1, 1, 1, 1, 1] });
    // 1.1.0 adds a parameter with a default (and would compute 11, to show it does not run).
    await writeFile(join(dir, '2026-02-01_v1.1.0.ts'), tool('1.1.0', '11'));
    expect(await run(folder, db)).toEqual({ pieces: 0, values: [1, 1, 1, 1, 1, 1] });
    await writeFile(join(dir, '2026-03-01_v2.0.0.ts'), tool('2.0.0', '2'));
    expect(await run(folder, db)).toEqual({ pieces: 1, values: [2, 2, 2, 2, 2, 2] });
  });
});

describe('late data, purge cascades and ranges from before fingerprints (memory)', () => {
  const H = 3_600_000;
  const iv = (a: number, b: number): TimeInterval => new TimeInterval(a * H, b * H);

  async function chain(lookback = 0): Promise<{ engine: Engine; w: Workflow }> {
    const engine = await Engine.create();
    const w = engine.workflow('chain');
    const raw = w.node('raw');
    const a = w.node('a');
    w.factor({ tool: scale.create({ factor: 2, lookback }), sources: [raw], sink: a });
    w.factor({ tool: scale.create({ factor: 10 }), sources: [a], sink: w.node('b') });
    await engine.channels.get('memory').writeInstances(
      'raw',
      Array.from({ length: 20 }, (_, i) => ({ timestamp: (i + 1) * H, value: 1 })),
    );
    return { engine, w };
  }
  const ranges = async (engine: Engine, stream: string): Promise<unknown> =>
    (await engine.provenance(stream)).ranges.map((r) => [r.start / H, r.end / H, r.status]);

  it('a late write invalidates exactly the ranges computed from it, widened by the lookback, and the next execute recomputes just them', async () => {
    const { engine, w } = await chain(2 * H);
    try {
      await w.execute(iv(0, 20));
      await engine.channels.get('memory').writeInstances('raw', [{ timestamp: 5 * H, value: 4 }]);
      // a at t reads raw over (t − 2 h, t]: outputs in [5 h, 7 h) read the write at 5 h.
      expect(await ranges(engine, 'a')).toEqual([
        [0, 5 - 1 / H, 'calculated'],
        [5 - 1 / H, 7, 'invalidated'],
        [7, 20, 'calculated'],
      ]);
      expect(await ranges(engine, 'b')).toEqual([
        [0, 5 - 1 / H, 'calculated'],
        [5 - 1 / H, 7, 'invalidated'],
        [7, 20, 'calculated'],
      ]);
      const planned: string[] = [];
      await w.execute(iv(0, 20), {
        onPlan: (pieces) =>
          planned.push(
            ...pieces.map((p) => `${p.factor} ${p.interval.start / H}-${p.interval.end / H}`),
          ),
      });
      expect(planned.sort()).toEqual([
        `test_scale->a ${5 - 1 / H}-7`,
        `test_scale->b ${5 - 1 / H}-7`,
      ]);
      const b = await (
        await engine.channels.get('memory').getStream('b')
      )
        .window(iv(4, 8))
        .toArray();
      // raw is 1 everywhere but 4 at 5 h; a = 2 × the sum over (t − 2 h, t]; b = 10 × a.
      expect(b.map((i) => i.value)).toEqual([100, 100, 40, 40]);
      // The pieces' own writes invalidated nothing: all calculated again.
      expect(await ranges(engine, 'b')).toEqual([[0, 20, 'calculated']]);
    } finally {
      await engine.close();
    }
  });

  it('purging (10 h, 13 h] with cascade purges exactly that downstream without lookback, and the lookback more with one', async () => {
    for (const [lookback, expected] of [
      [
        0,
        [
          [0, 10],
          [13, 20],
        ],
      ],
      [
        3 * H,
        [
          [0, 10],
          [16, 20],
        ],
      ],
    ] as const) {
      const { engine, w } = await chain(lookback);
      try {
        await w.execute(iv(0, 20));
        await w.purge({ node: 'raw' }, { interval: iv(10, 13), cascade: true });
        const left = (await engine.channels.get('memory').getCalculatedIntervals('b')).toJSON();
        expect(left.map((i) => [i.start / H, i.end / H])).toEqual(expected);
      } finally {
        await engine.close();
      }
    }
  });

  it('trusts a range recorded without a fingerprint once, adopts it, then recomputes it when the factor changes', async () => {
    const engine = await Engine.create();
    try {
      const memory = engine.channels.get('memory');
      // What an earlier version left: data and a bare calculated interval.
      await memory.writeInstances('old', [{ timestamp: H, value: 999 }]);
      await memory.addCalculatedIntervals('old', iv(0, 2));
      const first = engine.workflow('first');
      first.factor({ tool: ticker.create({ stride: H }), sink: first.node('old') });
      expect((await first.execute(iv(0, 2))).factors).toEqual([]);
      const [adopted] = (await engine.provenance('old')).ranges;
      expect(adopted?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(adopted?.factor?.factor).toBe('test_ticker->old');
      await engine.workflows.delete('first');
      const second = engine.workflow('second');
      second.factor({ tool: ticker.create({ stride: 2 * H }), sink: second.node('old') });
      await second.execute(iv(0, 2));
      expect(
        (await (await memory.getStream('old')).window(iv(0, 2)).toArray()).map((i) => i.value),
      ).toEqual([2 * H]);
      const [recomputed] = (await engine.provenance('old')).ranges;
      expect(recomputed!.fingerprint).not.toBe(adopted!.fingerprint);
    } finally {
      await engine.close();
    }
  });
});
