// The page's bundle holds the page and its two libraries, never server code: the shapes it shares
// with the server come from the types-only src/ui/api-types.ts, erased when bundling.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUiAssets, serverInputs } from '../../../scripts/build-ui.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hs-ui-bundle-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the browser bundle', () => {
  it('builds from src/ui/app alone (api-types.ts is types only)', async () => {
    expect(await buildUiAssets(dir)).toEqual(['app.css', 'app.js', 'index.html']);
    const js = await readFile(join(dir, 'app.js'), 'utf8');
    // Server modules would bring their strings along; the page's own are there.
    expect(js).toContain('/api/events');
    expect(js).not.toContain('Content-Security-Policy');
  });

  it('calls any input of src/ outside src/ui/app server code', () => {
    expect(
      serverInputs([
        'node_modules/uplot/dist/uPlot.esm.js',
        'src/ui/app/main.ts',
        'src/ui/api-types.ts',
        'src/ui/server.ts',
        'src/streams/batch.ts',
      ]),
    ).toEqual(['src/ui/api-types.ts', 'src/ui/server.ts', 'src/streams/batch.ts']);
  });
});
