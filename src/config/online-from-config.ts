import type { OnlineConfig, RetryConfig } from './config-schema.js';
import { retryConfigSchema } from './config-schema.js';
import { toDurationMs } from '../time/duration.js';
import { RelativeTimeInterval } from '../time/relative-time-interval.js';
import type { TimeInterval } from '../time/time-interval.js';
import type { BackoffPolicy } from '../internal/backoff.js';
import type {
  OnlineExecuteOptions,
  OnlineTarget,
  OnlineWorkflowOptions,
} from '../online/online-engine.js';
import { cronSchedule, everySchedule } from '../online/schedule.js';

/** What the online engine needs of a workflow: its id, whether it is online, and execute. */
export interface OnlineWorkflowSource {
  readonly id: string;
  readonly online: boolean;
  execute(
    interval: TimeInterval,
    options: {
      readonly signal: AbortSignal;
      readonly onPiece?: OnlineExecuteOptions['onPiece'];
      readonly runner?: string;
      readonly priority?: number;
    },
  ): Promise<unknown>;
}

/** The retry section's defaults (exponential 1 s, ×2, 3 retries, equal jitter). */
const DEFAULT_RETRY: RetryConfig = retryConfigSchema.parse({});

/** Schedule and window of a workflow flagged `online` but not listed in the config (HyperStream's defaults). */
export const DEFAULT_ONLINE_SCHEDULE = { every: 'PT5S', window: '-PT60S/-PT10S' } as const;

/**
 * The online workflows of a config: each entry of `online.workflows`, then every workflow flagged
 * `online: true` that is not listed (every 5 s over `(now − 60 s, now − 10 s]`). `only` narrows
 * them to some ids; `resumeFrom` gives where a previous run left each workflow.
 */
export function onlineWorkflowsFromConfig(
  config: OnlineConfig,
  workflows: { get(id: string): OnlineWorkflowSource; list(): readonly OnlineWorkflowSource[] },
  options: {
    readonly only?: readonly string[];
    readonly iterations?: number;
    readonly resumeFrom?: ReadonlyMap<string, number>;
    /** Where ticks run (`online.runner`) and their queue priority. */
    readonly runner?: string;
    readonly priority?: number;
  } = {},
): OnlineWorkflowOptions[] {
  const placement = {
    ...(options.runner === undefined ? {} : { runner: options.runner }),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
  };
  const listed = config.workflows.map((entry) => ({
    workflow: workflows.get(entry.workflow),
    schedule:
      entry.cron !== undefined
        ? cronSchedule(entry.cron, entry.timeZone ?? 'UTC')
        : everySchedule(entry.every!),
    window: RelativeTimeInterval.parse(entry.window),
    iterations: entry.iterations,
    retry: entry.retry ?? config.retry ?? DEFAULT_RETRY,
  }));
  const flagged = workflows
    .list()
    .filter((w) => w.online && !config.workflows.some((entry) => entry.workflow === w.id))
    .map((workflow) => ({
      workflow,
      schedule: everySchedule(DEFAULT_ONLINE_SCHEDULE.every),
      window: RelativeTimeInterval.parse(DEFAULT_ONLINE_SCHEDULE.window),
      iterations: undefined,
      retry: config.retry ?? DEFAULT_RETRY,
    }));
  return [...listed, ...flagged]
    .filter((entry) => options.only === undefined || options.only.includes(entry.workflow.id))
    .map((entry) => {
      const target: OnlineTarget = {
        id: entry.workflow.id,
        execute: (interval, { signal, onPiece }) =>
          entry.workflow.execute(interval, {
            signal,
            ...placement,
            ...(onPiece ? { onPiece } : {}),
          }),
      };
      const iterations = options.iterations ?? entry.iterations;
      const resumeFrom = options.resumeFrom?.get(entry.workflow.id);
      return {
        target,
        schedule: entry.schedule,
        window: entry.window,
        ...(iterations === undefined ? {} : { iterations }),
        retry: backoffFromConfig(entry.retry),
        ...(resumeFrom === undefined ? {} : { resumeFrom }),
      };
    });
}

/** A config retry section in milliseconds. */
export function backoffFromConfig(retry: RetryConfig): BackoffPolicy {
  return {
    policy: retry.policy,
    delay: toDurationMs(retry.delay),
    factor: retry.factor,
    maxRetries: retry.maxRetries,
    jitter: retry.jitter,
    ...(retry.floor === undefined ? {} : { floor: toDurationMs(retry.floor) }),
    ...(retry.ceiling === undefined ? {} : { ceiling: toDurationMs(retry.ceiling) }),
  };
}
