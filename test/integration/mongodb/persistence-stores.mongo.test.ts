// The meta-data, plate, workflow and session stores against the real test server: round trip,
// idempotent upserts, deletion, and corrupt documents reported and skipped.
import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../../src/storage/session-store.js';
import type { WorkflowDefinition } from '../../../src/workflow/definition.js';
import { StorageError } from '../../../src/errors.js';
import { Engine } from '../../../src/engine/engine.js';
import type { InvalidDocumentReport } from '../../../src/mongodb.js';
import {
  MongoMetaDataStore,
  MongoPlateStore,
  MongoSessionStore,
  MongoWorkflowStore,
  createMongoEngineOptions,
} from '../../../src/mongodb.js';
import type { MetaDataRecord } from '../../../src/storage/meta-data-store.js';
import { useTestDatabase } from '../setup/mongo.js';

const database = useTestDatabase();

/** Reports collected by a store, and the options that collect them into a given collection. */
function collector(collection: string): {
  reports: InvalidDocumentReport[];
  options: { collection: string; onInvalidDocument: (r: InvalidDocumentReport) => void };
} {
  const reports: InvalidDocumentReport[] = [];
  return { reports, options: { collection, onInvalidDocument: (r) => reports.push(r) } };
}

const nz: MetaDataRecord = { parent: [], key: 'country', value: 'NZ' };
const auckland: MetaDataRecord = {
  parent: [['country', 'NZ']],
  key: 'city',
  value: 'Auckland',
  label: 'Tāmaki Makaurau',
};
const ponsonby: MetaDataRecord = {
  parent: [
    ['country', 'NZ'],
    ['city', 'Auckland'],
  ],
  key: 'suburb',
  value: 'Ponsonby',
};
const usa: MetaDataRecord = { parent: [], key: 'country', value: 'USA' };

describe('MongoMetaDataStore', () => {
  it('round-trips the tree, parents first whatever the insert order, one document per path', async () => {
    const { reports, options } = collector('md_round_trip');
    const store = new MongoMetaDataStore(database.db, options);
    for (const record of [ponsonby, auckland, nz, usa, nz, auckland]) await store.insert(record);
    const loaded = await store.load();
    expect(loaded).toHaveLength(4);
    expect(loaded.map((r) => r.parent.length)).toEqual([0, 0, 1, 2]);
    expect(loaded).toEqual(expect.arrayContaining([nz, auckland, ponsonby, usa]));
    expect(await database.db.collection('md_round_trip').countDocuments()).toBe(4);
    // A second insert of a node leaves the stored one (and its label) as it is.
    await store.insert({ ...auckland, label: 'Auckland' });
    expect((await store.load()).find((r) => r.value === 'Auckland')?.label).toBe('Tāmaki Makaurau');
    expect(reports).toEqual([]);
  });

  it('deletes a subtree, including children only another process knew about', async () => {
    const { options } = collector('md_delete');
    const mine = new MongoMetaDataStore(database.db, options);
    const theirs = new MongoMetaDataStore((await database.newClient()).db(database.name), options);
    await mine.insert(nz);
    await mine.insert(auckland);
    await mine.insert(usa);
    await theirs.insert(ponsonby);
    // This process's tree has no children under Auckland: the subtree it passes is Auckland alone.
    await mine.delete([[...auckland.parent, ['city', 'Auckland']]]);
    expect(await theirs.load()).toEqual([nz, usa]);
  });

  it('reports corrupt nodes and the nodes below them, and loads the rest', async () => {
    const { reports, options } = collector('md_corrupt');
    const store = new MongoMetaDataStore(database.db, options);
    for (const record of [nz, auckland, ponsonby, usa]) await store.insert(record);
    const collection = database.db.collection<{ _id: string; [field: string]: unknown }>(
      'md_corrupt',
    );
    await collection.updateOne(
      { _id: '[["country","NZ"],["city","Auckland"]]' },
      { $set: { key: 7 } },
    );
    await collection.insertOne({
      _id: 'not a path',
      parent: [],
      key: 'k',
      value: 'v',
      ancestry: ['x'],
    });
    const loaded = await store.load();
    expect(loaded).toEqual([nz, usa]);
    expect(reports.map((r) => [r.collection, r.id])).toEqual(
      expect.arrayContaining([
        ['md_corrupt', '[["country","NZ"],["city","Auckland"]]'],
        ['md_corrupt', 'not a path'],
        ['md_corrupt', '[["country","NZ"],["city","Auckland"],["suburb","Ponsonby"]]'],
      ]),
    );
    expect(reports).toHaveLength(3);
    expect(reports.find((r) => r.id === 'not a path')?.problem).toMatch(/_id is not the path key/);
    expect(reports.find((r) => String(r.id).includes('Ponsonby'))?.problem).toMatch(
      /parent .* is not stored or is corrupt/,
    );
    expect(reports.find((r) => r.id === '[["country","NZ"],["city","Auckland"]]')?.problem).toMatch(
      /key/,
    );
  });
});

