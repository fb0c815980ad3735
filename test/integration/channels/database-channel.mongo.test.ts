import { DatabaseChannel } from '../../../src/channels/database-channel.js';
import { defineChannelContract } from '../contracts/channel.contract.js';
import { testServer, useTestDatabase } from '../setup/mongo.js';

const database = useTestDatabase();
let channels = 0;

// Each test gets its own collections in the file's database, so tests start empty.
defineChannelContract(
  'DatabaseChannel',
  () => {
    const n = ++channels;
    return new DatabaseChannel({
      id: 'mongo',
      db: database.db,
      collections: { instances: `streams_${n}`, definitions: `stream_definitions_${n}` },
    });
  },
  { refusesNestedArrays: testServer().ferretDbV1, losesNegativeZero: testServer().ferretDbV1 },
);
