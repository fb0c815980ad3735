import { z } from 'zod';
import { MetaDataError } from '../errors.js';
import type { MetaDataPath, MetaDataRecord } from './meta-data-tree.js';
import { pathKey } from './meta-data-tree.js';
import type { PlateConfig } from './plate.js';

const pair = z.tuple([z.string().min(1), z.string().min(1)]);

/** Zod schema of a stored meta-data node. */
export const metaDataRecordSchema = z.strictObject({
  parent: z.array(pair),
  key: z.string().min(1),
  value: z.string().min(1),
  label: z.string().optional(),
});

/** Zod schema of a stored plate definition. */
export const plateConfigSchema = z.strictObject({
  id: z.string().min(1),
  metaKey: z.string().min(1),
  parent: z.string().min(1).optional(),
  filter: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('all') }),
    z.strictObject({ kind: z.literal('include'), values: z.array(z.string().min(1)).min(1) }),
    z.strictObject({ kind: z.literal('exclude'), values: z.array(z.string().min(1)) }),
  ]),
  description: z.string().optional(),
});

/** Where the meta-data tree is persisted (in memory by default; MongoDB later). Plain JSON records. */
export interface MetaDataStore {
  /** Every stored node (any order: the loader sorts by depth). */
  load(): Promise<MetaDataRecord[]>;
  insert(record: MetaDataRecord): Promise<void>;
  /** Deletes the nodes at these paths (a whole subtree is passed, so nothing is orphaned). */
  delete(paths: readonly MetaDataPath[]): Promise<void>;
  /** Releases what the store holds (a database client it owns); optional. */
  close?(): Promise<void>;
}

/** Where plate definitions are persisted. */
export interface PlateStore {
  load(): Promise<PlateConfig[]>;
  save(plate: PlateConfig): Promise<void>;
  delete(id: string): Promise<void>;
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
        {
          index,
        },
      );
    }
    return result.data;
  });
}

/** Parses stored plate definitions with zod; `MetaDataError` naming the bad plate. */
export function parsePlateConfigs(raw: readonly unknown[]): PlateConfig[] {
  return raw.map((item, index) => {
    const result = plateConfigSchema.safeParse(item);
    if (!result.success) {
      throw new MetaDataError(
        `stored plate definition ${index} is invalid: ${z.prettifyError(result.error)}`,
        {
          index,
        },
      );
    }
    return result.data;
  });
}

/** The in-memory meta-data store: keeps JSON text, so loading goes through the same validation as a database. */
export class MemoryMetaDataStore implements MetaDataStore {
  readonly #records = new Map<string, string>();

  load(): Promise<MetaDataRecord[]> {
    return Promise.resolve().then(() =>
      parseMetaDataRecords([...this.#records.values()].map((text) => JSON.parse(text) as unknown)),
    );
  }

  insert(record: MetaDataRecord): Promise<void> {
    this.#records.set(
      pathKey([...record.parent, [record.key, record.value]]),
      JSON.stringify(record),
    );
    return Promise.resolve();
  }

  delete(paths: readonly MetaDataPath[]): Promise<void> {
    for (const path of paths) this.#records.delete(pathKey(path));
    return Promise.resolve();
  }
}

/** The in-memory plate store. */
export class MemoryPlateStore implements PlateStore {
  readonly #plates = new Map<string, string>();

  load(): Promise<PlateConfig[]> {
    return Promise.resolve().then(() =>
      parsePlateConfigs([...this.#plates.values()].map((text) => JSON.parse(text) as unknown)),
    );
  }

  save(plate: PlateConfig): Promise<void> {
    this.#plates.set(plate.id, JSON.stringify(plate));
    return Promise.resolve();
  }

  delete(id: string): Promise<void> {
    this.#plates.delete(id);
    return Promise.resolve();
  }
}
