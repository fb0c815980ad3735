import { createMongoBackend } from '../../../src/storage/mongodb/mongo-backend.js';
import { defineStorageBackendContract } from '../contracts/storage-backend.contract.js';
import { useTestDatabase } from '../setup/mongo.js';

const database = useTestDatabase();
let databases = 0;

// A database of its own for every test on the shared test server (FerretDB, mongod or
// mongo-java-server: whatever the integration setup provides), dropped after it.
defineStorageBackendContract({
  name: 'MongoDB',
  kind: 'mongodb',
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
