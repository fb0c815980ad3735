import { z } from 'zod';
import { MetaDataError } from '../errors.js';
import type { MetaDataPair } from '../streams/stream-id.js';

/**
 * A path from the root of the meta-data tree, ancestors first, e.g.
 * `[['country', 'NZ'], ['city', 'Auckland']]`. This is also what a plate value is.
 */
export type MetaDataPath = readonly MetaDataPair[];

const pair = z.tuple([z.string().min(1), z.string().min(1)]).readonly();

/** Zod schema of a stored meta-data node: its key/value and the path of its parent. */
export const metaDataRecordSchema = z.strictObject({
  parent: z.array(pair).readonly(),
  key: z.string().min(1),
  value: z.string().min(1),
  label: z.string().optional(),
});

/** One node of the meta-data tree as stored. */
export type MetaDataRecord = z.infer<typeof metaDataRecordSchema>;

/** An unambiguous string key for a path (identifiers are ambiguous when values hold `_` or `.`). */
export function pathKey(path: MetaDataPath): string {
  return JSON.stringify(path);
}

/** Where the meta-data tree is persisted. Plain JSON records. */
export interface MetaDataStore {
  /** Every stored node (any order: the loader sorts by depth). */
  load(): Promise<MetaDataRecord[]>;
  insert(record: MetaDataRecord): Promise<void>;
  /** Deletes the nodes at these paths and everything stored below them (nothing is orphaned). */
  delete(paths: readonly MetaDataPath[]): Promise<void>;
  /** Releases what the store holds (a database client it owns); optional. */
  close?(): Promise<void>;
}

/** Parses stored meta-data records with zod; `MetaDataError` naming the bad record. */
export function parseMetaDataRecords(raw: readonly unknown[]): MetaDataRecord[] {
  return raw.map((item, index) => {
    const result = metaDataRecordSchema.safeParse(item);
    if (!result.success) {
      throw new MetaDataError(
        `stored meta-data record ${index} is invalid: ${z.prettifyError(result.error)}`,
        { index },
      );
    }
    return result.data;
  });
}
