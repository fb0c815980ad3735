// The bench scenarios that need a MongoDB server, each once on a tiny input against the test server
// (npm test runs this file once per server); the others are in bench-smoke.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { loadScenario, reportRows, scenarioFiles } from '../../../bench/index.js';

const files = (await scenarioFiles()).filter((file) =>
  /withBenchDatabase|mongoUri|startTestServer/.test(readFileSync(file, 'utf8')),
);

describe('every bench scenario that needs a server, on a tiny input', () => {
  const mongoUri = inject('mongoUri');

  it('finds them', () => {
    expect(files.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining(['flights-database.ts', 'flights-python-hyperstream.ts', 'mongo.ts']),
    );
  });

  for (const file of files) {
    it(`${path.basename(file, '.ts')} runs and reports rows`, async () => {
      const scenario = await loadScenario(file);
      const rows = reportRows(await scenario.run({ tiny: true, repetitions: 1, mongoUri }));
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.figure).not.toBe('');
        expect(Number.isFinite(row.engineMs) && row.engineMs >= 0).toBe(true);
        if (row.baselineMs !== undefined)
          expect(Number.isFinite(row.baselineMs) && row.baselineMs >= 0).toBe(true);
        if (row.items !== undefined) expect(row.items).toBeGreaterThan(0);
      }
    }, 120_000);
  }
});
