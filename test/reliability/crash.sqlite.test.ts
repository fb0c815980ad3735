// The crash suite (fixtures/crash-suite.ts) on SQLite files: the CLI's default storage.
import { defineCrashTests } from './fixtures/crash-suite.js';
import { sqliteTargets } from './fixtures/targets.js';

defineCrashTests(() => Promise.resolve(sqliteTargets()));
