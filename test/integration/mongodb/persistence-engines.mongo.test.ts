// Two engines with separate MongoClients on one database, as two processes would be: each sees
// the other's meta-data tree, plates, workflows and sessions, and neither recomputes the other's work.
import { describe, expect, it } from 'vitest';
import { ToolChannel } from '../../../src/tools/tool-channel.js';
import { Engine } from '../../../src/engine/engine.js';
import { createMongoEngineOptions } from '../../../src/mongodb.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { useTestDatabase } from '../setup/mongo.js';
import { HOUR, TOOLS, WORKFLOW_ID, buildHousesWorkflow } from './fixtures/houses-workflow.js';

const database = useTestDatabase();
const tools = new ToolChannel({ path: TOOLS });

/** An engine on its own client; `engine.close()` leaves the client to the test database. */
async function newEngine(name: string): Promise<Engine> {
  const db = (await database.newClient()).db(name);
  return await Engine.create({ ...(await createMongoEngineOptions({ db })), tools });
}

async function totals(engine: Engine, end: number): Promise<[number, unknown][]> {
  const out: [number, unknown][] = [];
  for await (const item of engine.channels
    .get('mongo')
    .getResults(StreamId.of('total'), new TimeInterval(0, end)))
    out.push([item.timestamp / HOUR, item.value]);
  return out;
}

describe('two engines sharing one database', () => {
  it('see the same meta-data tree, plates, workflows and sessions', async () => {
    const a = await newEngine(database.name);
    const b = await newEngine(database.name);
    try {
      const built = await buildHousesWorkflow(a);
      await a.plates.addMetaData([['house', '1']], 'resident', 'A', 'Alice');
      await a.workflows.commit(WORKFLOW_ID);
      const first = await built.execute(new TimeInterval(0, 4 * HOUR));
      expect(first.pieces.length).toBeGreaterThan(0);

      // b was created before a stored anything: a third engine, started now, loads it all.
      const c = await newEngine(database.name);
      try {
        expect(c.plates.tree.toString()).toBe(a.plates.tree.toString());
        expect(
          c.plates.tree.label([
            ['house', '1'],
            ['resident', 'A'],
          ]),
        ).toBe('Alice');
        expect(c.plates.listPlates().map((p) => p.toConfig())).toEqual(
          a.plates.listPlates().map((p) => p.toConfig()),
        );
        const loaded = await c.workflows.load(WORKFLOW_ID);
        expect(loaded.toDefinition()).toEqual(built.toDefinition());
        expect((await c.sessions.get(first.id))?.pieces).toEqual(first.pieces);
        // Already calculated by a: nothing to do.
        expect((await loaded.execute(new TimeInterval(0, 4 * HOUR))).pieces).toEqual([]);
        expect(await totals(c, 4 * HOUR)).toEqual([
          [2, 6],
          [4, 6],
        ]);

        // b sees a's workflow through the store although it started first.
        expect((await b.workflows.loadAll()).map((w) => w.id)).toEqual([WORKFLOW_ID]);

        // A subtree deleted by c is gone for the next engine too; a replaced workflow replaces.
        await c.plates.deleteMetaData([['house', '1']]);
        const revised = loaded.toDefinition();
        await c.workflows.delete(WORKFLOW_ID);
        await c.loadDefinition({ ...revised, description: 'revised' });
        await c.workflows.commit(WORKFLOW_ID);
      } finally {
        await c.close();
      }
      const d = await newEngine(database.name);
      try {
        expect(d.plates.values('H').map((v) => v[0]![1])).toEqual(['2', '3']);
        expect(
          d.plates.tree.has([
            ['house', '1'],
            ['resident', 'A'],
          ]),
        ).toBe(false);
        expect((await d.workflows.load(WORKFLOW_ID)).description).toBe('revised');
      } finally {
        await d.close();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('record the concurrent sessions of both and leave nothing to recompute', async () => {
    const name = `${database.name}_concurrent`;
    const a = await newEngine(name);
    await buildHousesWorkflow(a);
    await a.workflows.commit(WORKFLOW_ID);
    // Created after a stored its meta-data: an engine loads the tree when it is created.
    const b = await newEngine(name);
    try {
      const wa = a.workflows.get(WORKFLOW_ID);
      const wb = await b.workflows.load(WORKFLOW_ID);
      // Disjoint halves at the same time, then the whole from both: nothing left to compute.
      const [sa, sb] = await Promise.all([
        wa.execute(new TimeInterval(0, 6 * HOUR)),
        wb.execute(new TimeInterval(6 * HOUR, 12 * HOUR)),
      ]);
      const sessions = await a.sessions.list({ workflow: WORKFLOW_ID });
      expect(sessions.map((s) => s.id).sort()).toEqual([sa.id, sb.id].sort());
      expect(sessions.map((s) => s.status)).toEqual(['completed', 'completed']);
      const again = await Promise.all([
        wa.execute(new TimeInterval(0, 12 * HOUR)),
        wb.execute(new TimeInterval(0, 12 * HOUR)),
      ]);
      expect(again.map((s) => [s.status, s.pieces])).toEqual([
        ['completed', []],
        ['completed', []],
      ]);
      expect((await b.sessions.list({ workflow: WORKFLOW_ID })).length).toBe(4);
      expect(await totals(b, 12 * HOUR)).toEqual([2, 4, 6, 8, 10, 12].map((h) => [h, 6]));
    } finally {
      await a.close();
      await b.close();
      await (await database.newClient()).db(name).dropDatabase();
    }
  });
});
