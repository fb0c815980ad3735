import { join } from 'node:path';
import { describe } from 'vitest';
import { createSqliteBackend } from '../../../src/storage/sqlite/sqlite-backend.js';
import { useTmpDir } from '../storage/tmp-dir.js';
import { defineOracleProperty } from './provenance-oracle.js';

describe('memory: writes, late writes, parameter changes, purges and executes', () => {
  defineOracleProperty(() => Promise.resolve(undefined), 150);
});

describe('SQLite: writes, late writes, parameter changes, purges and executes', () => {
  const dir = useTmpDir('hs-oracle-');
  let files = 0;
  defineOracleProperty(
    async () => await createSqliteBackend({ path: join(dir(), `${++files}.db`) }),
    40,
  );
});
