// A child process of the storage-backend contract: opens the same backend as the test (an SQLite
// file or a MongoDB database) and does one thing to it, talking over stdin/stdout by lines.
//
//   node --import tsx backend-child.ts '<spec JSON>' <action> [args…]
//
// Actions:
//   session <id> <workflow>              save a running session, print "ready", then live until killed
//   intervals <stream> <first> <count>   print "ready", wait for "go" on stdin, then for pieces
//                                        first, first+2, … (count of them) write 10 instances and
//                                        record the piece (10 ms wide) as calculated; print "done"
//   writer <stream> <count>              like intervals, every piece 0…count-1, 100 instances each
import { createInterface } from 'node:readline';
import type { StorageBackend } from '../../../src/storage/backend.js';
import { createMongoBackend } from '../../../src/storage/mongodb/mongo-backend.js';
import { createSqliteBackend } from '../../../src/storage/sqlite/sqlite-backend.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';
import type { ChildBackendSpec } from './children.js';
import { CHILD_CHANNEL } from './children.js';

async function open(spec: ChildBackendSpec): Promise<StorageBackend> {
  return spec.kind === 'sqlite'
    ? await createSqliteBackend(spec.path)
    : await createMongoBackend(spec.uri, spec.database);
}

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line.trim() === 'go') {
        lines.close();
        process.stdin.destroy(); // nothing more to read: do not keep the process alive
        resolve();
      }
    });
  });
}

/** Writes `size` instances into piece `n`, (n·width, (n+1)·width], then records the piece. */
async function writePiece(
  backend: StorageBackend,
  stream: StreamId,
  n: number,
  size: number,
  width: number,
): Promise<void> {
  const store = backend.streams(CHILD_CHANNEL);
  const start = n * width;
  const step = width / size;
  await store.write(
    stream,
    Array.from({ length: size }, (_, i) => ({
      timestamp: start + (i + 1) * step,
      value: { piece: n, i },
    })),
  );
  // Only once the write resolved: an interval never claims data that is not there.
  await store.addCalculatedIntervals(
    stream,
    TimeIntervals.of(new TimeInterval(start, start + width)),
  );
}

async function main(): Promise<void> {
  const [specJson, action, ...args] = process.argv.slice(2);
  const backend = await open(JSON.parse(specJson!) as ChildBackendSpec);
  if (action === 'session') {
    const [id, workflow] = args as [string, string];
    await backend.sessions.save({
      id,
      kind: 'execute',
      workflows: [workflow],
      intervals: [{ start: 0, end: 10 }],
      startedAt: Date.now(),
      status: 'running',
      factors: [],
      pieces: [],
    });
    say('ready');
    setInterval(() => {}, 60_000); // lives until killed
    return;
  }
  if (action === 'intervals' || action === 'writer') {
    const stream = StreamId.of(args[0]!);
    say('ready');
    await waitForGo();
    if (action === 'intervals') {
      const first = Number(args[1]);
      const count = Number(args[2]);
      for (let k = 0; k < count; k++) await writePiece(backend, stream, first + 2 * k, 10, 10);
    } else {
      const count = Number(args[1]);
      for (let n = 0; n < count; n++) await writePiece(backend, stream, n, 100, 1000);
    }
    await backend.close();
    say('done');
    process.exit(0);
  }
  throw new Error(`unknown action ${String(action)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
