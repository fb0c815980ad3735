import type { Db } from 'mongodb';
import { z } from 'zod';
import type { PlateConfig, PlateStore } from '../plate-store.js';
import { plateConfigSchema } from '../plate-store.js';
import type { MongoRecordStoreOptions } from './mongo-record-store.js';
import { MongoRecordStore, zodProblem } from './mongo-record-store.js';

/** One plate definition: the plate's config with its id as `_id`. */
export type PlateDocument = Omit<PlateConfig, 'id'> & { readonly _id: string };

const documentSchema = plateConfigSchema.omit({ id: true }).extend({ _id: z.string().min(1) });

/**
 * Plate definitions in MongoDB (collection `plate_definitions` by default), one document per
 * plate, keyed by the plate id.
 *
 * @remarks
 * Saving replaces the stored definition of that id. Loading skips, and reports, corrupt documents
 * and the plates whose parent plate is missing or corrupt, so the other plates still load.
 *
 * @example
 * const plates = new MongoPlateStore(client.db('hyperstream'));
 * const engine = await Engine.create({ stores: { plates } });
 */
export class MongoPlateStore extends MongoRecordStore<PlateDocument> implements PlateStore {
  constructor(db: Db, options: MongoRecordStoreOptions = {}) {
    super(db, 'plate_definitions', [], options);
  }

  async load(): Promise<PlateConfig[]> {
    await this.init();
    const raw = await this.guard('plate loading', {}, () =>
      this.collection.find({}).sort({ _id: 1 }).toArray(),
    );
    const pending = new Map<string, PlateConfig>();
    for (const document of raw) {
      const result = documentSchema.safeParse(document);
      if (!result.success) {
        this.report(document._id, zodProblem(result.error));
        continue;
      }
      const { _id, ...config } = result.data;
      pending.set(_id, { id: _id, ...config });
    }
    // Parents before children; a plate whose parent never resolves is reported, not fatal.
    const plates: PlateConfig[] = [];
    const loaded = new Set<string>();
    for (let progressed = true; progressed;) {
      progressed = false;
      for (const [id, config] of pending) {
        if (config.parent !== undefined && !loaded.has(config.parent)) continue;
        plates.push(config);
        loaded.add(id);
        pending.delete(id);
        progressed = true;
      }
    }
    for (const [id, config] of pending) {
      this.report(
        id,
        `its parent plate "${config.parent ?? ''}" is not stored, is corrupt or forms a cycle; store the parent or delete this plate`,
      );
    }
    return plates;
  }

  async save(plate: PlateConfig): Promise<void> {
    const { id, ...config } = plate;
    await this.put({ _id: id, ...config }, `save of plate "${id}"`);
  }

  async delete(id: string): Promise<void> {
    await this.remove(id, `deletion of plate "${id}"`);
  }
}
