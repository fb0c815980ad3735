import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DestinationStream, Logger } from 'pino';
import { pino } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { LoggingConfig } from '../config/config-schema.js';
import type { OnlineLogger } from '../online/online-engine.js';
import type { TextSink } from './output.js';

/** The CLI's logger: what the online engine is given, plus `close()` to flush at the end. */
export interface CliLogger extends OnlineLogger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Flushes and closes the log destination (files and the rotating transport). */
  close(): Promise<void>;
}

/**
 * The CLI's logger (pino), as the config's `logging` section says: a level; JSON lines
 * (`{ level, time, message, fields }`: a caller's fields live under `fields`, so they can never
 * overwrite the time, level or message) or text for people (pino-pretty:
 * `2026-01-01T00:00:01.000Z [INFO ] message {"field":1}`); on stderr, or in a file; with
 * `rotate`, through pino-roll (numbered files beside it, by size and/or hourly/daily, keeping
 * `keep` old ones). Times come from `now` (the engine's clock, virtual in tests). Library code
 * never logs; it gets this injected.
 */
export function createLogger(
  config: LoggingConfig,
  stderr: TextSink,
  now: () => number = Date.now,
): CliLogger {
  const target = destinationOf(config, stderr);
  const destination = target.stream;
  const logger: Logger = pino(
    {
      level: config.level,
      base: null,
      messageKey: 'message',
      ...(config.format === 'json' ? { nestedKey: 'fields' } : {}),
      timestamp: () => `,"time":"${new Date(now()).toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: Readonly<Record<string, unknown>>): void => {
      if (fields && Object.keys(fields).length) logger[level](fields, message);
      else logger[level](message);
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    close: () => target.close(),
  };
}

interface Destination {
  readonly stream: DestinationStream;
  close(): Promise<void>;
}

/** Ends a stream and waits (at most 5 s) until it has flushed and closed. */
async function ending(stream: { end(): void }): Promise<void> {
  const closed = once(stream as unknown as NodeJS.EventEmitter, 'close').catch(() => undefined);
  stream.end();
  await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
}

function destinationOf(config: LoggingConfig, stderr: TextSink): Destination {
  const file = config.file;
  if (file !== undefined && config.rotate !== undefined) {
    // Rotated files hold JSON lines (pino-roll writes what pino gives it).
    const transport = pino.transport({
      target: 'pino-roll',
      options: {
        file,
        mkdir: true,
        ...(config.rotate.size === undefined ? {} : { size: config.rotate.size }),
        ...(config.rotate.frequency === undefined ? {} : { frequency: config.rotate.frequency }),
        limit: { count: config.rotate.keep },
      },
    }) as DestinationStream & { end(): void };
    return { stream: transport, close: () => ending(transport) };
  }
  if (config.format === 'json') {
    if (file === undefined) return { stream: stderr, close: async () => {} };
    const out = pino.destination({ dest: file, mkdir: true, sync: false });
    return { stream: out, close: () => ending(out) };
  }
  // Text: each JSON line prettified on the spot, then written synchronously to stderr (or
  // through sonic-boom to the file).
  const prettify = prettyFactory({
    colorize: file === undefined && stderr.isTTY === true,
    singleLine: true,
    messageKey: 'message',
    ignore: 'time,level',
    messageFormat: (log, messageKey) =>
      `${String(log.time)} [${String(log.level).toUpperCase().padEnd(5)}] ${String(log[messageKey])}`,
  });
  if (file === undefined) {
    return {
      stream: { write: (line: string) => void stderr.write(prettify(line)) },
      close: async () => {},
    };
  }
  mkdirSync(dirname(file), { recursive: true });
  const out = pino.destination({ dest: file, mkdir: true, sync: false });
  return {
    stream: { write: (line: string) => out.write(prettify(line)) },
    close: () => ending(out),
  };
}
