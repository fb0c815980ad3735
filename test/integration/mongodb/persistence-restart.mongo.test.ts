// A process restart resumes from the database alone: the second process loads the meta-data,
// plates and the workflow from the stores (not from code) and recomputes nothing calculated.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ToolChannel } from '../../../src/tools/tool-channel.js';
import { Engine } from '../../../src/engine/engine.js';
import { createMongoEngineOptions } from '../../../src/mongodb.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { useTestDatabase } from '../setup/mongo.js';
import { HOUR, TOOLS, WORKFLOW_ID } from './fixtures/houses-workflow.js';

const run = promisify(execFile);
const database = useTestDatabase();
const script = fileURLToPath(new URL('./fixtures/persistence-engine.ts', import.meta.url));

interface Piece {
  factor: string;
  plateValue: [string, string][];
  interval: { start: number; end: number };
}

async function engineProcess(
  mode: 'build' | 'resume',
  start: number,
  end: number,
): Promise<{ session: string; status: string; pieces: Piece[] }> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', script, database.uri, database.name, mode, String(start), String(end)],
    { cwd: fileURLToPath(new URL('../../..', import.meta.url)) },
  );
  return JSON.parse(stdout) as { session: string; status: string; pieces: Piece[] };
}

/** Pieces as `factor plate-value (start h, end h]`, sorted, for readable comparisons. */
function describePieces(pieces: readonly Piece[]): string[] {
  return pieces
    .map(
      (p) =>
        `${p.factor} ${p.plateValue.map(([k, v]) => `${k}=${v}`).join(',') || '-'} ` +
        `(${p.interval.start / HOUR}, ${p.interval.end / HOUR}]`,
    )
    .sort();
}

describe('process restart with stored workflows', () => {
  it('loads the workflow from the store and computes only what is not calculated', async () => {
    const first = await engineProcess('build', 0, 6 * HOUR);
    expect(first.status).toBe('completed');
    expect(describePieces(first.pieces)).toEqual([
      'aggregate->total - (0, 6]',
      // The 2-hour windows read ticks from 2 hours before the interval: planned into one piece.
      'clock->ticks - (-2, 6]',
      'window_aggregate->per_house house=1 (0, 6]',
      'window_aggregate->per_house house=2 (0, 6]',
      'window_aggregate->per_house house=3 (0, 6]',
    ]);

    // A fresh process, nothing built in code: the same interval computes nothing.
    const second = await engineProcess('resume', 0, 6 * HOUR);
    expect(second).toMatchObject({ status: 'completed', pieces: [] });

    // A wider interval computes only the difference, for every stored plate value.
    const third = await engineProcess('resume', 2 * HOUR, 10 * HOUR);
    expect(describePieces(third.pieces)).toEqual([
      'aggregate->total - (6, 10]',
      'clock->ticks - (6, 10]',
      'window_aggregate->per_house house=1 (6, 10]',
      'window_aggregate->per_house house=2 (6, 10]',
      'window_aggregate->per_house house=3 (6, 10]',
    ]);

    // What the processes left behind: data, intervals and the history of all three sessions.
    const mongo = await createMongoEngineOptions({ db: database.db });
    const engine = await Engine.create({ ...mongo, tools: new ToolChannel({ path: TOOLS }) });
    try {
      const channel = engine.channels.get('mongo');
      const totals = [];
      for await (const item of channel.getResults(
        StreamId.of('total'),
        new TimeInterval(0, 10 * HOUR),
      ))
        totals.push([item.timestamp / HOUR, item.value]);
      // Three houses, two ticks per 2-hour window each.
      expect(totals).toEqual([2, 4, 6, 8, 10].map((h) => [h, 6]));
      expect(
        (await channel.getCalculatedIntervals(StreamId.of('per_house', { house: '2' }))).toJSON(),
      ).toEqual([{ start: 0, end: 10 * HOUR }]);
      const sessions = await engine.sessions.list({ workflow: WORKFLOW_ID });
      expect(sessions.map((s) => s.id).sort()).toEqual(
        [first.session, second.session, third.session].sort(),
      );
      expect(sessions.every((s) => s.status === 'completed')).toBe(true);
      expect(await engine.workflows.load(WORKFLOW_ID)).toBeDefined();
      expect(engine.plates.values('H').map((v) => v[0]![1])).toEqual(['1', '2', '3']);
    } finally {
      await engine.close();
    }
  });
});
