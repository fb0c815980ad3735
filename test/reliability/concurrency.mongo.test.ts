// The concurrency suite (fixtures/concurrency-suite.ts) on the test's MongoDB-compatible server.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { defineConcurrencyTests } from './fixtures/concurrency-suite.js';
import { mongoTargets } from './fixtures/targets.js';

defineConcurrencyTests(() =>
  mongoTargets(inject('mongoUri'), `hs_conc_${randomUUID().replace(/-/g, '').slice(0, 12)}`),
);
