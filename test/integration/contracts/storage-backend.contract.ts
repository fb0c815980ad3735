// The contract of a whole storage backend — streams per channel, meta-data, plates, workflow
// definitions, sessions (with abandoned-run detection) and, where the backend says so,
// persistence and several processes at once. Memory, SQLite and MongoDB run this one suite.
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreChannel } from '../../../src/channels/store-channel.js';
import { InvalidArgumentError, ValueNotStorableError } from '../../../src/errors.js';
import { collect } from '../../../src/internal/async.js';
import type {
  StorageBackend,
  StorageBackendKind,
  StorageCapabilities,
} from '../../../src/storage/backend.js';
import type { MetaDataRecord } from '../../../src/storage/meta-data-store.js';
import type { PlateConfig } from '../../../src/storage/plate-store.js';
import { processIdentity } from '../../../src/storage/session-liveness.js';
import type { SessionRecord } from '../../../src/storage/session-store.js';
import type { StoredWorkflow } from '../../../src/storage/workflow-store.js';
import { StreamId } from '../../../src/streams/stream-id.js';
import type { StreamInstance } from '../../../src/streams/stream-instance.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { TimeIntervals } from '../../../src/time/time-intervals.js';
import type { ChildBackendSpec } from '../storage/children.js';
import { CHILD_CHANNEL, spawnBackendChild, spawnChild, useChildren } from '../storage/children.js';
import type { ChannelContractOptions } from './channel.contract.js';
import { defineChannelContract } from './channel.contract.js';

/** One backend opened for one test. */
export interface BackendUnderTest {
  readonly backend: StorageBackend;
  /** Opens the same storage again, as a restarted process would (persistent backends). */
  reopen?(): Promise<StorageBackend>;
  /** How a child process opens the same storage (backends shared across processes). */
  readonly child?: ChildBackendSpec;
  /** Removes what the test left (a file, a database). */
  dispose?(): Promise<void>;
}

/** What the suite needs to know of a backend. */
export interface StorageBackendHarness {
  readonly name: string;
  readonly kind: StorageBackendKind;
  /** What the backend must declare. */
  readonly capabilities: StorageCapabilities;
  /** A fresh, empty backend (called before every test; closed after it). */
  open(options: { heartbeatTimeoutMs?: number }): Promise<BackendUnderTest>;
  /** What the server under the backend cannot store (FerretDB v1): refused whole, never altered. */
  readonly limits?: BackendLimits;
}

export interface BackendLimits extends ChannelContractOptions {
  /** NaN and ±Infinity (FerretDB v1). */
  readonly refusesNonFinite?: boolean;
}

/** Whether `limits` make the server refuse `value`. */
function refused(value: unknown, limits: BackendLimits, inArray = false): boolean {
  if (typeof value === 'number') return !!limits.refusesNonFinite && !Number.isFinite(value);
  if (Array.isArray(value)) {
    if (inArray && limits.refusesNestedArrays) return true;
    return value.some((item) => refused(item, limits, true));
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.values(value).some((item) => refused(item, limits));
  }
  return false;
}

/** `value` as a server that `losesNegativeZero` reads it back: every -0 a 0. */
function asStored(value: unknown, limits: BackendLimits): unknown {
  if (!limits.losesNegativeZero) return value;
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map((item) => asStored(item, limits));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asStored(v, limits)]));
  }
  return value;
}

const ALL = TimeInterval.allTime();

/** Deep equality that tells -0 from 0 (toEqual does too, but says less about where). */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

const session = (
  id: string,
  workflow: string,
  status: SessionRecord['status'],
  startedAt: number,
  extra: Partial<SessionRecord> = {},
): SessionRecord => ({
  id,
  kind: 'execute',
  workflows: [workflow],
  intervals: [{ start: 0, end: 10 }],
  startedAt,
  status,
  factors: [],
  pieces: [],
  ...extra,
});

