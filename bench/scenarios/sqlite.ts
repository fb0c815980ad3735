// SQLite ingest and window read through the SQLite stream store, next to raw better-sqlite3 doing
// the same work (the same rows, one transaction, one prepared statement) in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteBackend } from '../../src/storage/sqlite/sqlite-backend.js';
import { createSqliteBackend } from '../../src/storage/sqlite/sqlite-backend.js';
import { StreamId } from '../../src/streams/stream-id.js';
import type { StreamInstance } from '../../src/streams/stream-instance.js';
import { TimeInterval } from '../../src/time/time-interval.js';
import { collectGarbage, heapGrowthWhile } from '../data/gc.js';
import type { BenchContext, BenchRow, BenchScenario } from '../harness.js';
import { assertSame, peakRssMiB, time } from '../harness.js';

const BASE = Date.parse('2020-01-01T00:00:00Z');
const READ_BATCH = 4096;
const ID = StreamId.of('bench', { sensor: 'a' });

/** The raw baseline's table: the store's own layout. */
const RAW_TABLE = `CREATE TABLE instances (
  stream INTEGER NOT NULL, t INTEGER NOT NULL, v, PRIMARY KEY (stream, t)
) WITHOUT ROWID`;

type Shape = 'objects' | 'numbers';

const scenario: BenchScenario = {
  name: 'sqlite',
  description:
    'Ingest of N stream instances through the SQLite stream store vs raw better-sqlite3 inserting the same rows in one transaction, and a window read of all of them vs a raw query',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const n = context.tiny ? 2_000 : 1_000_000;
    // At 1M a run takes seconds and varies little: three are enough for a median.
    const repetitions = context.tiny ? 1 : Math.min(context.repetitions, 3);
    const dir = mkdtempSync(path.join(tmpdir(), 'hs-bench-sqlite-'));
    try {
      return [
        ...(await measure(dir, 'objects', n, repetitions)),
        ...(await measure(dir, 'numbers', n, repetitions)),
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default scenario;

function makeInstances(shape: Shape, n: number): StreamInstance[] {
  return Array.from({ length: n }, (_, i) => ({
    timestamp: BASE + i * 1000,
    value: shape === 'objects' ? { celsius: 20 + (i % 100) / 10, ok: i % 7 !== 0 } : i * 0.25,
  }));
}

/** A new, empty file (and its WAL) at `file`. */
function fresh(file: string): string {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  return file;
}

function openRaw(file: string): Database.Database {
  const db = new Database(file);
  // The store's settings: WAL, commits not synced to disk one by one.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

async function measure(
  dir: string,
  shape: Shape,
  n: number,
  repetitions: number,
): Promise<BenchRow[]> {
  const instances = makeInstances(shape, n);
  const storeFile = path.join(dir, `store-${shape}.db`);
  const rawFile = path.join(dir, `raw-${shape}.db`);
  // What a hand-written program stores: numbers as they are, objects as JSON.
  const rawValue =
    shape === 'objects' ? (v: unknown) => JSON.stringify(v) : (v: unknown) => v as number;

  let backend: SqliteBackend | undefined;
  const engineIngest = async (): Promise<number> => {
    await backend?.close();
    backend = await createSqliteBackend(fresh(storeFile));
    collectGarbage();
    const started = performance.now();
    const written = await backend.streams('bench').write(ID, instances);
    const ms = performance.now() - started;
    assertSame(written, n, 'instances written by the store');
    return ms;
  };
  const rawIngest = (): number => {
    const db = openRaw(fresh(rawFile));
    try {
      db.exec(RAW_TABLE);
      const insert = db.prepare('INSERT INTO instances (stream, t, v) VALUES (?, ?, ?)');
      collectGarbage();
      const started = performance.now();
      db.transaction(() => {
        for (const { timestamp, value } of instances) insert.run(1, timestamp, rawValue(value));
      })();
      const ms = performance.now() - started;
      assertSame(db.prepare('SELECT count(*) FROM instances').pluck().get(), n, 'raw rows');
      return ms;
    } finally {
      db.close();
    }
  };
  // Alternate who goes first, so neither always meets a warmer page cache.
  const engineSamples: number[] = [];
  const rawSamples: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    if (r % 2 === 0) {
      engineSamples.push(await engineIngest());
      rawSamples.push(rawIngest());
    } else {
      rawSamples.push(rawIngest());
      engineSamples.push(await engineIngest());
    }
  }
  const engineIngestMs = median(engineSamples);
  const rawIngestMs = median(rawSamples);
  const store = backend!.streams('bench');
  assertSame(await store.count(ID, TimeInterval.allTime()), n, 'instances stored by the store');
  const storeMiB = fileMiB(storeFile);
  const rawMiB = fileMiB(rawFile);
  instances.length = 0; // Let the input go before measuring the read's memory.

  const readAll = async (onBatch?: (index: number) => void) => {
    let count = 0;
    let last = -Infinity;
    let index = 0;
    for await (const batch of store.read(ID, TimeInterval.allTime(), { batchSize: READ_BATCH })) {
      count += batch.length;
      last = batch[batch.length - 1]!.timestamp;
      onBatch?.(index++);
    }
    return { count, last };
  };
  const engineRead = await time(repetitions, async () => await readAll(), {
    setup: collectGarbage,
    check: ({ count, last }) => {
      assertSame([count, last], [n, BASE + (n - 1) * 1000], 'instances read by the store');
    },
  });
  const raw = openRaw(rawFile);
  let rawRead;
  try {
    const select = raw.prepare('SELECT t, v FROM instances WHERE stream = ? ORDER BY t').raw(true);
    const decode =
      shape === 'objects' ? (v: unknown) => JSON.parse(v as string) as unknown : (v: unknown) => v;
    rawRead = await time(
      repetitions,
      () => {
        let count = 0;
        for (const [, v] of select.iterate(1) as IterableIterator<[number, unknown]>) {
          if (decode(v) !== undefined) count++;
        }
        return count;
      },
      { setup: collectGarbage, check: (count) => assertSame(count, n, 'raw rows read') },
    );
  } finally {
    raw.close();
  }
  const { growthMiB } = await heapGrowthWhile(readAll);
  await backend!.close();

  const rate = (ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en')}/s`;
  const what = shape === 'objects' ? 'object values {celsius, ok}' : 'number values';
  return [
    {
      figure: `SQLite ingest of ${n.toLocaleString('en')} instances (${what}): store vs raw better-sqlite3`,
      engineMs: engineIngestMs,
      baselineMs: rawIngestMs,
      items: n,
      note:
        `store ${rate(engineIngestMs)}, raw ${rate(rawIngestMs)} ` +
        `(throughput ${(rawIngestMs / engineIngestMs).toFixed(2)}× raw; raw: one prepared single-row INSERT per instance in one transaction${shape === 'objects' ? ', values as JSON' : ''}); ` +
        `database ${storeMiB.toFixed(1)} MiB vs raw ${rawMiB.toFixed(1)} MiB; median of ${repetitions}, each into a new file`,
    },
    {
      figure: `SQLite window read of all ${n.toLocaleString('en')} instances (${what}): store vs raw query`,
      engineMs: engineRead.medianMs,
      baselineMs: rawRead.medianMs,
      items: n,
      note:
        `store ${rate(engineRead.medianMs)} in batches of ${READ_BATCH}, raw ${rate(rawRead.medianMs)} (one iterate()${shape === 'objects' ? ' + JSON.parse' : ''}); ` +
        `live heap growth while reading ≤ ${growthMiB.toFixed(1)} MiB (sampled after GC); peak RSS so far ${peakRssMiB().toFixed(0)} MiB`,
    },
  ];
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The database's size (pages in use, whether in the file or still in its WAL). */
function fileMiB(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    const pages = db.pragma('page_count', { simple: true }) as number;
    const size = db.pragma('page_size', { simple: true }) as number;
    return (pages * size) / 2 ** 20;
  } finally {
    db.close();
  }
}
