import { InvalidArgumentError, MetaDataError, PlateNotFoundError } from '../errors.js';
import { canonicalJson } from '../internal/canonical-json.js';
import { MemoryMetaDataStore } from '../storage/memory/memory-meta-data-store.js';
import { MemoryPlateStore } from '../storage/memory/memory-plate-store.js';
import type { MetaDataPath, MetaDataStore } from '../storage/meta-data-store.js';
import { pathKey } from '../storage/meta-data-store.js';
import type { PlateConfig, PlateFilter, PlateStore } from '../storage/plate-store.js';
import { MetaDataTree } from './meta-data-tree.js';
import type { PlateValue } from './plate.js';
import { Plate, combinePlateValues, toPlateValue } from './plate.js';

/** How to create a plate. Give at most one of `include` (a whitelist) and `exclude` (a complement). */
export interface CreatePlateOptions {
  readonly id: string;
  /** The meta-data key it loops over, e.g. `city`. */
  readonly metaKey: string;
  /** The parent plate's id, e.g. `C` for `C.C`. */
  readonly parent?: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly description?: string;
}

/** Where the plate manager keeps its state. */
export interface PlateManagerOptions {
  readonly metaDataStore?: MetaDataStore;
  readonly plateStore?: PlateStore;
}

/**
 * Owns the meta-data tree and the plates, and persists both through small stores. Plate values
 * follow the tree: add meta-data and every plate over that key sees it.
 *
 * @example
 * const plates = await PlateManager.create();
 * await plates.addMetaData([], 'country', 'NZ');
 * await plates.addMetaData([['country', 'NZ']], 'city', 'Auckland');
 * plates.createPlate({ id: 'C', metaKey: 'country' });
 * await plates.createPlate({ id: 'C.C', metaKey: 'city', parent: 'C' });
 */
export class PlateManager {
  readonly tree = new MetaDataTree();
  readonly #plates = new Map<string, Plate>();
  readonly #metaDataStore: MetaDataStore;
  readonly #plateStore: PlateStore;

  private constructor(options: PlateManagerOptions) {
    this.#metaDataStore = options.metaDataStore ?? new MemoryMetaDataStore();
    this.#plateStore = options.plateStore ?? new MemoryPlateStore();
  }

  /** Loads the stored tree (parents before children, whatever the stored order) and plates (parents first). */
  static async create(options: PlateManagerOptions = {}): Promise<PlateManager> {
    const manager = new PlateManager(options);
    await manager.refresh();
    return manager;
  }

  /**
   * Brings the tree and plates in line with the stores: what other processes sharing them added
   * or deleted. Engines on persistent stores call this before each run, so a plate never runs
   * over stale values (and records intervals over streams it did not know about).
   */
  async refresh(): Promise<void> {
    const records = await this.#metaDataStore.load();
    records.sort((a, b) => a.parent.length - b.parent.length);
    const stored = new Set<string>();
    for (const record of records) {
      this.tree.ensure(record.parent, record.key, record.value, record.label);
      stored.add(pathKey([...record.parent, [record.key, record.value]]));
    }
    for (const record of this.tree.records()) {
      const path: MetaDataPath = [...record.parent, [record.key, record.value]];
      if (!stored.has(pathKey(path)) && this.tree.has(path)) this.tree.delete(path);
    }
    const pending = new Map(
      (await this.#plateStore.load())
        .filter((config) => !this.#plates.has(config.id))
        .map((config) => [config.id, config]),
    );
    // Parents first, by dependency rather than id order (HyperStream broke when a child id sorted first).
    while (pending.size) {
      let progressed = false;
      for (const [id, config] of pending) {
        if (config.parent === undefined || this.#plates.has(config.parent)) {
          this.#register(config);
          pending.delete(id);
          progressed = true;
        }
      }
      if (!progressed) {
        throw new MetaDataError(
          `stored plates ${[...pending.keys()].join(', ')} refer to parent plates that do not exist: create the parents or delete these plates`,
          { plates: [...pending.keys()] },
        );
      }
    }
  }

  /**
   * Adds `key=value` under `parent` (the root when `[]`; a path as pairs or an object such as
   * `{ country: 'NZ' }`, ancestors first) and stores it.
   */
  async addMetaData(
    given: MetaDataPathInput,
    key: string,
    value: string,
    label?: string,
  ): Promise<MetaDataPath> {
    const parent = pathOf(given);
    const path = this.tree.insert(parent, key, value, label);
    await this.#metaDataStore.insert({
      parent,
      key,
      value,
      ...(label !== undefined ? { label } : {}),
    });
    return path;
  }

