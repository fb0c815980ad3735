// What both bench smoke files do with a scenario: run it once on a tiny input and check its rows.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadScenario, reportRows } from '../../../bench/index.js';

/** Whether a scenario needs a MongoDB server (those run in bench-smoke.mongo.test.ts, once per server). */
export const usesServer = (file: string): boolean =>
  /withBenchDatabase|mongoUri|startTestServer/.test(readFileSync(file, 'utf8'));

/** One test per scenario file: it runs on a tiny input and reports well-formed rows (no timing). */
export function itRunsEachScenario(files: readonly string[], mongoUri: string | undefined): void {
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
}
