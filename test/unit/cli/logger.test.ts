import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/cli/logger.js';

const T = Date.parse('2026-01-01T00:00:01Z');
const dir = mkdtempSync(join(tmpdir(), 'hs-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink() {
  const chunks: string[] = [];
  return { chunks, write: (text: string) => chunks.push(text), text: () => chunks.join('') };
}

describe('createLogger (pino)', () => {
  it('writes JSON lines whose fields can never overwrite time, level or message', async () => {
    const out = sink();
    const logger = createLogger({ level: 'info', format: 'json' }, out, () => T);
    logger.info('computed', { time: 'forged', level: 'error', message: 'forged', attempts: 2 });
    logger.warn('plain');
    logger.debug('hidden below the level');
    await logger.close();
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      {
        level: 'info',
        time: '2026-01-01T00:00:01.000Z',
        message: 'computed',
        fields: { time: 'forged', level: 'error', message: 'forged', attempts: 2 },
      },
      { level: 'warn', time: '2026-01-01T00:00:01.000Z', message: 'plain' },
    ]);
  });

  it('writes text lines for people (pino-pretty), with the fields inline', async () => {
    const out = sink();
    const logger = createLogger({ level: 'debug', format: 'text' }, out, () => T);
    logger.info('ticker: computed (a, b]', { attempts: 1 });
    logger.debug('details');
    await logger.close();
    expect(out.text()).toBe(
      '2026-01-01T00:00:01.000Z [INFO ] ticker: computed (a, b] {"attempts":1}\n' +
        '2026-01-01T00:00:01.000Z [DEBUG] details\n',
    );
  });

  it('writes to a file, creating its folder', async () => {
    const file = join(dir, 'logs/plain.log');
    const logger = createLogger({ level: 'info', format: 'json', file }, sink(), () => T);
    logger.error('boom', { code: 7 });
    await logger.close();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      level: 'error',
      message: 'boom',
    });
  });

  it('rotates the file by size through pino-roll, keeping some old files', async () => {
    const file = join(dir, 'rolled/hyperstream.log');
    const logger = createLogger(
      { level: 'info', format: 'json', file, rotate: { size: '1k', keep: 2 } },
      sink(),
      () => T,
    );
    // Bursts of about 1.3 kB, each flushed before the next: pino-roll checks the size per write.
    for (let burst = 0; burst < 5; burst++) {
      for (let i = 0; i < 12; i++) logger.info(`line ${String(burst * 12 + i)} ${'x'.repeat(60)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await logger.close();
    const files = readdirSync(join(dir, 'rolled'));
    // Numbered files beside it; the active one plus at most `keep` old ones.
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files.length).toBeLessThanOrEqual(3);
    for (const f of files) expect(f).toMatch(/^hyperstream\.\d+\.log$/);
    const text = files.map((f) => readFileSync(join(dir, 'rolled', f), 'utf8')).join('');
    expect(text).toContain('line 59');
  });
});