const workflow = (id: string, name = id): StoredWorkflow => ({
  format: 'hyperstream-ts/workflow@1',
  id,
  name,
  description: `workflow ${id}`,
  online: false,
  plates: [],
  nodes: [{ id: 'n', channel: 'memory', plates: [] }],
  factors: [],
});

const node = (parent: [string, string][], key: string, value: string): MetaDataRecord => ({
  parent,
  key,
  value,
});

const pathOf = (record: MetaDataRecord): string =>
  JSON.stringify([...record.parent, [record.key, record.value]]);

/** Defines the storage-backend contract for one backend. */
export function defineStorageBackendContract(harness: StorageBackendHarness): void {
  const limits = harness.limits ?? {};
  describe(`storage backend contract: ${harness.name}`, () => {
    useChildren();
    let current: BackendUnderTest;
    let backend: StorageBackend;
    let extra: StorageBackend[] = [];
    let channels = 0;

    const open = async (options: { heartbeatTimeoutMs?: number } = {}): Promise<void> => {
      current = await harness.open(options);
      backend = current.backend;
    };
    const reopen = async (): Promise<StorageBackend> => {
      const again = await current.reopen!();
      extra.push(again);
      return again;
    };

    beforeEach(async () => {
      extra = [];
      await open();
    });
    afterEach(async () => {
      for (const other of extra) await other.close();
      await backend.close();
      await current.dispose?.();
    });

    // The streams of a channel are a StreamStore: the writable-channel contract, on this backend.
    defineChannelContract(
      `${harness.name} streams`,
      () => {
        const id = `c${++channels}`;
        return new StoreChannel(id, harness.kind, backend.streams(id));
      },
      limits,
    );

    describe('the backend', () => {
      it('declares its kind and capabilities', () => {
        expect(backend.kind).toBe(harness.kind);
        expect(backend.capabilities).toEqual(harness.capabilities);
        expect(backend.sessions.heartbeatTimeoutMs).toBeGreaterThan(0);
      });

      it('hands out one stream store per channel; channels are namespaces', async () => {
        expect(backend.streams('left')).toBe(backend.streams('left'));
        const id = StreamId.of('temp', { house: '1' });
        await backend.streams('left').write(id, [{ timestamp: 1, value: 'l' }]);
        await backend.streams('left').addCalculatedIntervals(id, TimeIntervals.of([0, 1]));
        expect(await backend.streams('right').hasStream(id)).toBe(false);
        expect(await backend.streams('right').count(id, ALL)).toBe(0);
        expect((await backend.streams('right').getCalculatedIntervals(id)).isEmpty).toBe(true);
        expect(await backend.streams('right').listStreams()).toEqual([]);
        expect((await backend.streams('left').listStreams()).map((s) => s.key)).toEqual([id.key]);
      });

      it('refuses a channel id that cannot name storage', () => {
        for (const bad of ['', 'a b', '$x', '.hidden', 'x'.repeat(65), 'a/b']) {
          expect(() => backend.streams(bad), bad).toThrow(InvalidArgumentError);
        }
      });

      it('reads values back exactly: -0, large numbers, strings, objects, arrays, null, booleans, dates', async () => {
        const values: unknown[] = [
          -0,
          0,
          2 ** 53 + 2,
          -(2 ** 63),
          1e300,
          -1e-300,
          0.1 + 0.2,
          Infinity,
          -Infinity,
          '',
          'text with \u0001 and "quotes" and emoji 🎉',
          '\u0001j{}',
          '{"a":1}',
          { a: -0, b: [0, -0, 1.5], nested: { deep: [null, true, false, 'x'] }, empty: {} },
          [[], [{}], [[1, 'two']]],
          null,
          true,
          false,
          new Date('2016-04-28T20:00:00.123Z'),
          { when: new Date(0) },
        ];
        const store = backend.streams('values');
        const id = StreamId.of('exact');
        const all = values.map((value, i) => ({ timestamp: i + 1, value }));
        // What the server cannot store is refused whole, writing nothing; the rest reads back exactly.
        for (const instance of all.filter((i) => refused(i.value, limits))) {
          await expect(store.write(StreamId.of('refused'), [instance])).rejects.toThrow(
            ValueNotStorableError,
          );
        }
        expect(await store.count(StreamId.of('refused'), ALL)).toBe(0);
        const written = all.filter((i) => !refused(i.value, limits));
        expect(written.length).toBeGreaterThan(values.length / 2);
        expect(await store.write(id, written)).toBe(written.length);
        const read = (await collect(store.read(id, ALL))).flat();
        expect(read.map((i) => i.timestamp)).toEqual(written.map((i) => i.timestamp));
        for (const [i, { timestamp, value }] of written.entries()) {
          expect(same(read[i]!.value, asStored(value, limits)), `value at ${timestamp}`).toBe(true);
        }
        const withNegativeZero = read.find((i) => i.timestamp === 14)!.value as { a: number };
        expect(Object.is(withNegativeZero.a, limits.losesNegativeZero ? 0 : -0)).toBe(true);
      });

      it('reads a large window lazily in batches, from either end', async () => {
        const store = backend.streams('big');
        const id = StreamId.of('big');
        const n = 20_000;
        const instances: StreamInstance[] = Array.from({ length: n }, (_, i) => ({
          timestamp: (i + 1) * 10,
          value: i,
        }));
        expect(await store.write(id, instances)).toBe(n);
        let batches = 0;
        let seen = 0;
        let last = 0;
        for await (const batch of store.read(id, ALL, { batchSize: 1000 })) {
          expect(batch.length).toBeLessThanOrEqual(1000);
          for (const item of batch) {
            expect(item.timestamp).toBeGreaterThan(last);
            last = item.timestamp;
          }
          seen += batch.length;
          batches++;
        }
        expect(seen).toBe(n);
        expect(batches).toBeGreaterThanOrEqual(20);
        const tail = (await collect(store.read(id, ALL, { reverse: true, limit: 3 }))).flat();
        expect(tail.map((i) => i.value)).toEqual([n - 1, n - 2, n - 3]);
        const window = new TimeInterval(1000, 1050);
        expect(await store.count(id, window)).toBe(5);
        expect((await collect(store.read(id, window, { limit: 1 }))).flat()).toEqual([
          { timestamp: 1010, value: 100 },
        ]);
        // A consumer that stops early stops the read.
        for await (const batch of store.read(id, ALL, { batchSize: 10 })) {
          expect(batch).toHaveLength(10);
          break;
        }
      });

      it('merges calculated intervals atomically under concurrent callers', async () => {
        const store = backend.streams('concurrent');
        const id = StreamId.of('pieces');
        await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            store.addCalculatedIntervals(id, TimeIntervals.of([i * 10, i * 10 + 10])),
          ),
        );
        expect((await store.getCalculatedIntervals(id)).toJSON()).toEqual([{ start: 0, end: 400 }]);
        await Promise.all([
          store.removeCalculatedIntervals(id, TimeIntervals.of([100, 200])),
          store.removeCalculatedIntervals(id, TimeIntervals.of([300, 310])),
        ]);
        expect((await store.getCalculatedIntervals(id)).toJSON()).toEqual([
          { start: 0, end: 100 },
          { start: 200, end: 300 },
          { start: 310, end: 400 },
        ]);
      });
      it('keeps each calculated range with its stamp: fingerprint, session, invalidated', async () => {
        const store = backend.streams('stamps');
        const id = StreamId.of('agg', { house: '1' });
        await store.addCalculatedIntervals(id, TimeIntervals.of([0, 10]));
        await store.changeCalculatedRanges(id, (ranges) =>
          ranges.add(TimeIntervals.of([10, 30]), { fingerprint: 'f1', session: 's1' }),
        );
        await store.changeCalculatedRanges(id, (ranges) =>
          ranges.invalidate(TimeIntervals.of([15, 20])),
        );
        expect((await store.getCalculatedRanges(id)).toJSON()).toEqual([
          { start: 0, end: 10 },
          { start: 10, end: 15, fingerprint: 'f1', session: 's1' },
          { start: 15, end: 20, fingerprint: 'f1', session: 's1', invalidated: true },
          { start: 20, end: 30, fingerprint: 'f1', session: 's1' },
        ]);
        // The calculated intervals are the ranges not invalidated, whatever computed them.
        expect((await store.getCalculatedIntervals(id)).toJSON()).toEqual([
          { start: 0, end: 15 },
          { start: 20, end: 30 },
        ]);
        // Concurrent stamped changes all land.
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.changeCalculatedRanges(id, (ranges) =>
              ranges.add(TimeIntervals.of([100 + i, 101 + i]), {
                fingerprint: 'f2',
                session: `s${i}`,
              }),
            ),
          ),
        );
        const added = (await store.getCalculatedRanges(id)).toJSON().filter((r) => r.start >= 100);
        expect(added.map((r) => [r.start, r.end, r.fingerprint])).toEqual([[100, 110, 'f2']]);
      });
    });

    describe('meta-data', () => {
      it('stores the tree, keeps one node per path, and deletes whole subtrees', async () => {
        const nz = node([], 'country', 'NZ');
        const akl = node([['country', 'NZ']], 'city', 'Auckland');
        const home = node(
          [
            ['country', 'NZ'],
            ['city', 'Auckland'],
          ],
          'house',
          '1',
        );
        const uk = { ...node([], 'country', 'UK'), label: 'United Kingdom' };
        for (const record of [nz, akl, home, uk, akl]) await backend.metaData.insert(record);
        const loaded = await backend.metaData.load();
        expect(loaded.map(pathOf).sort()).toEqual([nz, akl, home, uk].map(pathOf).sort());
        expect(loaded.find((r) => r.value === 'UK')?.label).toBe('United Kingdom');
        await backend.metaData.delete([[['country', 'NZ']]]);
        expect((await backend.metaData.load()).map(pathOf)).toEqual([pathOf(uk)]);
        await backend.metaData.delete([[['country', 'nowhere']]]);
        expect(await backend.metaData.load()).toHaveLength(1);
      });

      it('takes values with any characters', async () => {
        const odd = node([['k', 'a"b\\c']], 'x.y', '[],_%');
        await backend.metaData.insert(node([], 'k', 'a"b\\c'));
        await backend.metaData.insert(odd);
        await backend.metaData.insert(node([], 'k', 'a"b'));
        await backend.metaData.delete([[['k', 'a"b\\c']]]);
        expect((await backend.metaData.load()).map((r) => r.value)).toEqual(['a"b']);
      });
    });

    describe('plates', () => {
      it('saves, replaces, loads and deletes plate definitions', async () => {
        const house: PlateConfig = { id: 'H', metaKey: 'house', filter: { kind: 'all' } };
        const resident: PlateConfig = {
          id: 'H.R',
          metaKey: 'resident',
          parent: 'H',
          filter: { kind: 'include', values: ['A', 'B'] },
          description: 'residents',
        };
        await backend.plates.save(house);
        await backend.plates.save(resident);
        await backend.plates.save({ ...house, filter: { kind: 'exclude', values: ['3'] } });
        const loaded = await backend.plates.load();
        expect([...loaded].sort((a, b) => a.id.localeCompare(b.id))).toEqual([
          { ...house, filter: { kind: 'exclude', values: ['3'] } },
          resident,
        ]);
        await backend.plates.delete('H.R');
        await backend.plates.delete('missing');
        expect((await backend.plates.load()).map((p) => p.id)).toEqual(['H']);
      });
    });

    describe('workflow definitions', () => {
      it('saves, replaces, lists, loads and deletes definitions', async () => {
        expect(await backend.workflows.load('w1')).toBeUndefined();
        await backend.workflows.save(workflow('w1'));
        await backend.workflows.save(workflow('w2'));
        await backend.workflows.save(workflow('w1', 'renamed'));
        expect((await backend.workflows.list()).sort()).toEqual(['w1', 'w2']);
        expect(await backend.workflows.load('w1')).toEqual(workflow('w1', 'renamed'));
        const keys = { ...workflow('w3'), factors: [{ params: { $gt: 1, 'a.b': [-1] } }] };
        await backend.workflows.save(keys);
        expect(await backend.workflows.load('w3')).toEqual(keys);
        expect(await backend.workflows.delete('w2')).toBe(true);
        expect(await backend.workflows.delete('w2')).toBe(false);
        expect((await backend.workflows.list()).sort()).toEqual(['w1', 'w3']);
      });
    });

    describe('sessions', () => {
      it('saves, replaces, filters newest first and deletes', async () => {
        const { sessions } = backend;
        await sessions.save(session('a', 'w1', 'completed', 1000));
        await sessions.save(session('b', 'w2', 'failed', 2000));
        await sessions.save(session('c', 'w1', 'completed', 3000));
        await sessions.save({ ...session('a', 'w1', 'aborted', 1000), endedAt: 1500 });
        expect((await sessions.get('a'))?.endedAt).toBe(1500);
        expect((await sessions.get('a'))?.status).toBe('aborted');
        expect(await sessions.get('missing')).toBeUndefined();
        expect((await sessions.list()).map((s) => s.id)).toEqual(['c', 'b', 'a']);
        expect((await sessions.list({ workflow: 'w1' })).map((s) => s.id)).toEqual(['c', 'a']);
        expect((await sessions.list({ status: 'failed' })).map((s) => s.id)).toEqual(['b']);
        expect((await sessions.list({ limit: 2 })).map((s) => s.id)).toEqual(['c', 'b']);
        expect(await sessions.list({ limit: 0 })).toEqual([]);
        expect(await sessions.delete('b')).toBe(true);
        expect(await sessions.delete('b')).toBe(false);
        expect(await sessions.get('b')).toBeUndefined();
      });

      it('stamps a running session with its process and a heartbeat; it stays running while alive', async () => {
        const before = Date.now();
        await backend.sessions.save(session('live', 'w', 'running', 5));
        const live = await backend.sessions.get('live');
        expect(live?.status).toBe('running');
        expect(live?.owner).toEqual(processIdentity());
        expect(live?.owner?.pid).toBe(process.pid);
        expect(live?.heartbeatAt).toBeGreaterThanOrEqual(before);
        expect((await backend.sessions.list({ status: 'running' })).map((s) => s.id)).toEqual([
          'live',
        ]);
        expect(await backend.sessions.list({ status: 'abandoned' })).toEqual([]);
        // Ending it: the final save replaces the record (owner or not).
        await backend.sessions.save(session('live', 'w', 'completed', 5, { endedAt: 6 }));
        expect((await backend.sessions.get('live'))?.status).toBe('completed');
        expect(await backend.sessions.heartbeat('live')).toBe(false);
        expect(await backend.sessions.heartbeat('missing')).toBe(false);
      });

      it('reports a session on another host abandoned when its heartbeat is too old; a heartbeat revives it', async () => {
        await backend.close();
        await current.dispose?.();
        await open({ heartbeatTimeoutMs: 300 });
        const owner = { pid: 4242, host: `not-${hostname()}`, startedAt: Date.now() - 10_000 };
        await backend.sessions.save(
          session('remote', 'w', 'running', 1, { owner, heartbeatAt: Date.now() }),
        );
        expect((await backend.sessions.get('remote'))?.status).toBe('running');
        await new Promise((r) => setTimeout(r, 400));
        const stale = await backend.sessions.get('remote');
        expect(stale?.status).toBe('abandoned');
        expect(stale?.error?.code).toBe('SESSION_ABANDONED');
        expect(stale?.error?.message).toMatch(/no heartbeat from process 4242 on host "not-/);
        expect((await backend.sessions.list({ status: 'abandoned' })).map((s) => s.id)).toEqual([
          'remote',
        ]);
        expect(await backend.sessions.list({ status: 'running' })).toEqual([]);
        expect((await backend.sessions.list())[0]?.status).toBe('abandoned');
        expect(await backend.sessions.heartbeat('remote')).toBe(true);
        expect((await backend.sessions.get('remote'))?.status).toBe('running');
      });

      it('reports the session of a SIGKILLed process abandoned, not running forever', async () => {
        let pid: number;
        if (current.child) {
          // The child saves the running session itself, then is killed mid-run.
          const child = spawnBackendChild(current.child, 'session', 'killed', 'w');
          await child.waitFor('ready');
          pid = child.pid;
          const running = await backend.sessions.get('killed');
          expect(running?.status).toBe('running');
          expect(running?.owner?.pid).toBe(pid);
          child.process.kill('SIGKILL');
          expect(await child.exited).toBe('SIGKILL');
        } else {
          // Not shared across processes: the session is saved here, as the child's.
          const child = spawnChild(process.execPath, ['-e', 'setInterval(() => {}, 60000)']);
          pid = child.pid;
          await backend.sessions.save(
            session('killed', 'w', 'running', 1, { owner: processIdentity(pid) }),
          );
          expect((await backend.sessions.get('killed'))?.status).toBe('running');
          child.process.kill('SIGKILL');
          expect(await child.exited).toBe('SIGKILL');
        }
        const dead = await backend.sessions.get('killed');
        expect(dead?.status).toBe('abandoned');
        expect(dead?.error?.message).toMatch(
          new RegExp(`process ${pid} on host ".+" ended without finishing the session`),
        );
        expect((await backend.sessions.list({ workflow: 'w' }))[0]?.status).toBe('abandoned');
        expect(await backend.sessions.list({ status: 'running' })).toEqual([]);
      });

      it('tells a reused pid from the process that owned the session', async () => {
        // This process's pid, but a start time long before it started: another process's session.
        const owner = { ...processIdentity(), startedAt: processIdentity().startedAt - 3_600_000 };
        await backend.sessions.save(session('reused', 'w', 'running', 1, { owner }));
        expect((await backend.sessions.get('reused'))?.status).toBe('abandoned');
      });
    });

    describe.runIf(harness.capabilities.persistent)('persistence (persistent backends)', () => {
      it('a reopened backend sees everything the first one stored', async () => {
        const id = StreamId.of('kept', { house: '1' });
        const store = backend.streams('persist');
        await store.write(id, [
          { timestamp: 1, value: { a: -0 } },
          { timestamp: 2, value: 'two' },
        ]);
        await store.addCalculatedIntervals(id, TimeIntervals.of([0, 2]));
        await backend.metaData.insert(node([], 'house', '1'));
        await backend.plates.save({ id: 'H', metaKey: 'house', filter: { kind: 'all' } });
        await backend.workflows.save(workflow('kept'));
        await backend.sessions.save(session('s1', 'kept', 'completed', 1));
        await backend.close();

        backend = await current.reopen!();
        const again = backend.streams('persist');
        expect((await again.listStreams()).map((s) => s.key)).toEqual([id.key]);
        const read = (await collect(again.read(id, ALL))).flat();
        expect(read).toEqual([
          { timestamp: 1, value: { a: limits.losesNegativeZero ? 0 : -0 } },
          { timestamp: 2, value: 'two' },
        ]);
        expect(
          Object.is((read[0]!.value as { a: number }).a, limits.losesNegativeZero ? 0 : -0),
        ).toBe(true);
        expect((await again.getCalculatedIntervals(id)).toJSON()).toEqual([{ start: 0, end: 2 }]);
        expect((await backend.metaData.load()).map(pathOf)).toEqual([
          pathOf(node([], 'house', '1')),
        ]);
        expect((await backend.plates.load()).map((p) => p.id)).toEqual(['H']);
        expect(await backend.workflows.load('kept')).toEqual(workflow('kept'));
        expect((await backend.sessions.get('s1'))?.status).toBe('completed');
      });
    });

    describe.runIf(harness.capabilities.sharedAcrossProcesses)(
      'several processes (backends shared across processes)',
      () => {
        it('a second handle sees writes and intervals at once', async () => {
          const other = await reopen();
          const id = StreamId.of('seen');
          await backend.streams('x').write(id, [{ timestamp: 5, value: 5 }]);
          await backend.streams('x').addCalculatedIntervals(id, TimeIntervals.of([0, 5]));
          expect(await other.streams('x').count(id, ALL)).toBe(1);
          expect((await other.streams('x').getCalculatedIntervals(id)).toJSON()).toEqual([
            { start: 0, end: 5 },
          ]);
          await other.sessions.save(session('other', 'w', 'completed', 1));
          expect((await backend.sessions.get('other'))?.status).toBe('completed');
        });

        it('two child processes writing pieces of one stream at once lose nothing', async () => {
          const spec = current.child!;
          const pieces = 150;
          const a = spawnBackendChild(spec, 'intervals', 'contended', '0', String(pieces));
          const b = spawnBackendChild(spec, 'intervals', 'contended', '1', String(pieces));
          await Promise.all([a.waitFor('ready'), b.waitFor('ready')]);
          a.send('go');
          b.send('go');
          // FerretDB on SQLite takes tens of seconds for these 300 interval merges on a busy machine.
          await Promise.all([a.waitFor('done', 150_000), b.waitFor('done', 150_000)]);
          expect(await a.exited).toBe(0);
          expect(await b.exited).toBe(0);
          const store = backend.streams(CHILD_CHANNEL);
          const id = StreamId.of('contended');
          // Pieces 0…2·pieces−1, each 10 ms wide: one unbroken interval, every instance there.
          expect((await store.getCalculatedIntervals(id)).toJSON()).toEqual([
            { start: 0, end: 2 * pieces * 10 },
          ]);
          expect(await store.count(id, ALL)).toBe(2 * pieces * 10);
        }, 180_000);

        it('a reader while a writer runs is never blocked and never sees an interval without its data', async () => {
          const spec = current.child!;
          const pieces = 80;
          const writer = spawnBackendChild(spec, 'writer', 'live', String(pieces));
          await writer.waitFor('ready');
          const store = backend.streams(CHILD_CHANNEL);
          const id = StreamId.of('live');
          writer.send('go');
          const writing = performance.now();
          let done = false;
          void writer.exited.then(() => {
            done = true;
          });
          let observations = 0;
          let grew = 0;
          let previous = 0;
          let slowest = 0;
          while (!done) {
            const started = performance.now();
            const calculated = await store.getCalculatedIntervals(id);
            const end = calculated.end ?? 0;
            if (end > 0) {
              // Everything the interval claims is there: 100 instances per 1000 ms piece.
              expect(calculated.toJSON()).toEqual([{ start: 0, end }]);
              expect(await store.count(id, new TimeInterval(0, end))).toBe((end / 1000) * 100);
              const last = (
                await collect(store.read(id, new TimeInterval(0, end), { reverse: true, limit: 1 }))
              ).flat();
              expect(last[0]?.timestamp).toBe(end);
              observations++;
              if (end > previous) grew++;
              previous = end;
            }
            slowest = Math.max(slowest, performance.now() - started);
            await new Promise((r) => setTimeout(r, 5));
          }
          expect(await writer.exited).toBe(0);
          const writerMs = performance.now() - writing;
          expect(observations).toBeGreaterThan(0);
          // Readers never wait for the writer's lock (SQLite's WAL; MongoDB's document locks): they
          // see the stream grow while it is written, and no read waits for a large part of the run
          // (relative, not a fixed time: the machine may be busy).
          expect(grew).toBeGreaterThan(1);
          expect(slowest).toBeLessThan(writerMs / 2);
          expect((await store.getCalculatedIntervals(id)).toJSON()).toEqual([
            { start: 0, end: pieces * 1000 },
          ]);
        });
      },
    );
  });
}
