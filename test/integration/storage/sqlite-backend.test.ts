import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createSqliteBackend } from '../../../src/storage/sqlite/sqlite-backend.js';
import { defineStorageBackendContract } from '../contracts/storage-backend.contract.js';
import { useTmpDir } from './tmp-dir.js';

const dir = useTmpDir('hs-sqlite-backend-');
let files = 0;

// A new file for every test (temp files: real SQLite, WAL and all).
defineStorageBackendContract({
  name: 'SQLite',
  kind: 'sqlite',
  capabilities: {
    persistent: true,
    sharedAcrossProcesses: true,
    sharedAcrossMachines: false,
    transactions: true,
    atomicIntervalMerge: true,
  },
  open: async (options) => {
    const file = path.join(dir(), `backend-${++files}.db`);
    return {
      backend: await createSqliteBackend({ path: file, ...options }),
      reopen: () => createSqliteBackend({ path: file, ...options }),
      child: { kind: 'sqlite', path: file },
      dispose: async () => {
        for (const suffix of ['', '-wal', '-shm']) await rm(file + suffix, { force: true });
      },
    };
  },
});
