// The CLI suite (cli-storage-suite.ts) with MongoDB storage, a fresh database on the test's server.
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { inject } from 'vitest';
import { defineCliStorageTests } from './cli-storage-suite.js';

defineCliStorageTests('hyperstream with MongoDB storage', () => {
  const uri = inject('mongoUri');
  const database = `hs_test_${randomUUID().replace(/-/g, '')}`;
  return Promise.resolve({
    config: { kind: 'mongodb', uri, database },
    channel: 'mongo',
    async dispose() {
      const client = new MongoClient(uri);
      try {
        await client.db(database).dropDatabase();
      } finally {
        await client.close();
      }
    },
  });
});
