import type { PlateConfig, PlateStore } from '../plate-store.js';
import { parsePlateConfigs } from '../plate-store.js';

/** The in-memory plate store: keeps JSON text, so loading goes through the same validation as a database. */
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
