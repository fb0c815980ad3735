// Nothing in the engine listens on a network interface: no server sockets anywhere in src/ or
// tools/ (test servers bind to 127.0.0.1 and live under test/ and scripts/). The one exception is
// the web view (src/ui/server.ts), which only `hyperstream ui` / `startUi` starts, and which binds
// 127.0.0.1 unless given another address (test/integration/ui/server.test.ts checks the socket).
import { readFile } from 'node:fs/promises';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const LISTENS =
  /\bcreateServer\s*\(|\.listen\s*\(|from ['"]node:(?:dgram|http2?|https|net|tls)['"]/;
const WEB_VIEW = 'src/ui/server.ts';

describe('network exposure', () => {
  it('no source file creates a server socket or listens on a port, except the web view', async () => {
    const files = await fg(['src/**/*.ts', 'tools/**/*.ts'], { cwd: root.pathname });
    expect(files.length).toBeGreaterThan(50);
    const offenders: string[] = [];
    for (const file of files) {
      if (LISTENS.test(await readFile(new URL(file, root), 'utf8'))) offenders.push(file);
    }
    expect(offenders).toEqual([WEB_VIEW]);
  });

  it('the web view binds 127.0.0.1 unless told otherwise, and nothing imports it but the CLI', async () => {
    const server = await readFile(new URL(WEB_VIEW, root), 'utf8');
    expect(server).toMatch(/const host = options\.host \?\? '127\.0\.0\.1';/);
    const importers = [];
    for (const file of await fg(['src/**/*.ts'], { cwd: root.pathname })) {
      if (/from '(\.\.?\/)+(ui\/)?server\.js'/.test(await readFile(new URL(file, root), 'utf8'))) {
        importers.push(file);
      }
    }
    expect(importers.sort()).toEqual(['src/cli/commands/ui.ts', 'src/ui.ts']);
  });
});
