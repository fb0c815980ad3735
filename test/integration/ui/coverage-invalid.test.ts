// The coverage API tells ranges to recompute apart from calculated ones and gaps: invalidated by a
// late write into a source (with the session that computed them and why), and stale where the
// producer's definition changed since (another fingerprint).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { fingerprintOf } from '../../../src/engine/fingerprint.js';
import type { NodeCoverage } from '../../../src/ui/api-types.js';
import type { UiServer } from '../../../src/ui/server.js';
import { startUi } from '../../../src/ui/server.js';
import { buildUiAssets } from '../../../scripts/build-ui.js';
import type { LateData } from './fixtures/late-data.js';
import { HOUR, lateDataEngine } from './fixtures/late-data.js';

let data: LateData;
let ui: UiServer;

beforeAll(async () => {
  await buildUiAssets();
  data = await lateDataEngine();
  ui = await startUi(data.engine, { port: 0 });
});
afterAll(async () => {
  await ui?.close();
  await data?.engine.close();
});

async function coverage(workflow: string, node: string): Promise<NodeCoverage> {
  const response = await fetch(`${ui.url}api/workflows/${workflow}/nodes/${node}/coverage`);
  expect(response.status).toBe(200);
  return (await response.json()) as NodeCoverage;
}

// a at t reads raw over (t − 2 h, t]: the outputs in [5 h, 7 h) read the late value at 5 h.
const LATE = { start: 5 * HOUR - 1, end: 7 * HOUR };

describe('coverage of ranges to recompute', () => {
  it('returns the ranges a late write invalidated, downstream too, with their session and why', async () => {
    const { session, engine } = data;
    const graph = engine.workflows.get('chain').graph;
    const fingerprint = fingerprintOf(graph, graph.producerOf(graph.getNode('a'))!);
    for (const node of ['a', 'b']) {
      const map = await coverage('chain', node);
      expect(map.range).toEqual({ start: 0, end: 20 * HOUR });
      const [row] = map.rows;
      expect(row!.calculated).toEqual([
        { start: 0, end: LATE.start },
        { start: LATE.end, end: 20 * HOUR },
      ]);
      expect(row!.gaps).toEqual([]);
      expect(row!.stale).toEqual([]);
      expect(row!.invalidated).toEqual([
        expect.objectContaining({ ...LATE, status: 'invalidated', session: session.id }),
      ]);
      expect(row!.invalidated[0]!.reason).toMatch(/source was written .*\(late data\)/);
    }
    const a = await coverage('chain', 'a');
    expect(a.fingerprint).toBe(fingerprint);
    expect(a.rows[0]!.invalidated[0]!.fingerprint).toBe(fingerprint);
  });

  it('returns the ranges another definition of the producer computed as stale, naming it', async () => {
    const { session, producer, producerV2 } = data;
    const map = await coverage('chain_v2', 'a');
    expect(map.producer).toBe(producerV2);
    const [row] = map.rows;
    // Nothing is current for chain_v2's factor: it would recompute everything.
    expect(row!.calculated).toEqual([]);
    expect(row!.gaps).toEqual([]);
    expect(row!.stale.map(({ start, end }) => ({ start, end }))).toEqual([
      { start: 0, end: LATE.start },
      { start: LATE.end, end: 20 * HOUR },
    ]);
    for (const stale of row!.stale) {
      expect(stale).toMatchObject({ status: 'stale', session: session.id });
      // The factor and tool (with its parameters) as the session recorded them.
      expect(stale.computedBy).toBe(
        `factor ${producer} (test_scale@1.0.0{"factor":2,"lookback":7200000})`,
      );
      expect(stale.reason).toContain(`${producerV2} has fingerprint ${map.fingerprint!} now`);
    }
    // The invalidated range stays invalidated whatever computed it.
    expect(row!.invalidated).toEqual([expect.objectContaining({ ...LATE, status: 'invalidated' })]);
  });

  it('recomputes exactly the invalidated range on the next run, after which none is left', async () => {
    const { engine } = data;
    const run = await engine.workflows.get('chain').execute(new TimeInterval(0, 20 * HOUR));
    expect(run.pieces.map((p) => p.interval)).toEqual([LATE, LATE]);
    const a = await coverage('chain', 'a');
    expect(a.rows[0]!.invalidated).toEqual([]);
    expect(a.rows[0]!.calculated).toEqual([{ start: 0, end: 20 * HOUR }]);
  });
});
