// Vitest globalSetup of the integration project: one MongoDB-compatible server for the whole run,
// handed to test files with provide/inject. No server is a failure with installation advice, never
// a skip or a mock.
import type { TestProject } from 'vitest/node';
import type { TestServer } from './mongo-server.js';
import { startTestServer } from './mongo-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URI of the test server (without a database name). */
    mongoUri: string;
    /** What the server is, e.g. "mongo-java-server 1.47.0 (memory backend; reports MongoDB 4.4.0, wire 9)". */
    mongoServer: string;
  }
}

let server: TestServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startTestServer();
  project.provide('mongoUri', server.uri);
  project.provide('mongoServer', server.description);
  process.stderr.write(`MongoDB tests run against ${server.description} (${server.source})\n`);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  server = undefined;
}