describe('MongoPlateStore', () => {
  it('round-trips plates, replaces by id and deletes', async () => {
    const { reports, options } = collector('plates_round_trip');
    const store = new MongoPlateStore(database.db, options);
    await store.save({ id: 'C.C', metaKey: 'city', parent: 'C', filter: { kind: 'all' } });
    await store.save({ id: 'C', metaKey: 'country', filter: { kind: 'exclude', values: ['USA'] } });
    await store.save({
      id: 'C',
      metaKey: 'country',
      filter: { kind: 'include', values: ['NZ'] },
      description: 'NZ only',
    });
    // Parents first even though the child's id sorts first.
    expect(await store.load()).toEqual([
      {
        id: 'C',
        metaKey: 'country',
        filter: { kind: 'include', values: ['NZ'] },
        description: 'NZ only',
      },
      { id: 'C.C', metaKey: 'city', parent: 'C', filter: { kind: 'all' } },
    ]);
    expect(await database.db.collection('plates_round_trip').countDocuments()).toBe(2);
    await store.delete('C.C');
    await store.delete('missing');
    expect((await store.load()).map((p) => p.id)).toEqual(['C']);
    expect(reports).toEqual([]);
  });

  it('reports corrupt plates and plates whose parent is lost, and loads the rest', async () => {
    const { reports, options } = collector('plates_corrupt');
    const store = new MongoPlateStore(database.db, options);
    await store.save({ id: 'C', metaKey: 'country', filter: { kind: 'all' } });
    await store.save({ id: 'C.C', metaKey: 'city', parent: 'C', filter: { kind: 'all' } });
    await store.save({ id: 'H', metaKey: 'house', filter: { kind: 'all' } });
    await database.db
      .collection<{ _id: string }>('plates_corrupt')
      .updateOne({ _id: 'C' }, { $set: { filter: { kind: 'some' } } });
    expect(await store.load()).toEqual([{ id: 'H', metaKey: 'house', filter: { kind: 'all' } }]);
    expect(reports.map((r) => r.id)).toEqual(['C', 'C.C']);
    expect(reports[0]!.problem).toMatch(/filter/);
    expect(reports[1]!.problem).toMatch(/parent plate "C"/);
  });
});

function definition(id: string, description: string): WorkflowDefinition {
  return {
    format: 'hyperstream-ts/workflow@1',
    id,
    name: id,
    description,
    online: false,
    plates: [],
    nodes: [{ id: 'ticks', channel: 'memory', plates: [] }],
    factors: [
      {
        id: 'clock->ticks',
        kind: 'tool',
        // Keys BSON field names cannot carry are kept, as the definition is stored as JSON text.
        tool: { name: 'clock', version: '1.0.0', params: { stride: 1000, 'odd.key': { $x: 1 } } },
        sources: [],
        sink: 'ticks',
      },
    ],
  };
}

