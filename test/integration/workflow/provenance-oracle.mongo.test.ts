import { afterAll, describe } from 'vitest';
import { createMongoBackend } from '../../../src/storage/mongodb/mongo-backend.js';
import { useTestDatabase } from '../setup/mongo.js';
import { defineOracleProperty } from './provenance-oracle.js';

const database = useTestDatabase();
let databases = 0;

describe('MongoDB: writes, late writes, parameter changes, purges and executes', () => {
  afterAll(async () => {
    for (let i = 1; i <= databases; i++)
      await database.client.db(`${database.name}_${i}`).dropDatabase();
  });
  // A database of its own per history on the shared test server.
  defineOracleProperty(
    async () => await createMongoBackend(database.client, `${database.name}_${++databases}`),
    15,
  );
});
