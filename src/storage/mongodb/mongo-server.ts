import type { Db, MongoClient } from 'mongodb';

/**
 * What a store must know about the server behind a client. MongoDB and mongo-java-server need
 * nothing special. FerretDB v1 (checked with v1.24.2 on SQLite) differs in ways the stores work
 * around, or refuse up front before anything is written:
 * - NaN and ±Infinity are refused (NaN even closes the connection), and so is an array directly
 *   inside an array: values holding them are refused with `ValueNotStorableError`, and the
 *   stores' own documents hold no nested arrays;
 * - -0 is stored as 0 (not worked around: there is no BSON number FerretDB keeps as -0);
 * - a query is only handed to SQLite for an `_id` that is a string or an ObjectId; any other
 *   filter, the stream stores' compound `_id`s included, reads and decodes the whole collection,
 *   so a replace by `_id` costs a scan (rewrites write only what changed);
 * - every statement of an `update` command holds a pooled SQLite connection until the command
 *   ends, and the pool has 100: a command of 100 statements never ends (updates go in small
 *   commands);
 * - an update reads the document, applies the operators and writes the whole document back, with
 *   nothing atomic in between, so concurrent updates of one document lose changes (the stream
 *   store never relies on them: see `IntervalsDocument`).
 */
export interface MongoServerProfile {
  /** For messages, e.g. "FerretDB v1.24.2" or "MongoDB 7.0.14". */
  readonly name: string;
  /** Whether NaN, ±Infinity and arrays directly inside arrays can be stored. */
  readonly storesEveryNumberAndArray: boolean;
  /** Whether a replace by a compound `_id` reads the whole collection. */
  readonly replaceScansCollection: boolean;
  /** At most this many statements per `update` command (undefined: the server's own limit). */
  readonly maxUpdateStatements: number | undefined;
}

const profiles = new WeakMap<MongoClient, Promise<MongoServerProfile>>();

/** The profile of the server `db` talks to (asked once per client, with `buildInfo`). */
export async function serverProfile(db: Db): Promise<MongoServerProfile> {
  const client = db.client;
  let profile = profiles.get(client);
  if (!profile) {
    profile = db
      .admin()
      .command({ buildInfo: 1 })
      .then((info) => profileOf(info));
    // A failed probe (the server unreachable) is asked again next time.
    profile.catch(() => profiles.delete(client));
    profiles.set(client, profile);
  }
  return await profile;
}

function profileOf(info: Record<string, unknown>): MongoServerProfile {
  const ferretDb = info.ferretdbVersion;
  if (typeof ferretDb === 'string' && /^v?1\./.test(ferretDb)) {
    return {
      name: `FerretDB ${ferretDb}`,
      storesEveryNumberAndArray: false,
      replaceScansCollection: true,
      // Well under the 100 pooled connections, as several writers may update at once.
      maxUpdateStatements: 8,
    };
  }
  const name =
    typeof ferretDb === 'string' ? `FerretDB ${ferretDb}` : `MongoDB ${String(info.version)}`;
  return {
    name,
    storesEveryNumberAndArray: true,
    replaceScansCollection: false,
    maxUpdateStatements: undefined,
  };
}