describe('MongoWorkflowStore', () => {
  it('round-trips definitions, replaces an existing one and deletes', async () => {
    const { reports, options } = collector('wf_round_trip');
    const store = new MongoWorkflowStore(database.db, options);
    expect(await store.load('w1')).toBeUndefined();
    await store.save(definition('w2', 'second'));
    await store.save(definition('w1', 'first'));
    await store.save(definition('w1', 'first, revised'));
    expect(await store.load('w1')).toEqual(definition('w1', 'first, revised'));
    expect(await store.list()).toEqual(['w1', 'w2']);
    expect(
      await database.db.collection('wf_round_trip').findOne({ _id: 'w1' as never }),
    ).toMatchObject({
      name: 'w1',
      online: false,
    });
    expect(await store.delete('w1')).toBe(true);
    expect(await store.delete('w1')).toBe(false);
    expect(await store.list()).toEqual(['w2']);
    expect(reports).toEqual([]);
  });

  it('lists around corrupt definitions and refuses to load one', async () => {
    const { reports, options } = collector('wf_corrupt');
    const store = new MongoWorkflowStore(database.db, options);
    await store.save(definition('good', 'fine'));
    await store.save(definition('bad_json', 'x'));
    await store.save(definition('bad_schema', 'x'));
    await store.save(definition('wrong_id', 'x'));
    const collection = database.db.collection<{ _id: string }>('wf_corrupt');
    await collection.updateOne({ _id: 'bad_json' }, { $set: { definition: '{"format":' } });
    await collection.updateOne(
      { _id: 'bad_schema' },
      { $set: { definition: JSON.stringify({ ...definition('bad_schema', 'x'), nodes: 3 }) } },
    );
    await collection.updateOne(
      { _id: 'wrong_id' },
      { $set: { definition: JSON.stringify(definition('other', 'x')) } },
    );
    await collection.insertOne({ _id: 'no_fields' });
    expect(await store.list()).toEqual(['good']);
    const problems = new Map(reports.map((r) => [r.id, r.problem]));
    expect([...problems.keys()].sort()).toEqual([
      'bad_json',
      'bad_schema',
      'no_fields',
      'wrong_id',
    ]);
    expect(problems.get('bad_json')).toMatch(/^definition is not JSON/);
    expect(problems.get('bad_schema')).toMatch(/^definition: nodes: /);
    expect(problems.get('wrong_id')).toMatch(/id "other", not its _id/);
    expect(problems.get('no_fields')).toMatch(/name: .*; online: .*; definition: .*; updatedAt: /);
    const error = await store.load('bad_schema').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(
      /document "bad_schema" in collection "wf_corrupt" is corrupt: definition: .*nodes.*; repair or delete the document/,
    );
  });
});

function session(
  id: string,
  startedAt: number,
  overrides: Partial<SessionRecord> = {},
): SessionRecord {
  return {
    id,
    kind: 'execute',
    workflows: ['w1'],
    intervals: [{ start: 0, end: 1000 }],
    startedAt,
    status: 'running',
    factors: [],
    pieces: [],
    ...overrides,
  };
}

