// The worker side of "a piece is listed in its session exactly once": a worker killed after it
// recorded a piece's interval but before BullMQ heard of it leaves the piece to a stalled-job
// retry that finds the interval calculated. Without a journal that retry would report the piece
// skipped, and the session would lose it (and its documents).
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { JournalEntry, PieceJournal } from '../engine/piece-executor.js';
import type { WorkPiece } from '../kinds/work-piece.js';

/** Longer than any run: the coordinator deletes the hash when its run ends; this is the backstop. */
const JOURNAL_TTL_S = 7 * 24 * 3600;

const entrySchema = z.strictObject({
  documents: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});

/** One Redis hash per run: piece id → what the attempt that wrote it wrote. */
export class RedisJournal implements PieceJournal {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, key: string) {
    this.#redis = redis;
    this.#key = key;
  }

  async written(piece: WorkPiece, entry: JournalEntry): Promise<void> {
    await this.#redis
      .multi()
      .hset(this.#key, piece.id, JSON.stringify(entry))
      .expire(this.#key, JOURNAL_TTL_S)
      .exec();
  }

  async find(piece: WorkPiece): Promise<JournalEntry | undefined> {
    const json = await this.#redis.hget(this.#key, piece.id);
    if (json === null) return undefined;
    const entry = entrySchema.safeParse(JSON.parse(json));
    return entry.success ? entry.data : undefined;
  }
}
