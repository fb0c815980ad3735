// Vitest globalSetup of the integration project: one MongoDB-compatible server for the whole run,
// handed to test files with provide/inject. No server is a failure with installation advice, never
// a skip or a mock.
import type { TestProject } from 'vitest/node';
import type { TestServer } from './mongo-server.js';
import { startTestServer } from './mongo-server.js';
import type { TestRedis } from './redis-server.js';
import { startTestRedis } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URI of the test server (without a database name). */
    mongoUri: string;
    /** What the server is, e.g. "mongo-java-server 1.47.0 (memory backend; reports MongoDB 4.4.0, wire 9)". */
    mongoServer: string;
    /** The URL of the test Redis (REDIS_URL, or a redis-server started for the run). */
    redisUrl: string;
  }
}

let server: TestServer | undefined;
let redis: TestRedis | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startTestServer();
  project.provide('mongoUri', server.uri);
  project.provide('mongoServer', server.description);
  process.stderr.write(`MongoDB tests run against ${server.description} (${server.source})\n`);
  redis = await startTestRedis();
  project.provide('redisUrl', redis.url);
  process.stderr.write(`queue tests run against ${redis.description} (${redis.source})\n`);
}

export async function teardown(): Promise<void> {
  await redis?.dispose();
  redis = undefined;
  await server?.stop();
  server = undefined;
}
