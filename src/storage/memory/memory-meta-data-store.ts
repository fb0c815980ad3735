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

  /** Deletes these nodes and everything stored below them. */
  delete(paths: readonly MetaDataPath[]): Promise<void> {
    for (const path of paths) {
      const key = pathKey(path);
      // A descendant's path key starts with its ancestor's, less the closing bracket, then `,`.
      const below = `${key.slice(0, -1)},`;
      for (const stored of [...this.#records.keys()]) {
        if (stored === key || stored.startsWith(below)) this.#records.delete(stored);
      }
    }
    return Promise.resolve();
  }
}
