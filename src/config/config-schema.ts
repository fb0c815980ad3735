import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import { parseIsoDuration } from '../time/duration.js';
import { parseCron } from '../online/cron.js';
import { RelativeTimeInterval } from '../time/relative-time-interval.js';
import { PluginConfigSchema } from '../tools/plugins.js';

// Durations in a config file are ISO 8601 strings ("PT10S"): a bare number would leave the
// unit (seconds as in HyperStream, or milliseconds as in the engine) to guesswork.
const isoDuration = (example: string) =>
  z.string().refine(
    (text) => {
      try {
        parseIsoDuration(text);
        return true;
      } catch {
        return false;
      }
    },
    // abort: later checks (positive) only make sense on a duration.
    { message: `expected an ISO 8601 duration such as ${example}`, abort: true },
  );

const positiveDuration = (example: string) =>
  isoDuration(example).refine((text) => parseIsoDuration(text).toMillis() > 0, {
    message: `expected a positive ISO 8601 duration such as ${example}`,
  });

const relativeWindow = z.string().refine(
  (text) => {
    try {
      RelativeTimeInterval.parse(text);
      return true;
    } catch {
      return false;
    }
  },
  {
    message:
      'expected a relative window "<start offset>/<end offset>" such as "-PT60S/-PT10S" (start before end)',
  },
);

const timeZone = z.string().refine((zone) => IANAZone.isValidZone(zone), {
  message: 'expected an IANA time zone such as "UTC" or "Europe/London"',
});

const nonEmpty = z.string().min(1, { message: 'expected a non-empty string' });

/** The CLI's database when the config names none: beside the config file (or in the working folder). */
export const DEFAULT_SQLITE_PATH = '.hyperstream/hyperstream.db';

/**
 * Where streams, workflows and sessions live: a SQLite file (the default, beside the config), in
 * memory (gone when the process ends), or in MongoDB (or FerretDB).
 */
export const storageConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('sqlite'),
    path: nonEmpty
      .default(DEFAULT_SQLITE_PATH)
      .describe('the database file, relative to the config file’s folder'),
  }),
  z.strictObject({ kind: z.literal('memory') }),
  z.strictObject({
    kind: z.literal('mongodb'),
    uri: nonEmpty.describe('MongoDB connection string; MONGODB_URI overrides it'),
    database: nonEmpty.default('hyperstream').describe('database name'),
  }),
]);

/** How a failed piece is retried before it is recorded as failed. */
export const retryConfigSchema = z.strictObject({
  policy: z.enum(['constant', 'linear', 'exponential']).default('exponential'),
  delay: positiveDuration('PT1S').default('PT1S').describe('first retry delay'),
  factor: z.number().min(1).default(2).describe('growth per retry (exponential)'),
  floor: isoDuration('PT1S').optional().describe('smallest delay'),
  ceiling: positiveDuration('PT5M').optional().describe('largest delay'),
  maxRetries: z.int().min(0).default(3).describe('retries after the first attempt'),
  jitter: z
    .enum(['none', 'full', 'equal'])
    .default('equal')
    .describe(
      'randomise each delay d so services do not retry in lockstep: equal = [d/2, d], full = [0, d], none = d',
    ),
});

const scheduleFields = {
  every: positiveDuration('PT10S').optional().describe('run every duration'),
  cron: z
    .string()
    .superRefine((text, ctx) => {
      try {
        parseCron(text);
      } catch (error) {
        // The parser's reason (which field, which value, or "never fires"), not a generic hint.
        const message = error instanceof Error ? error.message : String(error);
        ctx.addIssue({
          code: 'custom',
          message: `expected a valid cron expression: ${message.replace(/^invalid cron expression "[^"]*": /, '')}`,
        });
      }
    })
    .optional()
    .describe('cron expression: minute hour day month weekday, optionally with seconds first'),
  timeZone: timeZone.optional().describe('time zone of the cron expression (default UTC)'),
};

/** One workflow the online engine keeps up to date. */
export const onlineWorkflowConfigSchema = z
  .strictObject({
    workflow: nonEmpty.describe('workflow id'),
    ...scheduleFields,
    window: relativeWindow.default('-PT60S/-PT10S').describe('relative window per tick'),
    iterations: z.int().min(1).optional().describe('ticks before it stops (default unbounded)'),
    retry: retryConfigSchema.optional(),
  })
  .superRefine((value, ctx) => {
    if ((value.every === undefined) === (value.cron === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['every'],
        message: 'expected exactly one of "every" (an ISO 8601 duration) or "cron" (an expression)',
      });
    }
    if (value.timeZone !== undefined && value.cron === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeZone'],
        message: 'expected "timeZone" only together with "cron"',
      });
    }
  });

/** The online engine: which workflows, how often, retries, and where its state files live. */
export const onlineConfigSchema = z.strictObject({
  name: nonEmpty.default('default').describe('service name (one running instance per name)'),
  runner: z
    .enum(['local', 'queue'])
    .default('local')
    .describe(
      'where ticks run: in the service process (local), or enqueued for queue workers (queue; needs the queue section)',
    ),
  stateDir: nonEmpty
    .default('.hyperstream')
    .describe('folder of state, lock and log files, relative to the config file'),
  stopTimeout: isoDuration('PT30S').default('PT30S').describe('graceful stop timeout'),
  retry: retryConfigSchema.optional().describe('default retry policy of every workflow'),
  workflows: z.array(onlineWorkflowConfigSchema).default([]),
});

