// Gives a test file its own database on the shared test server (hs_test_<uuid>), dropped in afterAll,
// and checks that every client the file opened was closed.
import { randomUUID } from 'node:crypto';
import type { Db, MongoClientOptions } from 'mongodb';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, inject } from 'vitest';

/** The per-file database and a way to open more clients on it (e.g. a second engine). */
export interface TestDatabase {
  readonly uri: string;
  readonly name: string;
  /** The file's main client and database (open between beforeAll and afterAll). */
  readonly client: MongoClient;
  readonly db: Db;
  /** Opens another client on the same server, closed automatically in afterAll. */
  newClient(options?: MongoClientOptions): Promise<MongoClient>;
}

/**
 * What the test server is, for the few assertions that depend on it: FerretDB v1 stores -0 as 0
 * and refuses NaN, ±Infinity and arrays directly inside arrays (see README, MongoDB).
 */
export function testServer(): { readonly description: string; readonly ferretDbV1: boolean } {
  const description = inject('mongoServer');
  return { description, ferretDbV1: /^FerretDB v?1\./.test(description) };
}

/** Call at the top of a test file: registers beforeAll/afterAll and returns the database handle. */
export function useTestDatabase(): TestDatabase {
  const uri = inject('mongoUri');
  const name = `hs_test_${randomUUID().replace(/-/g, '')}`;
  const clients: MongoClient[] = [];
  let main: MongoClient | undefined;

  const newClient = async (options: MongoClientOptions = {}): Promise<MongoClient> => {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, ...options });
    clients.push(client);
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    // `npm test` runs the files that need the server once per server, found by this name.
    const file = expect.getState().testPath ?? '';
    if (!file.endsWith('.mongo.test.ts')) {
      throw new Error(
        `${file} uses the MongoDB test server, so its name must end in .mongo.test.ts (npm test runs those files against every server)`,
      );
    }
    main = await newClient();
  });
  afterAll(async () => {
    await main?.db(name).dropDatabase();
    await Promise.all(clients.map(async (client) => await client.close()));
  });

  return {
    uri,
    name,
    newClient,
    get client(): MongoClient {
      if (!main)
        throw new Error('the test database is only available inside tests (after beforeAll)');
      return main;
    },
    get db(): Db {
      return this.client.db(name);
    },
  };
}
