import type { MetaDataPath, MetaDataRecord, MetaDataStore } from '../meta-data-store.js';
import { parseMetaDataRecords, pathKey } from '../meta-data-store.js';

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
