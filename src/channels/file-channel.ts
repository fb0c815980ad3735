import { CalculatedRanges } from '../storage/calculated-ranges.js';
import type { Dirent } from 'node:fs';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep, isAbsolute } from 'node:path';
import {
  ChannelReadOnlyError,
  ConfigError,
  PathOutsideRootError,
  StorageError,
  StreamNotAvailableError,
  StreamNotFoundError,
} from '../errors.js';
import type { ReadOptions, StreamFilter } from '../storage/stream-store.js';
import { Stream } from './stream.js';
import type { StreamIdLike } from '../streams/stream-id.js';
import { StreamId } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import type { Clock } from '../time/clock.js';
import { systemClock } from '../time/clock.js';
import { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import { MIN_DATE } from '../time/timestamp.js';
import { parseCsv } from '../internal/csv.js';
import type { Channel } from './channel.js';
import type { PurgeOptions } from './stream-access.js';
import { isFileNameRejection, parseTimestampedFileName } from './file-name.js';

/** A file found in a stream folder, before its name is read. */
export interface FileEntry {
  /** The stream (sub-folder) name. */
  readonly stream: string;
  readonly fileName: string;
  /** Absolute path of the file. */
  readonly path: string;
  /** Modification time at the scan, so a changed file is re-read after {@link FileChannel.refresh}. */
  readonly mtimeMs: number;
}

/** One document of a stream: a file whose name gives its time. */
export interface FileDocument extends FileEntry {
  /** The document time, from the file name (epoch ms). */
  readonly timestamp: number;
  /** Lower-cased extension with its dot, or `''`. */
  readonly extension: string;
}

/** Turns a file into a document value (parse JSON, CSV rows, …). */
export type FileLoader = (document: FileDocument) => unknown;

/** Called for every file or folder a scan skips, with the reason (never silent, never fatal). */
export type FileIgnoredListener = (path: string, reason: string) => void;

/** Options of a {@link FileChannel}. */
export interface FileChannelOptions {
  /** Channel id; default `files`. */
  readonly id?: string;
  /** The root folder: each immediate sub-folder is a stream. */
  readonly path: string;
  /** Loaders by extension (`.json`), merged over the built-in JSON, CSV and text loaders. */
  readonly loaders?: Readonly<Record<string, FileLoader>>;
  /** One loader for every file, whatever its extension (overrides `loaders`). */
  readonly loader?: FileLoader;
  /** Told about every skipped file or folder and why. */
  readonly onFileIgnored?: FileIgnoredListener;
  /**
   * A fixed time up to which the channel answers; later documents are left out. Default: the
   * scan time or the last document, whichever is later.
   */
  readonly upToTimestamp?: number;
  /** Where the scan time comes from (default the system clock). */
  readonly clock?: Clock;
}

/** What a subclass makes of a file in a stream folder: a document, or why it is skipped. */
export type ClassifiedFile<D extends FileDocument> = D | { readonly reason: string };

interface StreamIndex<D extends FileDocument> {
  /** Every accepted document, sorted by time then {@link FileChannel.compareSameTime}. */
  readonly all: readonly D[];
  /** The documents reads see: one per timestamp (the last of equal-time ones). */
  readonly readable: readonly D[];
}

const DEFAULT_BATCH = 64;

/**
 * A read-only channel over a folder: each immediate sub-folder is a stream (named after it), each
 * file whose name starts with a time (`yyyy_mm_dd_hh_mm_ss_mmm_…` or `YYYY-MM-DD…`) a document at
 * that time. Values load lazily, only when read, through a pluggable loader (JSON, CSV rows and
 * text built in). Files that do not fit are reported through `onFileIgnored`.
 *
 * @remarks
 * The folder is scanned on first use and again on {@link FileChannel.refresh}, so files added
 * later are found without restarting. A stream's calculated interval is `(MIN_DATE, upTo]`; reading
 * past `upToTimestamp` is `StreamNotAvailableError`. Nothing outside the root is read: symbolic
 * links leading out of it are skipped at the scan and refused at read time (`PathOutsideRootError`).
 *
 * @example
 * const files = await FileChannel.open({ id: 'files', path: 'fixtures/files', onFileIgnored: warn });
 * const readings = await files.getStream('readings');
 * for await (const { timestamp, value } of readings.window(TimeInterval.upTo(files.upToTimestamp!))) …
 */
export class FileChannel<D extends FileDocument = FileDocument> implements Channel {
  readonly id: string;
  readonly kind: string = 'file';
  readonly writable = false;
  /** The root folder, absolute. */
  readonly root: string;
  protected readonly onFileIgnored: FileIgnoredListener;
  readonly #loaders: Readonly<Record<string, FileLoader>>;
  readonly #loader: FileLoader | undefined;
  readonly #fixedUpTo: number | undefined;
  readonly #clock: Clock;
  #index = new Map<string, StreamIndex<D>>();
  #upTo = MIN_DATE;
  #realRoot = '';
  #scan: Promise<void> | undefined;

  constructor(options: FileChannelOptions) {
    this.id = options.id ?? 'files';
    this.root = resolve(options.path);
    this.onFileIgnored = options.onFileIgnored ?? (() => undefined);
    this.#loaders = { ...BUILT_IN_LOADERS, ...options.loaders };
    this.#loader = options.loader;
    this.#fixedUpTo = options.upToTimestamp;
    this.#clock = options.clock ?? systemClock;
  }

  /** Creates the channel and scans its folder. */
  static async open(options: FileChannelOptions): Promise<FileChannel> {
    const channel = new FileChannel(options);
    await channel.refresh();
    return channel;
  }

  /** `MIN_DATE` until the first scan; then the fixed time, or the scan time or last document. */
  get upToTimestamp(): number {
    return this.#upTo;
  }

  /**
   * Scans the folder again: new, changed and removed files and streams are seen from now on.
   * `ConfigError` when the root is missing or not a folder.
   */
  async refresh(): Promise<void> {
    // One scan at a time, so an older scan never overwrites a newer one.
    const previous = this.#scan?.catch(() => undefined) ?? Promise.resolve();
    const scan = previous.then(() => this.#rescan());
    this.#scan = scan;
    await scan;
  }

  /** Every document of a stream found by the last scan (including equal-time ones), oldest first. */
  async documents(stream: string): Promise<readonly D[]> {
    await this.#ready();
    this.#checkName(stream);
    return this.#index.get(stream)?.all ?? [];
  }

  /** The stream (folder) names found by the last scan, sorted. */
  async streamNames(): Promise<string[]> {
    await this.#ready();
    return [...this.#index.keys()].sort();
  }

  /** Reads one document's value (checking again that the file is inside the root). */
  async loadDocument(document: D): Promise<unknown> {
    await this.assertInsideRoot(document.path);
    try {
      return await this.load(document);
    } catch (error) {
      throw this.loadError(document, error);
    }
  }

  // ---- hooks for Module and Tool channels ----

  /** Turns a file of a stream folder into a document, or says why it is skipped. */
  protected classify(entry: FileEntry): ClassifiedFile<D> {
    const parsed = parseTimestampedFileName(entry.fileName);
    if (isFileNameRejection(parsed)) return parsed;
    if (!this.#loader && !this.#loaders[parsed.extension]) {
      return {
        reason: `no loader for "${parsed.extension || '(no extension)'}" files: pass one in loaders or loader`,
      };
    }
    // A subclass with richer documents overrides this method, so D is FileDocument here.
    return { ...entry, timestamp: parsed.timestamp, extension: parsed.extension } as D;
  }

  /** Orders documents that share a time; the last one is what reads see. Default: by file name. */
  protected compareSameTime(a: D, b: D): number {
    return a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0;
  }

  /** Why `hidden` is not read although it was accepted, or undefined to say nothing. */
  protected shadowedReason(hidden: D, shownInstead: D): string | undefined {
    return `another file of stream "${hidden.stream}" has the same time: only ${shownInstead.fileName} is read`;
  }

  /** Loads a document's value. */
  protected async load(document: D): Promise<unknown> {
    const loader = this.#loader ?? this.#loaders[document.extension];
    if (!loader) throw new Error(`no loader for "${document.extension}" files`);
    return await loader(document);
  }

  /** The error a failed load becomes. */
  protected loadError(document: D, error: unknown): Error {
    if (error instanceof PathOutsideRootError) return error;
    return new StorageError(
      `cannot load file "${document.path}" of channel "${this.id}": ${messageOf(error)}; fix or remove the file`,
      { channel: this.id, stream: document.stream, path: document.path },
      error,
    );
  }

  /** `PathOutsideRootError` unless `path` (after following symbolic links) is inside the root. */
  protected async assertInsideRoot(path: string): Promise<string> {
    await this.#ready();
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      real = resolve(path);
    }
    if (!isInside(this.#realRoot, real)) throw new PathOutsideRootError(path, this.root);
    return real;
  }

  // ---- Channel ----

  createStream(): Promise<Stream> {
    return Promise.reject(new ChannelReadOnlyError(this.id, 'create streams'));
  }

  async getStream(idLike: StreamIdLike): Promise<Stream> {
    const id = StreamId.from(idLike);
    if (!(await this.hasStream(id))) throw new StreamNotFoundError(id.key, this.id);
    return new Stream(this, id);
  }

  async getOrCreateStream(idLike: StreamIdLike): Promise<Stream> {
    return await this.getStream(idLike);
  }

  async hasStream(idLike: StreamIdLike): Promise<boolean> {
    const id = StreamId.from(idLike);
    await this.#ready();
    this.#checkName(id.name);
    return id.meta.length === 0 && this.#index.has(id.name);
  }

  async findStreams(filter: StreamFilter = {}): Promise<Stream[]> {
    await this.#ready();
    // Folder streams carry no meta-data, so only an empty meta filter matches.
    if (filter.meta && Object.keys(filter.meta).length > 0) return [];
    return [...this.#index.keys()]
      .filter((name) => filter.name === undefined || filter.name === name)
      .sort()
      .map((name) => new Stream(this, StreamId.of(name)));
  }

  purgeStream(_id: StreamIdLike, _options?: PurgeOptions): Promise<void> {
    return Promise.reject(new ChannelReadOnlyError(this.id, 'purge streams'));
  }

  purgeAll(): Promise<void> {
    return Promise.reject(new ChannelReadOnlyError(this.id, 'purge streams'));
  }

  writeInstances(): Promise<number> {
    return Promise.reject(new ChannelReadOnlyError(this.id, 'write instances'));
  }

  async *readBatches(
    idLike: StreamIdLike,
    interval: TimeInterval,
    options: ReadOptions = {},
  ): AsyncIterable<readonly StreamInstance[]> {
    const docs = await this.#window(StreamId.from(idLike), interval);
    const ordered = options.reverse ? [...docs].reverse() : docs;
    const limited =
      options.limit === undefined ? ordered : ordered.slice(0, Math.max(0, options.limit));
    const size = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
    for (let i = 0; i < limited.length; i += size) {
      const chunk = limited.slice(i, i + size);
      const values = await Promise.all(chunk.map((doc) => this.loadDocument(doc)));
      yield chunk.map((doc, j) => ({ timestamp: doc.timestamp, value: values[j] }));
    }
  }

  async *getResults(idLike: StreamIdLike, interval: TimeInterval): AsyncIterable<StreamInstance> {
    for await (const batch of this.readBatches(idLike, interval)) yield* batch;
  }

  async count(idLike: StreamIdLike, interval: TimeInterval): Promise<number> {
    return (await this.#window(StreamId.from(idLike), interval)).length;
  }

  async getCalculatedIntervals(idLike: StreamIdLike): Promise<TimeIntervals> {
    if (!(await this.hasStream(idLike)) || this.#upTo === MIN_DATE) return TimeIntervals.EMPTY;
    return TimeIntervals.of(new TimeInterval(MIN_DATE, this.#upTo));
  }

  addCalculatedIntervals(): Promise<TimeIntervals> {
    return Promise.reject(new ChannelReadOnlyError(this.id, 'record calculated intervals'));
  }

  /** What is readable, unstamped: nothing here is computed by a factor. */
  async getCalculatedRanges(idLike: StreamIdLike): Promise<CalculatedRanges> {
    return CalculatedRanges.of(await this.getCalculatedIntervals(idLike));
  }

  changeCalculatedRanges(): Promise<CalculatedRanges> {
    return Promise.reject(new ChannelReadOnlyError(this.id, 'record calculated intervals'));
  }

  /** Nothing is written here. */
  watchWrites(): () => void {
    return () => undefined;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  // ---- internals ----

  async #ready(): Promise<void> {
    this.#scan ??= this.#rescan();
    await this.#scan;
  }

  async #window(id: StreamId, interval: TimeInterval): Promise<readonly D[]> {
    await this.#ready();
    this.#checkName(id.name);
    const index = id.meta.length === 0 ? this.#index.get(id.name) : undefined;
    if (!index) throw new StreamNotFoundError(id.key, this.id);
    if (interval.end > this.#upTo) {
      throw new StreamNotAvailableError(id.key, this.id, interval.end, this.#upTo);
    }
    const docs = index.readable;
    return docs.slice(firstAfter(docs, interval.start), firstAfter(docs, interval.end));
  }

  /** A stream name that is a path (`..`, `a/b`) must not reach outside the root. */
  #checkName(name: string): void {
    if (
      name === '.' ||
      name === '..' ||
      name.includes('/') ||
      name.includes(sep) ||
      isAbsolute(name)
    ) {
      const target = resolve(this.root, name);
      if (!isInside(this.root, target)) throw new PathOutsideRootError(name, this.root);
    }
  }

  async #rescan(): Promise<void> {
    let rootStat;
    try {
      rootStat = await stat(this.root);
    } catch (error) {
      throw new ConfigError(
        `folder "${this.root}" of channel "${this.id}" cannot be read (${messageOf(error)}): create it or fix the path`,
        { channel: this.id, path: this.root },
        error,
      );
    }
    if (!rootStat.isDirectory()) {
      throw new ConfigError(
        `"${this.root}" of channel "${this.id}" is not a folder: give a folder path`,
        {
          channel: this.id,
          path: this.root,
        },
      );
    }
    const realRoot = await realpath(this.root);
    const entries = await readdir(this.root, { withFileTypes: true });
    const index = new Map<string, StreamIndex<D>>();
    const now = this.#clock.now();
    let last = MIN_DATE;
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(this.root, entry.name);
        const kind = await this.#kindOf(entry, path, realRoot);
        if (kind === 'outside') {
          this.onFileIgnored(path, `symbolic link leads outside "${this.root}"`);
        } else if (kind === 'file') {
          this.onFileIgnored(
            path,
            'files directly in the channel folder are not documents: put them in a stream folder',
          );
        } else if (kind === 'dir') {
          const docs = await this.#scanStream(entry.name, path, realRoot);
          const stream = this.#indexStream(docs);
          index.set(entry.name, stream);
          const newest = stream.readable.at(-1);
          if (newest && newest.timestamp > last) last = newest.timestamp;
        }
      }),
    );
    const upTo = this.#fixedUpTo ?? Math.max(now, last);
    if (this.#fixedUpTo !== undefined) {
      for (const [name, stream] of index) {
        const visible = (docs: readonly D[]): D[] => docs.filter((doc) => doc.timestamp <= upTo);
        index.set(name, { all: visible(stream.all), readable: visible(stream.readable) });
      }
    }
    // Swap at once so readers never see half a scan.
    this.#realRoot = realRoot;
    this.#index = index;
    this.#upTo = upTo;
  }

  async #scanStream(stream: string, folder: string, realRoot: string): Promise<D[]> {
    const entries = await readdir(folder, { withFileTypes: true });
    const docs: D[] = [];
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(folder, entry.name);
        const kind = await this.#kindOf(entry, path, realRoot);
        if (kind === 'outside') {
          this.onFileIgnored(path, `symbolic link leads outside "${this.root}"`);
          return;
        }
        if (kind === 'dir') {
          this.onFileIgnored(
            path,
            'nested folders are not read: streams are the immediate sub-folders only',
          );
          return;
        }
        if (kind !== 'file') return;
        const { mtimeMs } = await stat(path);
        const classified = this.classify({ stream, fileName: entry.name, path, mtimeMs });
        if (isFileNameRejection(classified)) this.onFileIgnored(path, classified.reason);
        else docs.push(classified);
      }),
    );
    return docs;
  }

  #indexStream(docs: D[]): StreamIndex<D> {
    docs.sort((a, b) => a.timestamp - b.timestamp || this.compareSameTime(a, b));
    const readable: D[] = [];
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i]!;
      const next = docs[i + 1];
      if (next && next.timestamp === doc.timestamp) {
        const winner = docs.findLast((d) => d.timestamp === doc.timestamp)!;
        const reason = this.shadowedReason(doc, winner);
        if (reason !== undefined) this.onFileIgnored(doc.path, reason);
        continue;
      }
      readable.push(doc);
    }
    return { all: docs, readable };
  }

  /** What an entry is, following symbolic links but only inside the root. */
  async #kindOf(
    entry: Dirent,
    path: string,
    realRoot: string,
  ): Promise<'file' | 'dir' | 'outside' | 'other'> {
    if (entry.isSymbolicLink()) {
      let real: string;
      try {
        real = await realpath(path);
      } catch {
        return 'other';
      }
      if (!isInside(realRoot, real)) return 'outside';
      const target = await stat(real);
      return target.isDirectory() ? 'dir' : target.isFile() ? 'file' : 'other';
    }
    return entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other';
  }
}

