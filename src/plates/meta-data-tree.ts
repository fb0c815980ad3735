import { MetaDataError } from '../errors.js';
import { StreamId } from '../streams/stream-id.js';
import type { MetaDataPath, MetaDataRecord } from '../storage/meta-data-store.js';

interface TreeNode {
  readonly key: string;
  readonly value: string;
  readonly label: string | undefined;
  readonly path: MetaDataPath;
  readonly children: Map<string, TreeNode>;
}

/** HyperStream's identifier of a path: `country_NZ.city_Auckland` (`root` for the root). */
export function pathIdentifier(path: MetaDataPath): string {
  return path.length === 0 ? 'root' : path.map(([k, v]) => `${k}_${v}`).join('.');
}

function childKey(key: string, value: string): string {
  return JSON.stringify([key, value]);
}

/**
 * The meta-data tree: root → `country=NZ` → `city=Auckland` … Nodes are identified by their path.
 * Deleting a node deletes its subtree (HyperStream left orphaned children behind). Every change
 * bumps {@link MetaDataTree.version}, so plates recompute their values instead of freezing them.
 */
export class MetaDataTree {
  readonly #root: TreeNode = {
    key: '',
    value: '',
    label: undefined,
    path: [],
    children: new Map(),
  };
  #version = 0;

  /** Changes on every insert or delete. */
  get version(): number {
    return this.#version;
  }

  /** True when the path exists (the empty path is the root). */
  has(path: MetaDataPath): boolean {
    return this.#find(path) !== undefined;
  }

  /**
   * Adds `key=value` under `parent`. `MetaDataError` when the parent is missing or the node exists
   * (use {@link MetaDataTree.ensure} to add only when missing). Returns the new node's path.
   */
  insert(parent: MetaDataPath, key: string, value: string, label?: string): MetaDataPath {
    const node = this.#parentFor(parent, key, value);
    if (node.children.has(childKey(key, value))) {
      throw new MetaDataError(
        `meta-data "${pathIdentifier([...parent, [key, value]])}" already exists: use ensure() to add it only when missing`,
        { parent: pathIdentifier(parent), key, value },
      );
    }
    return this.#add(node, key, value, label);
  }

  /** Adds `key=value` under `parent` unless it exists; true when it was added. */
  ensure(parent: MetaDataPath, key: string, value: string, label?: string): boolean {
    const node = this.#parentFor(parent, key, value);
    if (node.children.has(childKey(key, value))) return false;
    this.#add(node, key, value, label);
    return true;
  }

  /** Deletes a node and its whole subtree; returns the deleted paths, deepest first. */
  delete(path: MetaDataPath): MetaDataPath[] {
    if (path.length === 0) {
      throw new MetaDataError(
        'cannot delete the root of the meta-data tree: delete its children instead',
      );
    }
    const parent = this.#find(path.slice(0, -1));
    const last = path[path.length - 1]!;
    const node = parent?.children.get(childKey(last[0], last[1]));
    if (!parent || !node) {
      throw new MetaDataError(`meta-data "${pathIdentifier(path)}" not found: nothing to delete`, {
        path: pathIdentifier(path),
      });
    }
    const removed: MetaDataPath[] = [];
    const visit = (n: TreeNode): void => {
      for (const child of n.children.values()) visit(child);
      removed.push(n.path);
    };
    visit(node);
    parent.children.delete(childKey(last[0], last[1]));
    this.#version++;
    return removed;
  }

  /** The label of a node (its value unless a label was given). */
  label(path: MetaDataPath): string | undefined {
    const node = this.#find(path);
    return node && path.length ? (node.label ?? node.value) : undefined;
  }

  /** Paths of the children of `path` whose key is `key` (all children when `key` is omitted). */
  children(path: MetaDataPath, key?: string): MetaDataPath[] {
    const node = this.#find(path);
    if (!node) return [];
    const out: MetaDataPath[] = [];
    for (const child of node.children.values())
      if (key === undefined || child.key === key) out.push(child.path);
    return out;
  }

  /** Every node as a record, parents before children (the order to store and reload them). */
  records(): MetaDataRecord[] {
    const out: MetaDataRecord[] = [];
    const visit = (node: TreeNode): void => {
      for (const child of node.children.values()) {
        out.push({
          parent: node.path,
          key: child.key,
          value: child.value,
          ...(child.label !== undefined ? { label: child.label } : {}),
        });
        visit(child);
      }
    };
    visit(this.#root);
    return out;
  }

  /**
   * The tree, one node a line, as `identifier[key:value]` (the form HyperStream's maintainers
   * agreed reads best), e.g. `└── country_NZ.city_Auckland[city:Auckland]`.
   */
  toString(): string {
    const lines = ['root'];
    const visit = (node: TreeNode, indent: string): void => {
      const children = [...node.children.values()];
      children.forEach((child, index) => {
        const last = index === children.length - 1;
        lines.push(
          `${indent}${last ? '└── ' : '├── '}${pathIdentifier(child.path)}[${child.key}:${child.value}]`,
        );
        visit(child, indent + (last ? '    ' : '│   '));
      });
    };
    visit(this.#root, '');
    return lines.join('\n');
  }

  #parentFor(parent: MetaDataPath, key: string, value: string): TreeNode {
    if (typeof key !== 'string' || key === '' || typeof value !== 'string' || value === '') {
      throw new MetaDataError(
        `invalid meta-data ${describe(key)}=${describe(value)}: key and value must be non-empty strings`,
      );
    }
    if (!Array.isArray(parent)) {
      throw new MetaDataError(
        `cannot add "${key}=${value}": the parent must be a path of [key, value] pairs`,
      );
    }
    // A plate value must be able to name a stream: apply the stream-id rules now, not at run time.
    try {
      StreamId.of('_', [[key, value]]);
    } catch (error) {
      throw new MetaDataError(
        `invalid meta-data ${describe(key)}=${describe(value)}: ${(error as Error).message}`,
        {
          key,
          value,
        },
      );
    }
    const node = this.#find(parent);
    if (!node) {
      throw new MetaDataError(
        `cannot add "${key}=${value}": parent "${pathIdentifier(parent)}" is not in the meta-data tree; add the parent first`,
        { parent: pathIdentifier(parent), key, value },
      );
    }
    if (parent.some(([k]) => k === key)) {
      throw new MetaDataError(
        `cannot add "${key}=${value}" under "${pathIdentifier(parent)}": the key "${key}" is already used by an ancestor`,
        { parent: pathIdentifier(parent), key, value },
      );
    }
    return node;
  }

  #add(parent: TreeNode, key: string, value: string, label: string | undefined): MetaDataPath {
    const path: MetaDataPath = Object.freeze([
      ...parent.path,
      Object.freeze([key, value] as const),
    ]);
    parent.children.set(childKey(key, value), { key, value, label, path, children: new Map() });
    this.#version++;
    return path;
  }

  #find(path: MetaDataPath): TreeNode | undefined {
    let node: TreeNode | undefined = this.#root;
    for (const [k, v] of path) {
      node = node.children.get(childKey(k, v));
      if (!node) return undefined;
    }
    return node;
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `(${typeof value})`;
}
