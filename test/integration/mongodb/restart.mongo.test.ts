// A process restart resumes where the last one stopped: real child processes, one after the other.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DatabaseChannel } from '../../../src/channels/database-channel.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { useTestDatabase } from '../setup/mongo.js';

const run = promisify(execFile);
const database = useTestDatabase();
const script = fileURLToPath(new URL('./fixtures/compute-on-request.ts', import.meta.url));

async function engineProcess(
  start: number,
  end: number,
): Promise<{ start: number; end: number; documents: number }[]> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', script, database.uri, database.name, String(start), String(end)],
    {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    },
  );
  return JSON.parse(stdout) as { start: number; end: number; documents: number }[];
}

describe('process restart', () => {
  it('recomputes nothing already calculated by an earlier process', async () => {
    expect(await engineProcess(0, 100_000)).toEqual([{ start: 0, end: 100_000, documents: 100 }]);
    // A new process asked for an overlapping interval computes only the new part.
    expect(await engineProcess(50_000, 150_000)).toEqual([
      { start: 100_000, end: 150_000, documents: 50 },
    ]);
    // And nothing at all when everything is calculated.
    expect(await engineProcess(0, 150_000)).toEqual([]);

    const channel = new DatabaseChannel({ db: database.db });
    const stream = await channel.getStream('squares');
    expect((await stream.calculatedIntervals()).toJSON()).toEqual([{ start: 0, end: 150_000 }]);
    const view = stream.window(new TimeInterval(0, 150_000));
    expect(await view.count()).toBe(150);
    expect(await view.last()).toEqual({ timestamp: 150_000, value: 150 ** 2 });
  });
});
