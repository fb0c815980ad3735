// Nothing in the engine listens on a network interface: no server sockets anywhere in src/ or
// tools/ (test servers bind to 127.0.0.1 and live under test/ and scripts/).
import { readFile } from 'node:fs/promises';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);

describe('network exposure', () => {
  it('no source file creates a server socket or listens on a port', async () => {
    const files = await fg(['src/**/*.ts', 'tools/**/*.ts'], {
      cwd: root.pathname,
      absolute: true,
    });
    expect(files.length).toBeGreaterThan(50);
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      if (
        /\bcreateServer\s*\(|\.listen\s*\(|from ['"]node:(?:dgram|http2?|https|net|tls)['"]/.test(
          text,
        )
      ) {
        offenders.push(file);
      }
    }
    expect(offenders).toEqual([]);
  });
});
