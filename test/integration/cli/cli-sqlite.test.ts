// The CLI suite (cli-storage-suite.ts) with no storage configured: a SQLite file beside the config.
import { defineCliStorageTests } from './cli-storage-suite.js';

defineCliStorageTests('hyperstream with the default storage (SQLite, no server)', () =>
  Promise.resolve({ config: null, channel: 'sqlite', file: '.hyperstream/hyperstream.db' }),
);
