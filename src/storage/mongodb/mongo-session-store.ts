import type { Collection, Db, Filter } from 'mongodb';
import { BSON } from 'mongodb';
import { z } from 'zod';
import { InvalidArgumentError } from '../../errors.js';
import type { PieceRecord, SessionFilter, SessionRecord, SessionStore } from '../session-store.js';
import { pieceRecordSchema, sessionRecordSchema } from '../session-store.js';
import type { PairDocuments } from './mongo-documents.js';
import { pairsFromDocument, pairsToDocument } from './mongo-documents.js';
import type { MongoRecordStoreOptions } from './mongo-record-store.js';
import { MongoRecordStore, byId, zodProblem } from './mongo-record-store.js';

/** A piece as stored: its plate value as `{k, v}` pairs (no arrays inside arrays, which FerretDB v1 cannot store). */
export type PieceDocument = Omit<PieceRecord, 'plateValue'> & {
  readonly plateValue: PairDocuments;
};

/**
 * One session: the record with its id as `_id`, its start and end as dates (sortable,
 * TTL-indexable) and plate values as `{k, v}` pairs. When the pieces would make the document too
 * large, they are kept in the pieces collection instead, `pieces` is empty and `piecesChunks`
 * says how many chunks to read.
 */
export type SessionDocument = Omit<
  SessionRecord,
  'id' | 'startedAt' | 'endedAt' | 'pieces' | 'error'
> & {
  readonly _id: string;
  readonly startedAt: Date;
  readonly endedAt?: Date;
  readonly pieces: readonly PieceDocument[];
  readonly error?: Omit<NonNullable<SessionRecord['error']>, 'plateValue'> & {
    readonly plateValue?: PairDocuments;
  };
  readonly piecesChunks?: number;
};

/** A chunk of a large session's pieces; `_id` orders the chunks of a session (as stream instances are ordered). */
export interface SessionPiecesDocument {
  readonly _id: { readonly s: string; readonly n: number };
  readonly pieces: readonly PieceDocument[];
}

/** Options of {@link MongoSessionStore}. */
export interface MongoSessionStoreOptions extends MongoRecordStoreOptions {
  /** Where the pieces of large sessions go. Default: the session collection's name + `_pieces`. */
  readonly piecesCollection?: string;
  /** Above this BSON size a session's pieces move to chunks of at most this size. Default 8 MiB (MongoDB's limit is 16 MiB). */
  readonly maxDocumentBytes?: number;
}

const pairsSchema = z.array(z.strictObject({ k: z.string(), v: z.string() }));
const pieceDocumentSchema = pieceRecordSchema.extend({ plateValue: pairsSchema });
const piecesSchema = z.array(pieceDocumentSchema);
const errorSchema = sessionRecordSchema.shape.error.unwrap();
const documentSchema = sessionRecordSchema
  .omit({ id: true, startedAt: true, endedAt: true })
  .extend({
    _id: z.string().min(1),
    startedAt: z.date(),
    endedAt: z.date().optional(),
    pieces: piecesSchema,
    error: errorSchema.extend({ plateValue: pairsSchema.optional() }).optional(),
    piecesChunks: z.number().int().positive().optional(),
  });

/** Newest first; `_id` breaks ties so the order is the same in every process. */
const NEWEST_FIRST = { startedAt: -1, _id: -1 } as const;
const DEFAULT_MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;
/** Room for a chunk document's own fields besides its pieces. */
const CHUNK_OVERHEAD_BYTES = 1024;

/**
 * Sessions (the execution history) in MongoDB (collection `sessions` by default), keyed by
 * session id: the runner saves a session when it starts and again when it ends, and each save
 * replaces the last.
 *
 * @remarks
 * A session with very many pieces would pass MongoDB's 16 MiB document limit and fail the run that
 * saves it; its pieces are then written first, in chunks, to `sessions_pieces`, and the session
 * document points to them. `list()` skips, and reports, corrupt documents (still returning up to
 * `limit` valid ones); `get(id)` of a corrupt one throws `StorageError` naming what is wrong.
 *
 * @example
 * const sessions = new MongoSessionStore(client.db('hyperstream'));
 * const failed = await sessions.list({ status: 'failed', limit: 10 });
 */
export class MongoSessionStore extends MongoRecordStore<SessionDocument> implements SessionStore {
  readonly pieces: Collection<SessionPiecesDocument>;
  readonly #maxBytes: number;

  constructor(db: Db, options: MongoSessionStoreOptions = {}) {
    super(
      db,
      'sessions',
      [
        { key: NEWEST_FIRST, name: 'startedAt_-1__id_-1' },
        { key: { workflows: 1, ...NEWEST_FIRST }, name: 'workflows_1_startedAt_-1__id_-1' },
      ],
      options,
    );
    this.pieces = db.collection<SessionPiecesDocument>(
      options.piecesCollection ?? `${this.collection.collectionName}_pieces`,
      { ignoreUndefined: true },
    );
    const max = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
    if (!Number.isInteger(max) || max < 2 * CHUNK_OVERHEAD_BYTES) {
      throw new InvalidArgumentError(
        `invalid maxDocumentBytes ${max}: expected a whole number of at least ${2 * CHUNK_OVERHEAD_BYTES}`,
      );
    }
    this.#maxBytes = max;
  }

