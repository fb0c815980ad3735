import { createMongoBackend } from '../../../src/storage/mongodb/mongo-backend.js';
import { defineStorageBackendContract } from '../contracts/storage-backend.contract.js';
import { testServer, useTestDatabase } from '../setup/mongo.js';

const database = useTestDatabase();
const { ferretDbV1 } = testServer();
let databases = 0;

// A database of its own for every test on the shared test server (FerretDB, mongod or
// mongo-java-server: whatever the integration setup provides), dropped after it.
defineStorageBackendContract({
  name: 'MongoDB',
  kind: 'mongodb',
  // FerretDB v1 refuses these values (README, MongoDB → FerretDB); other servers store them all.
  ...(ferretDbV1
    ? { limits: { refusesNestedArrays: true, refusesNonFinite: true, losesNegativeZero: true } }
    : {}),
  capabilities: {
    persistent: true,
    sharedAcrossProcesses: true,
    sharedAcrossMachines: true,
    transactions: false,
    atomicIntervalMerge: true,
  },
  open: async (options) => {
    const name = `${database.name}_${++databases}`;
    return {
      backend: await createMongoBackend(database.client, name, options),
      reopen: () => createMongoBackend(database.uri, name, options),
      child: { kind: 'mongodb', uri: database.uri, database: name },
      dispose: async () => {
        await database.client.db(name).dropDatabase();
      },
    };
  },
});
