import type { Collection, Document, IndexDescription } from 'mongodb';
import { MongoNetworkError } from 'mongodb';
import type { DefinitionDocument } from './mongo-documents.js';

/**
 * The indexes a store needs besides `_id`: instances and interval versions need none (their
 * compound `_id`s are the (stream, timestamp) and (stream, version) indexes); definitions are
 * looked up by name and by whole `{k, v}` meta-data elements. `createIndexes` with the same specs
 * is a no-op, so this runs on every start.
 */
export const DEFINITION_INDEXES = [
  { key: { name: 1 }, name: 'name_1' },
  { key: { meta: 1 }, name: 'meta_1' },
] as const;

export async function ensureIndexes(definitions: Collection<DefinitionDocument>): Promise<void> {
  await createIndexes(
    definitions,
    DEFINITION_INDEXES.map((index) => ({ ...index, key: { ...index.key } })),
  );
}

/** Attempts per index when the server closes the connection. */
const INDEX_ATTEMPTS = 3;

/**
 * Creates indexes, one `createIndexes` command per index (a no-op for one that exists).
 *
 * @remarks
 * One at a time because FerretDB v1.24 panics, and closes the connection, on a `createIndexes`
 * of two or more indexes that all exist already: every start after the first. A connection
 * closed anyway (a server racing itself on the same index) is retried: the command is
 * idempotent.
 */
export async function createIndexes<TDocument extends Document>(
  collection: Collection<TDocument>,
  indexes: readonly IndexDescription[],
): Promise<void> {
  for (const index of indexes) {
    for (let attempt = 1; ; attempt++) {
      try {
        await collection.createIndexes([index]);
        break;
      } catch (error) {
        if (!(error instanceof MongoNetworkError) || attempt >= INDEX_ATTEMPTS) throw error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }
}