describe('MongoSessionStore', () => {
  it('saves, replaces by id, gets, filters newest first and deletes', async () => {
    const { reports, options } = collector('sessions_round_trip');
    const store = new MongoSessionStore(database.db, options);
    const done = session('s1', 1000, {
      status: 'completed',
      endedAt: 1500,
      factors: [{ factor: 'f', tool: 'clock', pieces: 1, documents: 3, durationMs: 2 }],
      pieces: [
        {
          workflow: 'w1',
          factor: 'f',
          plateValue: [['house', '1']],
          interval: { start: 0, end: 1000 },
          documents: 3,
          durationMs: 2,
        },
      ],
    });
    await store.save(session('s1', 1000));
    await store.save(done);
    await store.save(session('s2', 3000, { workflows: ['w2'] }));
    await store.save(
      session('s3', 2000, {
        status: 'failed',
        endedAt: 2100,
        error: { code: 'TOOL_EXECUTION_FAILED', message: 'boom', interval: { start: 0, end: 1 } },
      }),
    );
    expect(await store.get('s1')).toEqual(done);
    expect(await store.get('nope')).toBeUndefined();
    expect((await store.list()).map((s) => s.id)).toEqual(['s2', 's3', 's1']);
    expect((await store.list({ workflow: 'w1' })).map((s) => s.id)).toEqual(['s3', 's1']);
    expect((await store.list({ status: 'failed' })).map((s) => s.id)).toEqual(['s3']);
    expect((await store.list({ limit: 2 })).map((s) => s.id)).toEqual(['s2', 's3']);
    expect(await store.list({ limit: 0 })).toEqual([]);
    expect(await store.delete('s2')).toBe(true);
    expect(await store.delete('s2')).toBe(false);
    expect((await store.list()).map((s) => s.id)).toEqual(['s3', 's1']);
    // Times are dates in the database (sortable, TTL-indexable).
    const raw = await database.db.collection('sessions_round_trip').findOne({ _id: 's1' as never });
    expect(raw?.startedAt).toEqual(new Date(1000));
    expect(reports).toEqual([]);
  });

  it('skips corrupt sessions in a list, still giving `limit` valid ones, and refuses to get one', async () => {
    const { reports, options } = collector('sessions_corrupt');
    const store = new MongoSessionStore(database.db, options);
    for (let i = 1; i <= 4; i++) await store.save(session(`s${i}`, i * 1000));
    await database.db
      .collection<{ _id: string }>('sessions_corrupt')
      .updateOne({ _id: 's3' }, { $set: { status: 'exploded' } });
    expect((await store.list({ limit: 2 })).map((s) => s.id)).toEqual(['s4', 's2']);
    expect(reports.map((r) => [r.collection, r.id])).toEqual([['sessions_corrupt', 's3']]);
    expect(reports[0]!.problem).toMatch(/^status: /);
    await expect(store.get('s3')).rejects.toThrow(
      /document "s3" in collection "sessions_corrupt" is corrupt/,
    );
  });
});

describe('MongoSessionStore with many pieces', () => {
  const pieces = (count: number): SessionRecord['pieces'] =>
    Array.from({ length: count }, (_, i) => ({
      workflow: 'w1',
      factor: 'window_aggregate->per_house',
      plateValue: [['house', String(i % 7)]] as [string, string][],
      interval: { start: i * 1000, end: (i + 1) * 1000 },
      documents: i,
      durationMs: 0.5,
    }));

  it('keeps pieces past the document size limit in chunks, read back in order', async () => {
    const { reports, options } = collector('big_sessions');
    const store = new MongoSessionStore(database.db, { ...options, maxDocumentBytes: 4096 });
    const big = session('big', 1000, { status: 'completed', endedAt: 2000, pieces: pieces(200) });
    await store.save(session('big', 1000));
    await store.save(big);
    await store.save(session('small', 500, { pieces: pieces(3) }));
    const raw = await database.db.collection('big_sessions').findOne({ _id: 'big' as never });
    expect(raw?.pieces).toEqual([]);
    const chunks = await database.db.collection('big_sessions_pieces').countDocuments();
    expect(raw?.piecesChunks).toBe(chunks);
    expect(chunks).toBeGreaterThan(5);
    expect(await store.get('big')).toEqual(big);
    expect(await store.list()).toEqual([big, session('small', 500, { pieces: pieces(3) })]);

    // A lost chunk makes the session corrupt: reported in a list, refused by get.
    await database.db
      .collection('big_sessions_pieces')
      .deleteOne({ _id: { s: 'big', n: 2 } as never });
    expect((await store.list()).map((s) => s.id)).toEqual(['small']);
    expect(reports).toEqual([
      {
        collection: 'big_sessions',
        id: 'big',
        problem: `pieces chunks 2 of ${chunks} are missing from collection "big_sessions_pieces"`,
      },
    ]);
    await expect(store.get('big')).rejects.toThrow(/is corrupt: pieces chunks 2/);
    expect(await store.delete('big')).toBe(true);
    expect(await database.db.collection('big_sessions_pieces').countDocuments()).toBe(0);
  });
});

