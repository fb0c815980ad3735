import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, StorageError } from '../../../src/errors.js';
import { createSqliteBackend } from '../../../src/storage/sqlite/sqlite-backend.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';
import { defineStorageBackendContract } from '../contracts/storage-backend.contract.js';
import { useTmpDir } from './tmp-dir.js';

const dir = useTmpDir('hs-sqlite-backend-');
let files = 0;

// A new file for every test (temp files: real SQLite, WAL and all).
defineStorageBackendContract({
  name: 'SQLite',
  kind: 'sqlite',
  capabilities: {
    persistent: true,
    sharedAcrossProcesses: true,
    sharedAcrossMachines: false,
    transactions: true,
    atomicIntervalMerge: true,
  },
  open: async (options) => {
    const file = path.join(dir(), `backend-${++files}.db`);
    return {
      backend: await createSqliteBackend({ path: file, ...options }),
      reopen: () => createSqliteBackend({ path: file, ...options }),
      child: { kind: 'sqlite', path: file },
      dispose: async () => {
        for (const suffix of ['', '-wal', '-shm']) await rm(file + suffix, { force: true });
      },
    };
  },
});

describe('SQLite only', () => {
  const file = (name: string): string => path.join(dir(), name);
  const ALL = TimeInterval.allTime();

  it('keeps instances in a WITHOUT ROWID table keyed by (stream, timestamp), in WAL mode', async () => {
    const backend = await createSqliteBackend(file('layout.db'));
    try {
      await backend.streams('s').write(StreamId.of('x'), [{ timestamp: 1, value: 1 }]);
      const raw = new Database(file('layout.db'), { readonly: true });
      try {
        expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
        const sql = raw
          .prepare("SELECT sql FROM sqlite_master WHERE name = 'instances'")
          .pluck()
          .get() as string;
        expect(sql).toMatch(/PRIMARY KEY \(stream, t\)\s*\) WITHOUT ROWID/);
        // Small integers take the compact INTEGER form.
        expect(raw.prepare('SELECT typeof(v) FROM instances').pluck().get()).toBe('integer');
        // first/last use the primary key, not a scan.
        const plan = raw
          .prepare(
            'EXPLAIN QUERY PLAN SELECT t, v FROM instances WHERE stream = ? AND t > ? AND t <= ? ORDER BY t DESC LIMIT 1',
          )
          .all(1, 0, 10) as { detail: string }[];
        expect(plan.map((p) => p.detail).join(' ')).toMatch(/SEARCH instances USING PRIMARY KEY/);
      } finally {
        raw.close();
      }
    } finally {
      await backend.close();
    }
  });

  it('creates the folder of a new file and reports what it is', async () => {
    const nested = file('deep/er/new.db');
    const backend = await createSqliteBackend({ path: nested, synchronous: 'full' });
    expect(backend.path).toBe(nested);
    expect(existsSync(nested)).toBe(true);
    await backend.close();
    await backend.close(); // again: nothing happens
    const memory = await createSqliteBackend(':memory:');
    expect(memory.capabilities).toMatchObject({ persistent: false, sharedAcrossProcesses: false });
    await memory.close();
  });

  it('waits for another writer, keeping the event loop free, then writes', async () => {
    const backend = await createSqliteBackend({ path: file('wait.db'), busyTimeoutMs: 5_000 });
    const other = new Database(file('wait.db'));
    try {
      other.exec('BEGIN IMMEDIATE');
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      setTimeout(() => other.exec('COMMIT'), 400);
      const started = performance.now();
      await backend.streams('s').write(StreamId.of('x'), [{ timestamp: 1, value: 'after' }]);
      clearInterval(ticker);
      expect(performance.now() - started).toBeGreaterThanOrEqual(350);
      expect(ticks).toBeGreaterThan(10);
      expect(await backend.streams('s').count(StreamId.of('x'), ALL)).toBe(1);
    } finally {
      other.close();
      await backend.close();
    }
  });

  it('fails with a retryable StorageError when the lock is held past the busy timeout', async () => {
    const backend = await createSqliteBackend({ path: file('busy.db'), busyTimeoutMs: 300 });
    const other = new Database(file('busy.db'));
    try {
      other.exec('BEGIN IMMEDIATE');
      const id = StreamId.of('x');
      const error = (await backend
        .streams('s')
        .addCalculatedIntervals(id, TimeIntervals.of([0, 1]))
        .catch((e: unknown) => e)) as StorageError;
      expect(error).toBeInstanceOf(StorageError);
      expect(error.retryable).toBe(true);
      expect(error.details).toMatchObject({ sqliteCode: 'SQLITE_BUSY', stream: 'x' });
      expect(error.message).toMatch(/busy timeout \(300 ms\): retry, or raise busyTimeoutMs/);
      // Readers are not blocked by the writer.
      expect((await backend.streams('s').getCalculatedIntervals(id)).isEmpty).toBe(true);
      other.exec('ROLLBACK');
      await backend.streams('s').addCalculatedIntervals(id, TimeIntervals.of([0, 1]));
    } finally {
      other.close();
      await backend.close();
    }
  });

  it('lets writes interleave with a long lazy read (no statement stays open)', async () => {
    const backend = await createSqliteBackend(file('interleave.db'));
    try {
      const store = backend.streams('s');
      const id = StreamId.of('x');
      await store.write(
        id,
        Array.from({ length: 100 }, (_, i) => ({ timestamp: i + 1, value: i })),
      );
      let read = 0;
      for await (const batch of store.read(id, ALL, { batchSize: 10 })) {
        read += batch.length;
        await store.write(StreamId.of('y'), [{ timestamp: read, value: read }]);
        await store.addCalculatedIntervals(id, TimeIntervals.of([0, read]));
      }
      expect(read).toBe(100);
      expect(await store.count(StreamId.of('y'), ALL)).toBe(10);
    } finally {
      await backend.close();
    }
  });

  it('writes all or nothing: one unstorable value and nothing is written', async () => {
    const backend = await createSqliteBackend(file('atomic.db'));
    try {
      const store = backend.streams('s');
      const batch = Array.from({ length: 500 }, (_, i) => ({
        timestamp: i + 1,
        value: i === 400 ? { bad: () => 1 } : i,
      }));
      await expect(store.write(StreamId.of('x'), batch)).rejects.toThrow(
        /at "bad": a function cannot be stored/,
      );
      expect(await store.count(StreamId.of('x'), ALL)).toBe(0);
      expect(await store.hasStream(StreamId.of('x'))).toBe(false);
    } finally {
      await backend.close();
    }
  });

  it('refuses to be used after close', async () => {
    const backend = await createSqliteBackend(file('closed.db'));
    await backend.close();
    await expect(backend.streams('s').count(StreamId.of('x'), ALL)).rejects.toThrow(
      /the backend on ".*closed\.db" is closed/,
    );
    await expect(backend.sessions.list()).rejects.toBeInstanceOf(StorageError);
  });

  it('refuses bad options and files that are not its own', async () => {
    await expect(createSqliteBackend('')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(createSqliteBackend({ path: 'file:x.db' })).rejects.toThrow(/URI file names/);
    await expect(createSqliteBackend({ path: file('x.db'), busyTimeoutMs: -1 })).rejects.toThrow(
      /busyTimeoutMs/,
    );
    await expect(
      createSqliteBackend({ path: file('x.db'), heartbeatTimeoutMs: 0 }),
    ).rejects.toThrow(/heartbeatTimeoutMs/);

    await writeFile(
      file('text.db'),
      'this is not a database, just text that is long enough '.repeat(20),
    );
    const notDb = (await createSqliteBackend(file('text.db')).catch(
      (e: unknown) => e,
    )) as StorageError;
    expect(notDb).toBeInstanceOf(StorageError);
    expect(notDb.retryable).toBe(false);
    expect(notDb.message).toMatch(/not a valid SQLite database/);

    const foreign = new Database(file('foreign.db'));
    foreign.pragma('application_id = 1234');
    foreign.close();
    await expect(createSqliteBackend(file('foreign.db'))).rejects.toThrow(
      /belongs to another application \(application_id 1234\)/,
    );

    const newer = await createSqliteBackend(file('newer.db'));
    await newer.close();
    const raw = new Database(file('newer.db'));
    raw.pragma('user_version = 99');
    raw.close();
    await expect(createSqliteBackend(file('newer.db'))).rejects.toThrow(
      /schema version 99, newer than this hyperstream-ts/,
    );
  });

  it('names a stream whose stored intervals are corrupt', async () => {
    const backend = await createSqliteBackend(file('corrupt.db'));
    try {
      await backend.streams('s').ensureStream(StreamId.of('x'));
      const raw = new Database(file('corrupt.db'));
      raw.prepare("UPDATE streams SET calculated = '{oops'").run();
      raw.close();
      await expect(backend.streams('s').getCalculatedIntervals(StreamId.of('x'))).rejects.toThrow(
        /calculated intervals of stream "x" in channel "s" are corrupt .*purge the stream/,
      );
    } finally {
      await backend.close();
    }
  });

  it('reads intervals stored before fingerprints ([start, end] pairs) as unstamped ranges', async () => {
    const backend = await createSqliteBackend(file('legacy.db'));
    try {
      await backend.streams('s').ensureStream(StreamId.of('x'));
      const raw = new Database(file('legacy.db'));
      raw.prepare("UPDATE streams SET calculated = '[[0,10],[20,30]]'").run();
      raw.close();
      const ranges = await backend.streams('s').getCalculatedRanges(StreamId.of('x'));
      expect(ranges.toJSON()).toEqual([
        { start: 0, end: 10 },
        { start: 20, end: 30 },
      ]);
      await backend
        .streams('s')
        .changeCalculatedRanges(StreamId.of('x'), (r) =>
          r.adopt(TimeIntervals.of([0, 30]), { fingerprint: 'f' }),
        );
      const reader = new Database(file('legacy.db'), { readonly: true });
      const text = reader.prepare('SELECT calculated FROM streams').pluck().get();
      reader.close();
      expect(JSON.parse(text as string)).toEqual([
        [0, 10, { fingerprint: 'f' }],
        [20, 30, { fingerprint: 'f' }],
      ]);
    } finally {
      await backend.close();
    }
  });
});
