import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LoggingConfig } from '../config/config-schema.js';
import type { OnlineLogger } from '../online/online-engine.js';
import type { TextSink } from './output.js';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

/**
 * The CLI's logger, as the config's `logging` section says: a level, text or JSON lines, on stderr
 * or appended to a file. Library code never logs; it gets this injected.
 */
export function createLogger(
  config: LoggingConfig,
  stderr: TextSink,
  now: () => number = Date.now,
): OnlineLogger {
  if (config.file !== undefined) mkdirSync(dirname(config.file), { recursive: true });
  const write = (text: string): void => {
    if (config.file !== undefined) appendFileSync(config.file, text);
    else stderr.write(text);
  };
  const log =
    (level: Level) =>
    (message: string, fields?: Readonly<Record<string, unknown>>): void => {
      if (LEVELS[level] < LEVELS[config.level]) return;
      const time = new Date(now()).toISOString();
      if (config.format === 'json') {
        write(`${JSON.stringify({ time, level, message, ...fields })}\n`);
      } else {
        const extra = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
        write(`${time} [${level.toUpperCase().padEnd(5)}] ${message}${extra}\n`);
      }
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
