import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (file: string): string => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  // Tool files import the package by name, as plugins do; in this repository that is the source.
  resolve: {
    alias: [
      { find: /^hyperstream-ts$/, replacement: source('index.ts') },
      { find: /^hyperstream-ts\/toolkit$/, replacement: source('toolkit.ts') },
      { find: /^hyperstream-ts\/mongodb$/, replacement: source('mongodb.ts') },
      { find: /^hyperstream-ts\/distributed$/, replacement: source('distributed.ts') },
    ],
  },
  test: {
    allowOnly: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Property tests run 10,000 cases each: a few seconds, more on a busy 2-core machine.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Finds or starts a MongoDB-compatible server once per run and provides its URI to
          // tests: the one HYPERSTREAM_TEST_SERVER names (ferretdb, java or mongod), otherwise
          // MONGODB_URI, mongod, ferretdb on PATH, or mongo-java-server built with Maven. Files
          // that use it are named *.mongo.test.ts; `npm test` runs them once per server.
          globalSetup: ['test/integration/setup/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          // Fault injection (SIGKILL, server restarts, races): timing-sensitive, so these files
          // run one at a time, after the other projects (see the `test` script).
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          globalSetup: ['test/integration/setup/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
