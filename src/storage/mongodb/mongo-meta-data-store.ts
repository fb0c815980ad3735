import type { Db } from 'mongodb';
import { z } from 'zod';
import type { MetaDataPath, MetaDataRecord, MetaDataStore } from '../meta-data-store.js';
import { metaDataRecordSchema, pathKey } from '../meta-data-store.js';
import type { PairDocuments } from './mongo-documents.js';
import { insertIfAbsent, pairsFromDocument, pairsToDocument } from './mongo-documents.js';
import type { MongoRecordStoreOptions } from './mongo-record-store.js';
import { DUPLICATE_KEY } from './mongo-errors.js';
import { MongoRecordStore, zodProblem } from './mongo-record-store.js';

/**
 * One node of the meta-data tree. `_id` is the node's path key (`[["country","NZ"],["city","Auckland"]]`),
 * so concurrent inserts of one node leave one document; `parent` is the parent's path as
 * `{k, v}` pairs (as a stream definition's `meta`); `ancestry` holds the path keys of the node and
 * of every ancestor, so a subtree is one indexed `deleteMany`.
 */
export interface MetaDataDocument {
  readonly _id: string;
  readonly parent: PairDocuments;
  readonly key: string;
  readonly value: string;
  readonly label?: string;
  readonly ancestry: readonly string[];
}

const documentSchema = metaDataRecordSchema.extend({
  _id: z.string().min(1),
  parent: z.array(z.strictObject({ k: z.string().min(1), v: z.string().min(1) })),
  ancestry: z.array(z.string()),
});

/** Paths per `deleteMany`, to keep each query small. */
const DELETE_BATCH = 1000;

/**
 * The meta-data tree in MongoDB (collection `meta_data` by default), one document per node.
 *
 * @remarks
 * Deleting a node deletes its whole subtree by `ancestry`, including children that another process
 * added (HyperStream left orphans behind). Loading skips, and reports, corrupt documents and the
 * nodes below them, so the rest of the tree still loads.
 *
 * @example
 * const metaData = new MongoMetaDataStore(client.db('hyperstream'));
 * const engine = await Engine.create({ stores: { metaData } });
 */
export class MongoMetaDataStore
  extends MongoRecordStore<MetaDataDocument>
  implements MetaDataStore
{
  constructor(db: Db, options: MongoRecordStoreOptions = {}) {
    super(db, 'meta_data', [{ key: { ancestry: 1 }, name: 'ancestry_1' }], options);
  }

  /** Every valid node whose ancestors are all stored and valid: by depth, then by path key. */
  async load(): Promise<MetaDataRecord[]> {
    await this.init();
    const raw = await this.guard('meta-data loading', {}, () =>
      this.collection.find({}).sort({ _id: 1 }).toArray(),
    );
    const parsed: MetaDataRecord[] = [];
    for (const document of raw) {
      const result = parseDocument(document);
      if (typeof result === 'string') this.report(document._id, result);
      else parsed.push(result);
    }
    parsed.sort((a, b) => a.parent.length - b.parent.length);
    const loaded = new Set<string>([pathKey([])]);
    const records: MetaDataRecord[] = [];
    for (const record of parsed) {
      const id = pathKey([...record.parent, [record.key, record.value]]);
      if (!loaded.has(pathKey(record.parent))) {
        this.report(
          id,
          `its parent ${pathKey(record.parent)} is not stored or is corrupt; re-add the parent or delete this node`,
        );
        continue;
      }
      loaded.add(id);
      records.push(record);
    }
    return records;
  }

  /**
   * Stores the node unless it is stored already: as in the tree, an existing node (perhaps added by
   * another process, with its label) is left as it is.
   */
  async insert(record: MetaDataRecord): Promise<void> {
    const path: MetaDataPath = [...record.parent, [record.key, record.value]];
    const document: MetaDataDocument = {
      _id: pathKey(path),
      parent: pairsToDocument(record.parent),
      key: record.key,
      value: record.value,
      ...(record.label !== undefined ? { label: record.label } : {}),
      ancestry: ancestryOf(path),
    };
    await this.init();
    await this.guard(`insert of meta-data ${document._id}`, {}, async () => {
      try {
        await this.collection.updateOne({ _id: document._id }, insertIfAbsent(document), {
          upsert: true,
        });
      } catch (error) {
        // Two processes inserting one node: the loser's upsert hits the winner's document.
        if ((error as { code?: unknown }).code !== DUPLICATE_KEY) throw error;
      }
    });
  }

  /** Deletes these nodes and everything stored below them. */
  async delete(paths: readonly MetaDataPath[]): Promise<void> {
    await this.init();
    const keys = paths.map(pathKey);
    await this.guard('meta-data deletion', { paths: keys.length }, async () => {
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        await this.collection.deleteMany({ ancestry: { $in: keys.slice(i, i + DELETE_BATCH) } });
      }
    });
  }
}

/** The path keys of every prefix of `path` (itself included, the root excluded). */
function ancestryOf(path: MetaDataPath): string[] {
  return path.map((_, i) => pathKey(path.slice(0, i + 1)));
}

/** The record of a document, or what is wrong with it. */
function parseDocument(raw: unknown): MetaDataRecord | string {
  const result = documentSchema.safeParse(raw);
  if (!result.success) return zodProblem(result.error);
  const { _id, ancestry, parent, ...rest } = result.data;
  const record: MetaDataRecord = { parent: pairsFromDocument(parent), ...rest };
  const path: MetaDataPath = [...record.parent, [record.key, record.value]];
  if (_id !== pathKey(path))
    return `_id is not the path key of its parent, key and value (${pathKey(path)})`;
  const expected = ancestryOf(path);
  if (ancestry.length !== expected.length || ancestry.some((key, i) => key !== expected[i])) {
    return `ancestry does not list the path keys of its ancestors (${JSON.stringify(expected)})`;
  }
  return record;
}
