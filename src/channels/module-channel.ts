import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PathOutsideRootError, StorageError } from '../errors.js';
import { isFileNameRejection } from './file-name.js';
import { compareVersions } from '../internal/versions.js';
import { parseModuleFileName } from './module-file-name.js';
import type {
  ClassifiedFile,
  FileChannelOptions,
  FileDocument,
  FileEntry,
} from './file-channel.js';
import { FileChannel } from './file-channel.js';

/** A versioned code module: `tools/clock/2024-01-15_v1.0.0.ts`. */
export interface ModuleDocument extends FileDocument {
  /** The semantic version in the file name. */
  readonly version: string;
}

/**
 * Imports a module file and returns its namespace (its exports), e.g. `(path) => import(path)`
 * where the runtime already understands TypeScript (Vitest, tsx).
 */
export type ImportModule = (path: string, document: ModuleDocument) => Promise<unknown>;

/** Options of a {@link ModuleChannel}. */
export interface ModuleChannelOptions extends Omit<FileChannelOptions, 'loader' | 'loaders'> {
  /** How module files are imported; default {@link importModuleWithTsx}. */
  readonly importModule?: ImportModule;
}

/**
 * A file channel whose documents are code modules named `<ISO date>_v<semver>.ts` (or `.mts`,
 * `.js`, `.mjs`), e.g. `tools/clock/2024-01-15_v1.0.0.ts`. The document time is the date in the
 * name; the value is the imported module, loaded only when read.
 *
 * @remarks
 * When several versions share a date, reads see the highest version at that time; every version
 * stays listed in {@link FileChannel.documents}. Modules are cached by path and modification time,
 * so a file changed on disk is imported again after {@link FileChannel.refresh}.
 */
export class ModuleChannel extends FileChannel<ModuleDocument> {
  override readonly kind: string = 'module';
  readonly #importModule: ImportModule;
  readonly #cache = new Map<
    string,
    { readonly mtimeMs: number; readonly module: Promise<unknown> }
  >();

  constructor(options: ModuleChannelOptions) {
    super({ ...options, id: options.id ?? 'modules' });
    this.#importModule = options.importModule ?? importModuleWithTsx;
  }

  /** Imports a module document (once per file version); errors are the importer's, unwrapped. */
  async importDocument(document: ModuleDocument): Promise<unknown> {
    await this.assertInsideRoot(document.path);
    const cached = this.#cache.get(document.path);
    if (cached && cached.mtimeMs === document.mtimeMs) return await cached.module;
    const module = this.#importModule(document.path, document);
    this.#cache.set(document.path, { mtimeMs: document.mtimeMs, module });
    return await module;
  }

  override async refresh(): Promise<void> {
    await super.refresh();
    const present = new Set<string>();
    for (const stream of await this.streamNames()) {
      for (const doc of await this.documents(stream)) present.add(doc.path);
    }
    for (const path of this.#cache.keys()) if (!present.has(path)) this.#cache.delete(path);
  }

  protected override classify(entry: FileEntry): ClassifiedFile<ModuleDocument> {
    const parsed = parseModuleFileName(entry.fileName);
    if (isFileNameRejection(parsed)) return parsed;
    return {
      ...entry,
      timestamp: parsed.timestamp,
      version: parsed.version,
      extension: parsed.extension,
    };
  }

  protected override compareSameTime(a: ModuleDocument, b: ModuleDocument): number {
    return compareVersions(a.version, b.version);
  }

  // Versions sharing a date are all reachable by version: nothing to report.
  protected override shadowedReason(): string | undefined {
    return undefined;
  }

  protected override async load(document: ModuleDocument): Promise<unknown> {
    return await this.importDocument(document);
  }

  protected override loadError(document: ModuleDocument, error: unknown): Error {
    if (error instanceof PathOutsideRootError) return error;
    return new StorageError(
      `cannot import module "${document.path}" of channel "${this.id}": ${error instanceof Error ? error.message : String(error)}; fix or remove the file`,
      { channel: this.id, stream: document.stream, path: document.path, version: document.version },
      error,
    );
  }
}

type TsxImport = (specifier: string, parentUrl: string) => Promise<unknown>;
let tsxImport: Promise<TsxImport> | undefined;

/**
 * The package's own tsconfig.json, present in a source checkout only: its `paths` point
 * `hyperstream-ts` at the source, so tool files written against the package name (the built-in
 * tools, plugins) run from source there. An installed package has none and resolves the name to
 * its built files.
 */
const SOURCE_TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));

/**
 * The default importer: tsx's loader API, so TypeScript modules load with no build step. One tsx
 * namespace is registered for the whole process (one loader hook, modules shared between
 * files); the file's modification time goes in the URL so a changed file is evaluated afresh.
 */
export async function importModuleWithTsx(
  path: string,
  document: ModuleDocument,
): Promise<unknown> {
  tsxImport ??= import('tsx/esm/api').then(({ register }) => {
    const api = register({
      namespace: 'hyperstream-modules',
      ...(existsSync(SOURCE_TSCONFIG) ? { tsconfig: SOURCE_TSCONFIG } : {}),
    });
    return (specifier: string, parentUrl: string) =>
      api.import(specifier, parentUrl) as Promise<unknown>;
  });
  const load = await tsxImport;
  const url = `${pathToFileURL(path).href}?mtime=${Math.trunc(document.mtimeMs)}`;
  return await load(url, import.meta.url);
}
