import type { Collection } from 'mongodb';
import type { DefinitionDocument } from './mongo-documents.js';

/**
 * The indexes a store needs besides `_id`: instances need none (their compound `_id` is the
 * (stream, timestamp) index); definitions are looked up by name and by meta-data pairs.
 * `createIndexes` with the same specs is a no-op, so this runs on every start.
 */
export const DEFINITION_INDEXES = [
  { key: { name: 1 }, name: 'name_1' },
  { key: { 'meta.k': 1, 'meta.v': 1 }, name: 'meta_k_1_meta_v_1' },
] as const;

export async function ensureIndexes(definitions: Collection<DefinitionDocument>): Promise<void> {
  await definitions.createIndexes(
    DEFINITION_INDEXES.map((index) => ({ ...index, key: { ...index.key } })),
  );
}