/** Index of the first document with a timestamp after `t` (documents sorted by time). */
function firstAfter(docs: readonly FileDocument[], t: number): number {
  let lo = 0;
  let hi = docs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (docs[mid]!.timestamp <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---- built-in loaders ----

/** Parses a file as JSON. */
export const loadJson: FileLoader = async (document) =>
  JSON.parse(await readFile(document.path, 'utf8')) as unknown;

/** Reads a file as UTF-8 text. */
export const loadText: FileLoader = async (document) => await readFile(document.path, 'utf8');

/** Options of {@link csvLoader}. */
export interface CsvLoaderOptions {
  /** The first row names the columns, and rows become objects (default true); else arrays. */
  readonly header?: boolean;
  /** Cells that are plain decimal numbers become numbers (default false: all cells are strings). */
  readonly numbers?: boolean;
  /** Field separator (default `,`). */
  readonly delimiter?: string;
}

/** A loader reading CSV (RFC 4180 quoting) as rows: objects keyed by the header, or arrays. */
export function csvLoader(options: CsvLoaderOptions = {}): FileLoader {
  const { header = true, numbers = false, delimiter = ',' } = options;
  return async (document) => {
    const rows = parseCsv(await readFile(document.path, 'utf8'), {
      delimiter,
      source: document.path,
    });
    const cell = (text: string): string | number =>
      numbers && /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(text.trim())
        ? Number(text)
        : text;
    if (!header) return rows.map((row) => row.map(cell));
    const [names = [], ...body] = rows;
    return body.map((row) =>
      Object.fromEntries(names.map((name, i) => [name, cell(row[i] ?? '')])),
    );
  };
}

/** Splits CSV text into rows of cells: the package's one CSV parser (see `src/internal/csv.ts`). */
export { parseCsv };

/** The loaders every file channel knows: `.json`, `.csv` (rows as objects) and `.txt`. */
export const BUILT_IN_LOADERS: Readonly<Record<string, FileLoader>> = Object.freeze({
  '.json': loadJson,
  '.csv': csvLoader(),
  '.txt': loadText,
});
