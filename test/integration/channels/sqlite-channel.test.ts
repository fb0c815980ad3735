import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { StoreChannel } from '../../../src/channels/store-channel.js';
import type { SqliteBackend } from '../../../src/storage/sqlite/sqlite-backend.js';
import { createSqliteBackend } from '../../../src/storage/sqlite/sqlite-backend.js';
import { defineChannelContract } from '../contracts/channel.contract.js';
import { useTmpDir } from '../storage/tmp-dir.js';

const dir = useTmpDir('hs-sqlite-channel-');
let backend: SqliteBackend;
let channels = 0;

beforeAll(async () => {
  backend = await createSqliteBackend(path.join(dir(), 'channel.db'));
});
afterAll(async () => {
  await backend.close();
});

// Each test gets its own channel (a namespace) in the file's database, so tests start empty.
defineChannelContract(
  'SQLite channel',
  () => new StoreChannel(`sqlite${++channels}`, 'sqlite', backend.streams(`sqlite${channels}`)),
);
