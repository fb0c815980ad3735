// Where the queue lives: the Redis connection, the BullMQ queue name and key prefix, and the few
// keys of our own beside BullMQ's (published workflow definitions, cancelled runs, worker
// heartbeats). Only src/distributed imports ioredis and bullmq.
import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { InvalidArgumentError, QueueUnavailableError } from '../errors.js';

/** How to reach Redis: a `redis://` URL, or host/port options (ioredis's). */
export type RedisConnection = string | RedisConnectionOptions;

/** The Redis options the queue passes on (any other ioredis option is passed through too). */
export interface RedisConnectionOptions {
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly db?: number;
  readonly username?: string;
  readonly password?: string;
  readonly [option: string]: unknown;
}

/** Where a queue lives: Redis, the queue's name and the key prefix. */
export interface QueueLocation {
  readonly connection: RedisConnection;
  /** The BullMQ queue's name. Default `hyperstream`. */
  readonly queue?: string;
  /** The prefix of every Redis key (BullMQ's `prefix`). Default `hs`. */
  readonly prefix?: string;
}

export const DEFAULT_QUEUE = 'hyperstream';
export const DEFAULT_PREFIX = 'hs';

/** A {@link QueueLocation} with defaults applied and the option objects BullMQ and ioredis take. */
export interface ResolvedQueue {
  readonly queue: string;
  readonly prefix: string;
  /** For messages: the URL without its password. */
  readonly where: string;
  /** ioredis options for BullMQ's `connection`. */
  readonly redis: RedisOptions;
  /** Our own keys, beside BullMQ's. */
  readonly keys: {
    /** Hash: definition sha256 → canonical definition JSON. */
    readonly definitions: string;
    /** String per cancelled run: `<cancelled>:<run id>`. */
    readonly cancelled: (run: string) => string;
    /** Hash: worker id → its status JSON (with `heartbeatAt`). */
    readonly workers: string;
    /** Hash per run: piece id → what the attempt that wrote it wrote (see `RedisJournal`). */
    readonly written: (run: string) => string;
  };
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks a location and resolves its defaults; a bad name or URL is an `InvalidArgumentError`. */
export function resolveQueue(location: QueueLocation): ResolvedQueue {
  const queue = location.queue ?? DEFAULT_QUEUE;
  const prefix = location.prefix ?? DEFAULT_PREFIX;
  for (const [what, value] of [
    ['queue name', queue],
    ['key prefix', prefix],
  ] as const) {
    if (!NAME.test(value)) {
      throw new InvalidArgumentError(
        `invalid ${what} ${JSON.stringify(value)}: expected 1-64 letters, digits, "_", "." or "-"`,
        { [what === 'queue name' ? 'queue' : 'prefix']: value },
      );
    }
  }
  const redis = redisOptions(location.connection);
  const base = `${prefix}:${queue}:hyperstream`;
  return {
    queue,
    prefix,
    where: describeRedis(redis),
    redis,
    keys: {
      definitions: `${base}:definitions`,
      cancelled: (run) => `${base}:cancelled:${run}`,
      workers: `${base}:workers`,
      written: (run) => `${base}:written:${run}`,
    },
  };
}

function redisOptions(connection: RedisConnection): RedisOptions {
  const given: RedisConnectionOptions =
    typeof connection === 'string' ? { url: connection } : connection;
  if (typeof given !== 'object' || given === null) {
    throw new InvalidArgumentError(
      `invalid Redis connection ${JSON.stringify(connection)}: expected a redis:// URL or { host, port }`,
    );
  }
  const { url, ...rest } = given;
  let fromUrl: RedisOptions = {};
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidArgumentError(
        `invalid Redis URL ${JSON.stringify(url)}: expected redis://[user:password@]host[:port][/db]`,
        { url },
      );
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new InvalidArgumentError(
        `invalid Redis URL "${redact(url)}": expected the redis:// or rediss:// scheme`,
        { url: redact(url) },
      );
    }
    const db = parsed.pathname.replace(/^\//, '');
    if (db !== '' && !/^\d+$/.test(db)) {
      throw new InvalidArgumentError(
        `invalid Redis URL "${redact(url)}": the path must be a database number such as /0`,
        { url: redact(url) },
      );
    }
    fromUrl = {
      host: parsed.hostname || '127.0.0.1',
      port: parsed.port === '' ? 6379 : Number(parsed.port),
      ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
      ...(db !== '' ? { db: Number(db) } : {}),
      ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    };
  }
  return { ...fromUrl, ...(rest as RedisOptions) };
}

function describeRedis(options: RedisOptions): string {
  return `redis://${options.host ?? '127.0.0.1'}:${String(options.port ?? 6379)}${
    options.db ? `/${String(options.db)}` : ''
  }`;
}

function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** BullMQ's `connection` for a queue, worker or event reader (`extra` overrides options). */
export function bullConnection(
  resolved: ResolvedQueue,
  extra: Readonly<Record<string, unknown>> = {},
): ConnectionOptions {
  // ioredis's options and BullMQ's declaration of them differ only in how they type callbacks.
  return { ...resolved.redis, ...extra } as ConnectionOptions;
}

/**
 * A plain Redis client for our own keys. Commands fail (instead of waiting forever) while Redis is
 * unreachable, so callers can retry them and report an outage.
 */
export function openRedis(resolved: ResolvedQueue): Redis {
  const client = new Redis({
    ...resolved.redis,
    maxRetriesPerRequest: 2,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(50 * times, 1000),
  });
  // Connection errors are reported by the commands that fail; without a listener ioredis would
  // print them.
  client.on('error', () => undefined);
  return client;
}

/** Resolves `promise`, or rejects with {@link QueueUnavailableError} after `ms`. */
export async function withinTime<T>(
  promise: Promise<T>,
  ms: number,
  resolved: ResolvedQueue,
  doing: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(unavailable(resolved, doing, new Error(`no answer within ${ms} ms`))),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a Redis operation, retrying it while Redis is unreachable for at most `timeoutMs`; then
 * a {@link QueueUnavailableError}. Errors that are not about the connection are not retried.
 */
export async function retryWhileUnavailable<T>(
  operation: () => Promise<T>,
  resolved: ResolvedQueue,
  doing: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      if (Date.now() + delay > deadline) throw unavailable(resolved, doing, error);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1000);
    }
  }
}

/** True for errors of a lost or refused Redis connection (worth retrying once it is back). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const text = `${typeof code === 'string' ? code : ''} ${error instanceof Error ? error.message : String(error)}`;
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|Connection is closed|MaxRetriesPerRequest|Stream isn't writeable|LOADING|connect|closed|no answer within/i.test(
    text,
  );
}

export function unavailable(
  resolved: ResolvedQueue,
  doing: string,
  cause: unknown,
): QueueUnavailableError {
  return new QueueUnavailableError(
    `cannot reach Redis at ${resolved.where} while ${doing}: ${
      cause instanceof Error ? cause.message : String(cause)
    }; start redis-server, or point queue.url / REDIS_URL at it`,
    { redis: resolved.where, queue: resolved.queue },
    cause,
  );
}
