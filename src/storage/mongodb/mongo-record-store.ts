import type { Collection, Db, Document, Filter, IndexDescription } from 'mongodb';
import type { z } from 'zod';
import { StorageError } from '../../errors.js';
import type { InvalidDocumentReport } from './mongo-documents.js';
import { DUPLICATE_KEY, toStorageError } from './mongo-errors.js';
import { createIndexes } from './mongo-indexes.js';

/** Options shared by the meta-data, plate, workflow and session stores. */
export interface MongoRecordStoreOptions {
  /** The collection's name; each store has its own default. */
  readonly collection?: string;
  /** Called for every corrupt document met while loading (it is then skipped). Default: a process warning. */
  readonly onInvalidDocument?: (report: InvalidDocumentReport) => void;
}

/** The default report of a corrupt document: a process warning, as the stream store gives. */
export function warnInvalidDocument(report: InvalidDocumentReport): void {
  process.emitWarning(
    `skipped corrupt document ${JSON.stringify(report.id)} in collection "${report.collection}": ${report.problem}`,
    { code: 'HYPERSTREAM_INVALID_DOCUMENT' },
  );
}

/** A zod failure on one line, each issue as `path: message`, for a report. */
export function zodProblem(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(document)'}: ${issue.message}`)
    .join('; ');
}

/**
 * What the four record stores share: one collection of plain records keyed by a natural `_id`,
 * indexes created once (idempotently), driver failures turned into `StorageError`, and corrupt
 * documents reported rather than fatal. The caller owns the `Db`'s client.
 */
export abstract class MongoRecordStore<TDocument extends Document & { _id: string }> {
  readonly collection: Collection<TDocument>;
  readonly #indexes: readonly IndexDescription[];
  readonly #onInvalid: (report: InvalidDocumentReport) => void;
  #ready: Promise<void> | undefined;

  protected constructor(
    db: Db,
    defaultCollection: string,
    indexes: readonly IndexDescription[],
    options: MongoRecordStoreOptions,
  ) {
    // Optional fields left undefined are dropped rather than stored as null.
    this.collection = db.collection<TDocument>(options.collection ?? defaultCollection, {
      ignoreUndefined: true,
    });
    this.#indexes = indexes;
    this.#onInvalid = options.onInvalidDocument ?? warnInvalidDocument;
  }

  /** Creates the indexes (a no-op when they exist); every operation awaits this once. */
  async init(): Promise<void> {
    this.#ready ??= this.guard('index creation', {}, async () => {
      await createIndexes(this.collection, this.#indexes);
    }).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    await this.#ready;
  }

  /** Reports a corrupt document met while loading; the caller skips it. */
  protected report(id: unknown, problem: string): void {
    this.#onInvalid({ collection: this.collection.collectionName, id, problem });
  }

  /** The error for a corrupt document asked for by id (there is no "rest" to go on with). */
  protected corrupt(id: string, problem: string): StorageError {
    const collection = this.collection.collectionName;
    return new StorageError(
      `document "${id}" in collection "${collection}" is corrupt: ${problem}; repair or delete the document`,
      { collection, id, problem },
    );
  }

  /** Inserts or replaces the document with this `_id`. */
  protected async put(document: TDocument, operation: string): Promise<void> {
    await this.init();
    await this.guard(operation, { id: document._id }, async () => {
      const replace = (): Promise<unknown> =>
        this.collection.replaceOne(byId<TDocument>(document._id), document, { upsert: true });
      try {
        await replace();
      } catch (error) {
        // Two upserts racing on a new _id: the loser's insert hits the winner's, so replace again.
        if ((error as { code?: unknown }).code !== DUPLICATE_KEY) throw error;
        await replace();
      }
    });
  }

  /** Deletes the document with this `_id`; true when it existed. */
  protected async remove(id: string, operation: string): Promise<boolean> {
    await this.init();
    return await this.guard(operation, { id }, async () => {
      const result = await this.collection.deleteOne(byId<TDocument>(id));
      return result.deletedCount === 1;
    });
  }

  /** Runs a driver call, turning its failures into `StorageError` naming the collection. */
  protected async guard<T>(
    operation: string,
    details: Record<string, unknown>,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toStorageError(
        error,
        `${operation} in collection "${this.collection.collectionName}"`,
        {
          collection: this.collection.collectionName,
          ...details,
        },
      );
    }
  }
}

/** The filter of one `_id` (the driver's filter type cannot see that a generic document has a string `_id`). */
export function byId<TDocument extends { _id: string }>(id: string): Filter<TDocument> {
  return { _id: id } as Filter<TDocument>;
}
