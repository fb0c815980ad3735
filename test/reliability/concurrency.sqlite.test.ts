// The concurrency suite (fixtures/concurrency-suite.ts) on one SQLite file per race: processes of
// one machine sharing the CLI's default storage.
import { defineConcurrencyTests } from './fixtures/concurrency-suite.js';
import { sqliteTargets } from './fixtures/targets.js';

defineConcurrencyTests(() => Promise.resolve(sqliteTargets()));