  async save(session: SessionRecord): Promise<void> {
    const { id, startedAt, endedAt, pieces: records, error, ...rest } = session;
    const operation = `save of session "${id}"`;
    const pieces = records.map(pieceToDocument);
    const document: SessionDocument = {
      _id: id,
      ...rest,
      pieces,
      ...(error !== undefined ? { error: errorToDocument(error) } : {}),
      startedAt: new Date(startedAt),
      ...(endedAt !== undefined ? { endedAt: new Date(endedAt) } : {}),
    };
    if (BSON.calculateObjectSize(document, { ignoreUndefined: true }) <= this.#maxBytes) {
      await this.put(document, operation);
      return;
    }
    const chunks = chunkPieces(pieces, this.#maxBytes - CHUNK_OVERHEAD_BYTES);
    await this.init();
    // Chunks first: the session never points to pieces that are not written.
    await this.guard(operation, { session: id }, () =>
      this.pieces.bulkWrite(
        chunks.map((pieces, n) => ({
          replaceOne: { filter: { _id: { s: id, n } }, replacement: { pieces }, upsert: true },
        })),
        { ordered: false },
      ),
    );
    await this.put({ ...document, pieces: [], piecesChunks: chunks.length }, operation);
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    await this.init();
    return await this.guard(`load of session "${id}"`, { session: id }, async () => {
      const raw = await this.collection.findOne(byId<SessionDocument>(id));
      if (raw === null) return undefined;
      const result = await this.#parse(raw);
      if (typeof result === 'string') throw this.corrupt(id, result);
      return result;
    });
  }

  async list(filter: SessionFilter = {}): Promise<SessionRecord[]> {
    await this.init();
    const query: Filter<SessionDocument> = {
      ...(filter.workflow === undefined ? {} : { workflows: filter.workflow }),
      ...(filter.status === undefined ? {} : { status: filter.status }),
    };
    const limit = filter.limit ?? Infinity;
    if (limit <= 0) return [];
    return await this.guard('session listing', {}, async () => {
      // No server-side limit: a corrupt document skipped must not shorten the list.
      const cursor = this.collection.find(query, {
        sort: NEWEST_FIRST,
        ...(Number.isFinite(limit) ? { batchSize: Math.ceil(limit) } : {}),
      });
      const sessions: SessionRecord[] = [];
      try {
        for await (const raw of cursor) {
          const result = await this.#parse(raw);
          if (typeof result === 'string') this.report(raw._id, result);
          else if (sessions.push(result) >= limit) break;
        }
      } finally {
        await cursor.close();
      }
      return sessions;
    });
  }

  async delete(id: string): Promise<boolean> {
    const existed = await this.remove(id, `deletion of session "${id}"`);
    await this.guard(`deletion of session "${id}"`, { session: id }, () =>
      this.pieces.deleteMany(chunksOf(id)),
    );
    return existed;
  }

  /** The session in a document (with its chunked pieces read back), or what is wrong with it. */
  async #parse(raw: unknown): Promise<SessionRecord | string> {
    const result = documentSchema.safeParse(raw);
    if (!result.success) return zodProblem(result.error);
    const { _id, startedAt, endedAt, piecesChunks, error, ...rest } = result.data;
    let pieces = rest.pieces;
    if (piecesChunks !== undefined) {
      const chunks = new Map<number, SessionPiecesDocument>();
      for (const chunk of await this.pieces.find(chunksOf(_id)).toArray())
        chunks.set(chunk._id.n, chunk);
      const numbers = [...Array(piecesChunks).keys()];
      const missing = numbers.filter((n) => !chunks.has(n));
      if (missing.length) {
        return `pieces chunks ${missing.join(', ')} of ${piecesChunks} are missing from collection "${this.pieces.collectionName}"`;
      }
      // Chunks past the count are left over from an earlier save with more pieces.
      const parsed = piecesSchema.safeParse(numbers.flatMap((n) => chunks.get(n)!.pieces));
      if (!parsed.success)
        return `pieces in "${this.pieces.collectionName}": ${zodProblem(parsed.error)}`;
      pieces = parsed.data;
    }
    return {
      id: _id,
      ...rest,
      pieces: pieces.map(({ plateValue, ...piece }) => ({
        ...piece,
        plateValue: pairsFromDocument(plateValue),
      })),
      ...(error !== undefined ? { error: errorFromDocument(error) } : {}),
      startedAt: startedAt.getTime(),
      ...(endedAt !== undefined ? { endedAt: endedAt.getTime() } : {}),
    };
  }
}

/** The `_id` range of a session's chunks. */
function chunksOf(id: string): Filter<SessionPiecesDocument> {
  return { _id: { $gte: { s: id, n: 0 }, $lte: { s: id, n: Number.MAX_SAFE_INTEGER } } };
}

function pieceToDocument({ plateValue, ...piece }: PieceRecord): PieceDocument {
  return { ...piece, plateValue: pairsToDocument(plateValue) };
}

type SessionError = NonNullable<SessionRecord['error']>;

function errorToDocument({ plateValue, ...error }: SessionError): SessionDocument['error'] {
  return { ...error, ...(plateValue ? { plateValue: pairsToDocument(plateValue) } : {}) };
}

function errorFromDocument({
  plateValue,
  ...error
}: NonNullable<SessionDocument['error']>): SessionError {
  return { ...error, ...(plateValue ? { plateValue: pairsFromDocument(plateValue) } : {}) };
}

/** Splits pieces into consecutive runs of at most `maxBytes` of BSON each. */
function chunkPieces(pieces: readonly PieceDocument[], maxBytes: number): PieceDocument[][] {
  const chunks: PieceDocument[][] = [];
  let current: PieceDocument[] = [];
  let size = 0;
  for (const piece of pieces) {
    // Each array element also costs its index as a key: a few bytes, well inside the overhead.
    const pieceSize = BSON.calculateObjectSize(piece, { ignoreUndefined: true }) + 16;
    if (current.length && size + pieceSize > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(piece);
    size += pieceSize;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