const queueName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'expected 1-64 letters, digits, "_", "." or "-"' });
const priority = z
  .int()
  .min(1)
  .max(2 ** 21)
  .describe('queue priority: 1 runs first, up to 2097152');

/**
 * The job queue (BullMQ on Redis) that `run --distributed`, `hyperstream worker` and the online
 * engine with `runner: queue` share.
 */
export const queueConfigSchema = z.strictObject({
  url: z
    .string()
    .regex(/^rediss?:\/\//, { message: 'expected a redis:// or rediss:// URL' })
    .optional()
    .describe('Redis URL such as redis://127.0.0.1:6379; REDIS_URL overrides it'),
  name: queueName.default('hyperstream').describe('BullMQ queue name'),
  prefix: queueName.default('hs').describe('prefix of every Redis key'),
  retry: retryConfigSchema
    .optional()
    .describe(
      'how failed pieces are retried (default exponential 1 s ×2, 3 retries, equal jitter)',
    ),
  retries: z
    .array(
      z.strictObject({
        workflow: nonEmpty,
        factor: nonEmpty
          .optional()
          .describe(
            'only this factor, by its id ("tool->sink", as in failed pieces and sessions; default every factor of the workflow)',
          ),
        retry: retryConfigSchema,
      }),
    )
    .default([])
    .describe('retry policies per workflow or factor; the most specific wins'),
  priority: priority.default(10).describe('priority of run --distributed pieces'),
  onlinePriority: priority
    .default(1)
    .describe("priority of the online engine's ticks (before backfills)"),
  redisTimeout: positiveDuration('PT60S')
    .default('PT60S')
    .describe('how long Redis may be unreachable during a run before it fails'),
  worker: z
    .strictObject({
      concurrency: z.int().min(1).default(1).describe('pieces a worker process runs at once'),
      lockDuration: positiveDuration('PT30S')
        .default('PT30S')
        .describe('a piece whose worker stops renewing its lock this long is taken again'),
      stalledInterval: positiveDuration('PT30S')
        .default('PT30S')
        .describe('how often workers look for pieces of dead workers'),
      maxStalledCount: z
        .int()
        .min(0)
        .default(5)
        .describe('times a piece may be taken again before it fails'),
      stopTimeout: isoDuration('PT30S')
        .default('PT30S')
        .describe('on SIGTERM, how long running pieces may take before they are abandoned'),
    })
    .default({
      concurrency: 1,
      lockDuration: 'PT30S',
      stalledInterval: 'PT30S',
      maxStalledCount: 5,
      stopTimeout: 'PT30S',
    }),
});

/** Where the CLI and the online engine write their log lines. */
export const loggingConfigSchema = z
  .strictObject({
    level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    format: z.enum(['text', 'json']).default('text'),
    file: nonEmpty.optional().describe('log file, relative to the config file (default stderr)'),
    rotate: z
      .strictObject({
        size: z
          .string()
          .regex(/^\d+[kmg]$/i, { message: 'expected a size such as "10m", "500k" or "1g"' })
          .optional()
          .describe('start a new file past this size'),
        frequency: z.enum(['hourly', 'daily']).optional().describe('start a new file this often'),
        keep: z.int().min(1).default(7).describe('old files kept'),
      })
      .optional()
      .describe('rotate the log file (JSON lines) by size and/or time, keeping some old files'),
  })
  .refine((value) => value.rotate === undefined || value.file !== undefined, {
    message: 'expected "file" with "rotate": only a log file can be rotated',
    path: ['rotate'],
  });

/** A workflow built in code, in a `.ts`/`.js` config: called once with the engine. */
export type WorkflowFactory = (engine: Engine) => unknown;

const workflowEntry = z.custom<string | WorkflowFactory>(
  (value) => (typeof value === 'string' && value.trim() !== '') || typeof value === 'function',
  {
    message:
      'expected a workflow file (.ts, .js or .json), or in a .ts/.js config a function (engine) => Workflow',
  },
);

/** The whole `hyperstream.config.json` (or the default export of `hyperstream.config.ts`). */
export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  storage: storageConfigSchema.optional(),
  plugins: z.array(PluginConfigSchema).default([]),
  workflows: z
    .array(workflowEntry)
    .default([])
    .describe(
      'files exporting workflows (.ts/.js modules or .json definitions), or factories in a code config',
    ),
  queue: queueConfigSchema.optional(),
  online: onlineConfigSchema.default({
    name: 'default',
    runner: 'local',
    stateDir: '.hyperstream',
    stopTimeout: 'PT30S',
    workflows: [],
  }),
  logging: loggingConfigSchema.default({ level: 'info', format: 'text' }),
});

/** A config as written in the file (before defaults). */
export type ConfigInput = z.input<typeof configSchema>;
/** A config after validation and defaults, paths still as written. */
export type ParsedConfig = z.output<typeof configSchema>;
export type StorageConfig = z.output<typeof storageConfigSchema>;
export type RetryConfig = z.output<typeof retryConfigSchema>;
export type OnlineWorkflowConfig = z.output<typeof onlineWorkflowConfigSchema>;
export type OnlineConfig = z.output<typeof onlineConfigSchema>;
export type QueueConfig = z.output<typeof queueConfigSchema>;
export type LoggingConfig = z.output<typeof loggingConfigSchema>;

/**
 * Identity for `hyperstream.config.ts`: gives the default export its type, nothing else.
 *
 * @example
 * export default defineConfig({ storage: { kind: 'memory' }, workflows: ['./workflows/ingest.ts'] });
 */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}
