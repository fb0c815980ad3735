// The property of issue 14, shared by the backends: whatever happens between executes — writes
// (late ones into computed ranges included), parameter changes, purges — an execute reads what
// computing everything from scratch with the final workflow would.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import type { StorageBackend } from '../../../src/storage/backend.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import type { Workflow } from '../../../src/workflow/workflow.js';
import { scale } from '../../helpers/workflow-tools.js';

interface Params {
  readonly fa: number;
  readonly la: number;
  readonly fb: number;
  readonly lb: number;
}

type Op =
  | { readonly type: 'write'; readonly items: readonly { t: number; v: number }[] }
  | { readonly type: 'params'; readonly params: Params }
  | {
      readonly type: 'purge';
      readonly node: 'raw' | 'a';
      readonly start: number;
      readonly length: number;
      readonly cascade: boolean;
    }
  | { readonly type: 'execute'; readonly start: number; readonly length: number };

const params = fc.record({
  fa: fc.integer({ min: 1, max: 3 }),
  la: fc.integer({ min: 0, max: 4 }),
  fb: fc.integer({ min: 1, max: 3 }),
  lb: fc.integer({ min: 0, max: 4 }),
});

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    type: fc.constant('write' as const),
    items: fc.array(
      fc.record({ t: fc.integer({ min: 1, max: 60 }), v: fc.integer({ min: -5, max: 5 }) }),
      { minLength: 1, maxLength: 5 },
    ),
  }),
  fc.record({ type: fc.constant('params' as const), params }),
  fc.record({
    type: fc.constant('purge' as const),
    node: fc.constantFrom('raw' as const, 'a' as const),
    start: fc.integer({ min: 0, max: 59 }),
    length: fc.integer({ min: 1, max: 20 }),
    cascade: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('execute' as const),
    start: fc.integer({ min: 0, max: 59 }),
    length: fc.integer({ min: 1, max: 30 }),
  }),
);

/** test_scale: at each source timestamp t, factor × the sum of the source over (t − lookback, t]. */
function scaled(
  source: ReadonlyMap<number, number>,
  factor: number,
  lookback: number,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of [...source.keys()].sort((x, y) => x - y)) {
    let sum = 0;
    for (const [u, v] of source) if (lookback ? u > t - lookback && u <= t : u === t) sum += v;
    out.set(t, sum * factor);
  }
  return out;
}

function inside(values: ReadonlyMap<number, number>, interval: TimeInterval): [number, number][] {
  return [...values].filter(([t]) => interval.contains(t)).sort(([x], [y]) => x - y);
}

/**
 * Runs the property on engines over `open()` (a fresh backend per run): raw → a (scale with
 * lookback) → b (scale with lookback), in the storage's default channel.
 */
export function defineOracleProperty(
  open: () => Promise<StorageBackend | undefined>,
  runs: number,
): void {
  it(`reads what recomputing from scratch would (${runs} random histories)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        params,
        fc.array(op, { minLength: 1, maxLength: 14 }),
        async (first, ops) => {
          const storage = await open();
          const engine = await Engine.create(storage ? { storage } : {});
          const channel = engine.channels.get(engine.storage.defaultChannel);
          let current = first;
          let version = 0;
          let workflow: Workflow | undefined;
          const build = async (p: Params): Promise<Workflow> => {
            if (workflow) await engine.workflows.delete(workflow.id);
            const w = engine.workflow(`v${++version}`);
            const raw = w.node('raw');
            const a = w.node('a');
            w.factor({
              tool: scale.create({ factor: p.fa, lookback: p.la }),
              sources: [raw],
              sink: a,
            });
            w.factor({
              tool: scale.create({ factor: p.fb, lookback: p.lb }),
              sources: [a],
              sink: w.node('b'),
            });
            return w;
          };
          const raw = new Map<number, number>();
          try {
            workflow = await build(current);
            await channel.getOrCreateStream('raw');
            for (const step of ops) {
              if (step.type === 'write') {
                await channel.writeInstances(
                  'raw',
                  step.items.map(({ t, v }) => ({ timestamp: t, value: v })),
                );
                for (const { t, v } of step.items) raw.set(t, v);
              } else if (step.type === 'params') {
                current = step.params;
                workflow = await build(current);
              } else if (step.type === 'purge') {
                const interval = new TimeInterval(step.start, step.start + step.length);
                // Purging source data without its consumers leaves them stale on purpose.
                const cascade = step.node === 'raw' || step.cascade;
                await workflow.purge({ node: step.node }, { interval, cascade });
                if (step.node === 'raw')
                  for (const t of raw.keys()) if (interval.contains(t)) raw.delete(t);
              } else {
                const interval = new TimeInterval(step.start, step.start + step.length);
                await workflow.execute(interval);
                const a = scaled(raw, current.fa, current.la);
                const b = scaled(a, current.fb, current.lb);
                const read = async (name: string): Promise<[number, number][]> =>
                  (await (await channel.getStream(name)).window(interval).toArray()).map((i) => [
                    i.timestamp,
                    i.value as number,
                  ]);
                expect(await read('a')).toEqual(inside(a, interval));
                expect(await read('b')).toEqual(inside(b, interval));
              }
            }
          } finally {
            await engine.close();
          }
        },
      ),
      { numRuns: runs },
    );
  });
}