describe('an engine over stores with corrupt documents', () => {
  it('loads the rest and reports each corrupt document, by default as a process warning', async () => {
    const db = (await database.newClient()).db(`${database.name}_corrupt`);
    try {
      const first = await Engine.create(await createMongoEngineOptions({ db }));
      for (const house of ['1', '2']) await first.plates.addMetaData([], 'house', house);
      await first.plates.addMetaData([['house', '2']], 'resident', 'B');
      await first.plates.createPlate({ id: 'H', metaKey: 'house' });
      await first.plates.createPlate({ id: 'H.R', metaKey: 'resident', parent: 'H' });
      await first.plates.createPlate({ id: 'X', metaKey: 'house', include: ['1'] });
      await first.close();
      await db
        .collection<{ _id: string }>('meta_data')
        .updateOne({ _id: '[["house","2"]]' }, { $unset: { value: '' } });
      await db
        .collection<{ _id: string }>('plate_definitions')
        .updateOne({ _id: 'H' }, { $set: { metaKey: '' } });

      const warnings: Error[] = [];
      const onWarning = (warning: Error): void => {
        warnings.push(warning);
      };
      process.on('warning', onWarning);
      let engine: Engine;
      try {
        engine = await Engine.create(await createMongoEngineOptions({ db }));
        // Warnings are emitted on the next tick.
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off('warning', onWarning);
      }
      expect(engine.plates.tree.records()).toEqual([{ parent: [], key: 'house', value: '1' }]);
      expect(engine.plates.listPlates().map((p) => p.id)).toEqual(['X']);
      expect(engine.plates.values('X')).toEqual([[['house', '1']]]);
      const messages = warnings
        .filter((w) => (w as { code?: string }).code === 'HYPERSTREAM_INVALID_DOCUMENT')
        .map((w) => w.message);
      expect(messages).toHaveLength(4);
      for (const pattern of [
        /^skipped corrupt document "H" in collection "plate_definitions": metaKey: Too small/,
        /^skipped corrupt document "H.R" in collection "plate_definitions": its parent plate "H" is not stored/,
        /^skipped corrupt document "\[\[\\"house\\",\\"2\\"\]\]" in collection "meta_data": value: Invalid input/,
        /^skipped corrupt document ".*resident.*" in collection "meta_data": its parent \[\["house","2"\]\] is not stored/,
      ]) {
        expect(messages).toContainEqual(expect.stringMatching(pattern));
      }
      await engine.close();
    } finally {
      await db.dropDatabase();
    }
  });
});

describe('createMongoEngineOptions', () => {
  it('connects from a URI, creates the indexes, and engine.close() closes its client', async () => {
    const mongo = await createMongoEngineOptions({ uri: database.uri, database: database.name });
    const engine = await Engine.create(mongo);
    expect(engine.channels.list().map((c) => c.id)).toEqual(
      expect.arrayContaining(['mongo', 'assets', 'memory']),
    );
    expect(engine.environment.defaultChannel).toBe('mongo');
    const indexes = async (name: string): Promise<string[]> =>
      (await database.db.collection(name).indexes()).map((index) => String(index.name)).sort();
    expect(await indexes('meta_data')).toEqual(['_id_', 'ancestry_1']);
    expect(await indexes('sessions')).toEqual([
      '_id_',
      'startedAt_-1__id_-1',
      'workflows_1_startedAt_-1__id_-1',
    ]);
    expect(await indexes('stream_definitions')).toEqual(expect.arrayContaining(['_id_', 'name_1']));
    // Idempotent: a second setup on the same database creates nothing new and fails on nothing.
    const again = await createMongoEngineOptions({
      db: database.db,
      defaultChannel: false,
      assetsChannelId: false,
    });
    expect(again.defaultChannel).toBeUndefined();
    expect(again.channels.map((c) => c.id)).toEqual(['mongo']);
    await engine.plates.addMetaData([], 'house', '1');
    await engine.close();
    // The client is closed: a store names the operation and the collection in a StorageError.
    const failure = await mongo.stores.sessions.list().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StorageError);
    expect((failure as StorageError).message).toMatch(
      /^MongoDB session listing in collection "sessions" failed: .*; check/,
    );
    await mongo.close();
    expect(await database.db.collection('meta_data').countDocuments()).toBe(1);
  });

  it('fails with a StorageError when the server cannot be reached', async () => {
    const error = await createMongoEngineOptions({
      uri: 'mongodb://127.0.0.1:1',
      clientOptions: { serverSelectionTimeoutMS: 200 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(/MongoDB connection failed.*reachable/);
  });
});
