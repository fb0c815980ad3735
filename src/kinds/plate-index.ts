import type { PlateValue } from '../plates/plate.js';
import { plateValueKey } from '../plates/plate.js';
import { StreamId } from '../streams/stream-id.js';
import type { Node } from './node.js';

/** Plate values sharing their value without one meta-data key (a multi-output unit, an aggregate's sink). */
export interface PlateGroup {
  /** The shared value without the key. */
  readonly parent: PlateValue;
  /** The grouped values, with their value of the key. */
  readonly members: readonly { readonly value: PlateValue; readonly keyValue: string }[];
}

interface NodeIndex {
  version: number;
  keys: Set<string> | undefined;
  readonly byKey: Map<string, Map<string, PlateGroup>>;
}

/**
 * What planning and execution ask about nodes' plate values, cached until the meta-data tree
 * changes: the values, membership, groupings by one key, and stream ids. Plate values are the
 * tree's own (immutable) arrays, reused across runs, so ids are built and validated once per
 * (node, value), not once per piece.
 */
export class PlateIndex {
  readonly #version: () => number;
  readonly #nodes = new WeakMap<Node, NodeIndex>();
  readonly #ids = new WeakMap<Node, WeakMap<PlateValue, StreamId>>();
  readonly #named = new WeakMap<object, WeakMap<PlateValue, StreamId>>();
  readonly #memo = new WeakMap<object, WeakMap<PlateValue, { version: number; value: unknown }>>();

  /** `version` tells when the meta-data tree changed (`plates.tree.version`). */
  constructor(version: () => number) {
    this.#version = version;
  }

  /** The node's current plate values. */
  values(node: Node): readonly PlateValue[] {
    return node.plateValues();
  }

  /** True when `value` is one of the node's current plate values. */
  has(node: Node, value: PlateValue): boolean {
    const index = this.#index(node);
    index.keys ??= new Set(node.plateValues().map(plateValueKey));
    return index.keys.has(plateValueKey(value));
  }

  /** The node's plate values grouped by their value without `key`, keyed by the group's plate value key. */
  groups(node: Node, key: string): ReadonlyMap<string, PlateGroup> {
    const index = this.#index(node);
    let groups = index.byKey.get(key);
    if (!groups) {
      groups = new Map();
      for (const value of node.plateValues()) {
        const parent = value.filter(([k]) => k !== key);
        const parentKey = plateValueKey(parent);
        let group = groups.get(parentKey);
        if (!group) groups.set(parentKey, (group = { parent, members: [] }));
        const pair = value.find(([k]) => k === key);
        if (pair)
          (group.members as { value: PlateValue; keyValue: string }[]).push({
            value,
            keyValue: pair[1],
          });
      }
      index.byKey.set(key, groups);
    }
    return groups;
  }

  /** The members of the group of `value` (the values of `node` that extend it by `key`). */
  members(node: Node, key: string, value: PlateValue): PlateGroup['members'] {
    return this.groups(node, key).get(plateValueKey(value))?.members ?? [];
  }

  /**
   * The streams of `nodes` whose plate value without `key` is `value`, with their value of `key`:
   * what an aggregate or a selector reads for one plate value of its sink.
   */
  under(
    nodes: readonly Node[],
    key: string,
    value: PlateValue,
  ): { readonly node: Node; readonly value: PlateValue; readonly keyValue: string }[] {
    const out: { node: Node; value: PlateValue; keyValue: string }[] = [];
    for (const node of nodes) {
      for (const member of this.members(node, key, value)) out.push({ node, ...member });
    }
    return out;
  }

  /** A stream named `name` for a plate value, built once per (owner, value): bookkeeping streams. */
  named(owner: object, name: string, value: PlateValue): StreamId {
    let byValue = this.#named.get(owner);
    if (!byValue) this.#named.set(owner, (byValue = new WeakMap()));
    let id = byValue.get(value);
    if (!id) byValue.set(value, (id = StreamId.of(name, value)));
    return id;
  }

  /**
   * `build()` for (owner, value), computed once per meta-data tree version: what planning asks
   * again and again of the same factor and plate value (its sink streams).
   */
  memo<T>(owner: object, value: PlateValue, build: () => T): T {
    const version = this.#version();
    let byValue = this.#memo.get(owner);
    if (!byValue) this.#memo.set(owner, (byValue = new WeakMap()));
    const hit = byValue.get(value);
    if (hit?.version === version) return hit.value as T;
    const built = build();
    byValue.set(value, { version, value: built });
    return built;
  }

  /** The stream of a node for a plate value, built once per (node, value). */
  streamId(node: Node, value: PlateValue): StreamId {
    let byValue = this.#ids.get(node);
    if (!byValue) this.#ids.set(node, (byValue = new WeakMap()));
    let id = byValue.get(value);
    if (!id) byValue.set(value, (id = node.streamId(value)));
    return id;
  }

  #index(node: Node): NodeIndex {
    const version = this.#version();
    let index = this.#nodes.get(node);
    if (index?.version !== version) {
      index = { version, keys: undefined, byKey: new Map() };
      this.#nodes.set(node, index);
    }
    return index;
  }
}
