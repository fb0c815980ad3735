// The crash suite (fixtures/crash-suite.ts) on the test's MongoDB-compatible server.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { defineCrashTests } from './fixtures/crash-suite.js';
import { mongoTargets } from './fixtures/targets.js';

defineCrashTests(() =>
  mongoTargets(inject('mongoUri'), `hs_crash_${randomUUID().replace(/-/g, '').slice(0, 12)}`),
);