  /** Adds `key=value` under `parent` (pairs or an object) unless it exists; true when added. */
  async ensureMetaData(
    given: MetaDataPathInput,
    key: string,
    value: string,
    label?: string,
  ): Promise<boolean> {
    const parent = pathOf(given);
    if (!this.tree.ensure(parent, key, value, label)) return false;
    await this.#metaDataStore.insert({
      parent,
      key,
      value,
      ...(label !== undefined ? { label } : {}),
    });
    return true;
  }

  /** Deletes a meta-data node (pairs or an object) and its subtree, in the tree and in the store. */
  async deleteMetaData(given: MetaDataPathInput): Promise<MetaDataPath[]> {
    const removed = this.tree.delete(pathOf(given));
    await this.#metaDataStore.delete(removed);
    return removed;
  }

  /**
   * Creates a plate, or returns the existing one when it has exactly this definition;
   * `MetaDataError` when the id is taken by a different definition.
   */
  async createPlate(options: CreatePlateOptions): Promise<Plate> {
    const config = plateConfigOf(options);
    const existing = this.#plates.get(config.id);
    if (existing) {
      if (sameDefinition(existing.toConfig(), config)) return existing;
      throw new MetaDataError(
        `plate "${config.id}" already exists with a different definition (${describeConfig(existing.toConfig())}); ` +
          `delete it first or choose another id`,
        { plate: config.id },
      );
    }
    if (config.parent !== undefined) this.getPlate(config.parent);
    const plate = this.#register(config);
    await this.#plateStore.save(config);
    return plate;
  }

  /** The plate with that id; `PlateNotFoundError` listing the known ids otherwise. */
  getPlate(id: string): Plate {
    const plate = this.#plates.get(id);
    if (!plate) {
      throw new PlateNotFoundError(
        `plate "${id}" not found; known plates: ${[...this.#plates.keys()].sort().join(', ') || '(none)'}`,
        { plate: id },
      );
    }
    return plate;
  }

  hasPlate(id: string): boolean {
    return this.#plates.has(id);
  }

  listPlates(): Plate[] {
    return [...this.#plates.values()];
  }

  /** The current values of a plate. */
  values(id: string): PlateValue[] {
    return this.getPlate(id).values();
  }

  /** The plate values of a node on these plates (nested plates collapse, others multiply). */
  combine(ids: readonly string[]): PlateValue[] {
    return combinePlateValues(ids.map((id) => this.getPlate(id)));
  }

  /**
   * Deletes a plate (child plates must be deleted first) and, when asked, the meta-data of its
   * values with their subtrees. Returns false for an unknown id.
   */
  async deletePlate(id: string, options: { deleteMetaData?: boolean } = {}): Promise<boolean> {
    const plate = this.#plates.get(id);
    if (!plate) return false;
    const children = this.listPlates().filter((p) => p.parent?.id === id);
    if (children.length) {
      throw new MetaDataError(
        `plate "${id}" has child plates ${children.map((p) => p.id).join(', ')}: delete them first`,
        { plate: id },
      );
    }
    if (options.deleteMetaData) {
      for (const value of plate.values())
        if (this.tree.has(value)) await this.deleteMetaData(value);
    }
    this.#plates.delete(id);
    await this.#plateStore.delete(id);
    return true;
  }

  /** The tree followed by the plates, for people. */
  toString(): string {
    const plates = this.listPlates().map(
      (p) =>
        `${p.id}: ${p.keys.join('.')} (${p.values().length} values${p.parent ? `, parent ${p.parent.id}` : ''})`,
    );
    return `${this.tree.toString()}\n${plates.join('\n')}`;
  }

  #register(config: PlateConfig): Plate {
    const parent = config.parent === undefined ? undefined : this.getPlate(config.parent);
    if (parent?.keys.includes(config.metaKey)) {
      throw new MetaDataError(
        `plate "${config.id}" loops over "${config.metaKey}", which its parent plate "${parent.id}" already covers: choose another meta-data key`,
        { plate: config.id },
      );
    }
    const plate = new Plate(config, parent, this.tree);
    this.#plates.set(config.id, plate);
    return plate;
  }
}

function plateConfigOf(options: CreatePlateOptions): PlateConfig {
  if (
    typeof options.id !== 'string' ||
    options.id === '' ||
    typeof options.metaKey !== 'string' ||
    options.metaKey === ''
  ) {
    throw new InvalidArgumentError('a plate needs a non-empty id and metaKey');
  }
  if (options.include && options.exclude) {
    throw new InvalidArgumentError(
      `plate "${options.id}": give either include (a whitelist) or exclude (a complement), not both`,
    );
  }
  if (options.include && options.include.length === 0) {
    throw new InvalidArgumentError(
      `plate "${options.id}": an empty include list selects nothing; omit it to take all values`,
    );
  }
  const filter: PlateFilter = options.include
    ? { kind: 'include', values: [...options.include] }
    : options.exclude
      ? { kind: 'exclude', values: [...options.exclude] }
      : { kind: 'all' };
  return {
    id: options.id,
    metaKey: options.metaKey,
    ...(options.parent !== undefined ? { parent: options.parent } : {}),
    filter,
    ...(options.description ? { description: options.description } : {}),
  };
}

function sameDefinition(a: PlateConfig, b: PlateConfig): boolean {
  const strip = (c: PlateConfig): unknown => ({ ...c, description: undefined });
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}

function describeConfig(config: PlateConfig): string {
  const filter =
    config.filter.kind === 'all'
      ? 'all values'
      : `${config.filter.kind} ${config.filter.values.join(', ')}`;
  return `meta-data key "${config.metaKey}", ${config.parent ? `parent "${config.parent}", ` : ''}${filter}`;
}

/** A meta-data path: pairs, or an object such as `{ country: 'NZ' }` (ancestors first). */
export type MetaDataPathInput = MetaDataPath | Readonly<Record<string, string | number | boolean>>;

/** Pairs as they are; an object in its key order. */
function pathOf(given: MetaDataPathInput): MetaDataPath {
  return Array.isArray(given) ? (given as MetaDataPath) : toPlateValue(given);
}
