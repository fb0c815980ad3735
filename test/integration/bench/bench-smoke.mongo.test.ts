// The bench scenarios that need a MongoDB server, each once on a tiny input against the test server
// (npm test runs this file once per server); the others are in bench-smoke.test.ts.
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { scenarioFiles } from '../../../bench/index.js';
import { itRunsEachScenario, usesServer } from './scenario-smoke.js';

const files = (await scenarioFiles()).filter(usesServer);

describe('every bench scenario that needs a server, on a tiny input', () => {
  const mongoUri = inject('mongoUri');

  it('finds them', () => {
    expect(files.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining(['flights-database.ts', 'flights-python-hyperstream.ts', 'mongo.ts']),
    );
  });

  itRunsEachScenario(files, mongoUri);
});
