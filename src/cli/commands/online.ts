import { z } from 'zod';
import { loadConfig } from '../../config/load-config.js';
import { InvalidArgumentError } from '../../errors.js';
import type { OnlineStatus, Sleeper } from '../../online/online-engine.js';
import { OnlineEngine, realSleeper, virtualSleeper } from '../../online/online-engine.js';
import { onlineWorkflowsFromConfig } from '../../config/online-from-config.js';
import { noQueueError } from '../../config/queue-from-config.js';
import type { ServicePaths, ServiceStatus } from '../../online/service.js';
import {
  acquireLock,
  listServices,
  readServiceStatus,
  serviceExists,
  servicePaths,
  startDetached,
  stopService,
  writeServiceState,
} from '../../online/service.js';
import type { Clock } from '../../time/clock.js';
import { VirtualClock } from '../../time/clock.js';
import { toDurationMs } from '../../time/duration.js';
import { toTimestamp } from '../../time/timestamp.js';
import type { CommandContext } from '../args.js';
import { defineCommand, positionals, positiveInt } from '../args.js';
import { createLogger } from '../logger.js';
import { openWorkspace } from '../workspace.js';

const NAME_OPTION = {
  name: {
    type: 'string',
    value: '<name>',
    description: 'service name (default: online.name of the config)',
  },
} as const;

export const onlineStartCommand = defineCommand({
  name: 'online start',
  summary:
    "Run the online engine: on each tick of each online workflow's schedule, execute it over its " +
    'relative window, retrying failures with backoff. Runs in the foreground until stopped ' +
    '(Ctrl-C, SIGTERM or "online stop"), or with --detach in the background. One instance per name.',
  usage:
    'online start [--name <name>] [--detach] [--workflow <id>]... [--iterations <n>] [--virtual-clock <time>]',
  options: {
    ...NAME_OPTION,
    detach: {
      type: 'boolean',
      short: 'd',
      description: 'run in the background (log: <stateDir>/<name>.log)',
    },
    workflow: {
      type: 'string',
      multiple: true,
      value: '<id>',
      description: 'only these online workflows (repeatable)',
    },
    iterations: {
      type: 'string',
      value: '<n>',
      description: 'ticks per workflow before stopping (default: config)',
    },
    'virtual-clock': {
      type: 'string',
      value: '<time>',
      description: 'run on a virtual clock from <time>: ticks follow at once (tests, backfills)',
    },
    fresh: {
      type: 'boolean',
      description: 'ignore the previous run: start windows now and clear the failed list',
    },
  },
  details:
    'Examples:\n  hyperstream online start --detach\n  hyperstream online start --virtual-clock 2026-01-01T00:00:00Z --iterations 360 --json',
  schema: z.strictObject({
    positionals: positionals(),
    name: z.string().optional(),
    detach: z.boolean().optional(),
    workflow: z.array(z.string()).optional(),
    iterations: positiveInt.optional(),
    'virtual-clock': z.string().optional(),
    fresh: z.boolean().optional(),
  }),
  async run(args, ctx) {
    if (args.detach) {
      // The background process builds the engine; here only the state folder is needed.
      const config = await configOf(ctx);
      const paths = servicePaths(config.online.stateDir, args.name ?? config.online.name);
      const result = await startDetached(paths, {
        command: ctx.self.command,
        args: [...ctx.self.args, ...ctx.argv.filter((a) => a !== '--detach' && a !== '-d')],
        cwd: ctx.cwd,
        env: { ...process.env, ...ctx.env },
      });
      ctx.output.result(result);
      return result.status === 'SUCCESS' ? 0 : 1;
    }
    return await runForeground(args, ctx);
  },
});

async function runForeground(
  args: {
    readonly name?: string | undefined;
    readonly workflow?: readonly string[] | undefined;
    readonly iterations?: number | undefined;
    readonly 'virtual-clock'?: string | undefined;
    readonly fresh?: boolean | undefined;
  },
  ctx: CommandContext,
): Promise<number> {
  const virtualStart = args['virtual-clock'];
  const clock: Clock | undefined =
    virtualStart === undefined ? undefined : new VirtualClock(toTimestamp(virtualStart));
  const workspace = await openWorkspace({
    ...(ctx.globals.config === undefined ? {} : { configPath: ctx.globals.config }),
    cwd: ctx.cwd,
    env: ctx.env,
    ...(clock ? { clock } : {}),
  });
  try {
    const { config, engine } = workspace;
    const paths = servicePaths(config.online.stateDir, args.name ?? config.online.name);
    // Resuming where the previous run stopped leaves no gap; --fresh starts over.
    const saved = await readServiceStatus(paths);
    const previous = args.fresh ? undefined : saved;
    const restarts = saved.started === undefined ? 0 : saved.restarts + 1;
    if (!engine.runners.includes(config.online.runner)) throw noQueueError('online.runner "queue"');
    const workflows = onlineWorkflowsFromConfig(config.online, engine.workflows, {
      ...(args.workflow ? { only: args.workflow } : {}),
      ...(args.iterations === undefined ? {} : { iterations: args.iterations }),
      ...(previous ? { resumeFrom: resumePoints(previous) } : {}),
      runner: config.online.runner,
      ...(config.queue ? { priority: config.queue.onlinePriority } : {}),
    });
    if (workflows.length === 0) {
      throw new InvalidArgumentError(
        'no online workflows: list them under online.workflows in the config, or flag a workflow online: true',
      );
    }
    const lock = await acquireLock(paths);
    if (!lock.acquired) {
      ctx.output.result({
        status: 'ERROR',
        message: `online engine "${paths.name}" is already running (pid ${String(lock.holder)})`,
      });
      return 1;
    }
    try {
      const logger = createLogger(config.logging, process.stderr, () => engine.clock.now());
      const sleep: Sleeper =
        clock instanceof VirtualClock ? virtualSleeper(clock) : realSleeper(engine.clock);
      const online = new OnlineEngine({
        name: paths.name,
        clock: engine.clock,
        sleep,
        workflows,
        logger,
        onChange: (status) => writeServiceState(paths, status, { restarts }),
        ...(previous ? { failedPieces: previous.failedPieces } : {}),
      });
      const stopTimeout = toDurationMs(config.online.stopTimeout);
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals): void => {
        // A second Ctrl-C does not wait for the current piece.
        if (stopping) process.exit(130);
        stopping = true;
        logger.info(
          `received ${signal}: stopping (current piece may finish within ${String(stopTimeout)} ms)`,
        );
        void online.stop({ timeout: stopTimeout });
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      try {
        await online.start();
        const final = await online.finished();
        report(ctx, final);
        return final.status === 'failed' ? 1 : 0;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        await logger.close();
      }
    } finally {
      await lock.release();
    }
  } finally {
    await workspace.close();
  }
}

function report(ctx: CommandContext, status: OnlineStatus): void {
  if (ctx.output.json) {
    ctx.output.data(status);
    return;
  }
  ctx.output.line(
    `online engine "${status.name}" ${status.status}: ${String(status.iterations)} iterations, ` +
      `${String(status.failedPieces.length)} failed pieces${status.lastError ? `; last error: ${status.lastError}` : ''}`,
  );
}

function resumePoints(previous: ServiceStatus): Map<string, number> {
  const points = new Map<string, number>();
  for (const w of previous.workflows)
    if (w.lastEnd !== undefined) points.set(w.workflow, toTimestamp(w.lastEnd));
  return points;
}

async function configOf(ctx: CommandContext) {
  return await loadConfig({
    ...(ctx.globals.config === undefined ? {} : { configPath: ctx.globals.config }),
    cwd: ctx.cwd,
    env: ctx.env,
  });
}

async function pathsOf(
  ctx: CommandContext,
  name: string | undefined,
): Promise<{ paths: ServicePaths; stopTimeout: number }> {
  const config = await configOf(ctx);
  return {
    paths: servicePaths(config.online.stateDir, name ?? config.online.name),
    stopTimeout: toDurationMs(config.online.stopTimeout),
  };
}

const TIMEOUT_OPTION = {
  timeout: {
    type: 'string',
    value: '<duration>',
    description: 'wait this long before killing it (default: twice online.stopTimeout + 5 s)',
  },
} as const;

export const onlineStopCommand = defineCommand({
  name: 'online stop',
  summary:
    'Stop a running online engine gracefully: its current piece finishes, or is abandoned without ' +
    'being recorded after online.stopTimeout; a process that does not stop in time is killed.',
  usage: 'online stop [--name <name>] [--timeout <duration>]',
  options: { ...NAME_OPTION, ...TIMEOUT_OPTION },
  schema: z.strictObject({
    positionals: positionals(),
    name: z.string().optional(),
    timeout: z.string().optional(),
  }),
  async run(args, ctx) {
    const { paths, stopTimeout } = await pathsOf(ctx, args.name);
    const result = await stopService(paths, {
      timeout: args.timeout === undefined ? 2 * stopTimeout + 5000 : toDurationMs(args.timeout),
    });
    ctx.output.result(result);
    return result.status === 'SUCCESS' ? 0 : 1;
  },
});

export const onlineRestartCommand = defineCommand({
  name: 'online restart',
  summary: 'Stop the online engine (if it runs) and start it again in the background.',
  usage: 'online restart [--name <name>] [--timeout <duration>]',
  options: { ...NAME_OPTION, ...TIMEOUT_OPTION },
  schema: z.strictObject({
    positionals: positionals(),
    name: z.string().optional(),
    timeout: z.string().optional(),
  }),
  async run(args, ctx) {
    const { paths, stopTimeout } = await pathsOf(ctx, args.name);
    const running = (await readServiceStatus(paths)).active;
    if (running) {
      const stopped = await stopService(paths, {
        timeout: args.timeout === undefined ? 2 * stopTimeout + 5000 : toDurationMs(args.timeout),
      });
      if (stopped.status === 'ERROR') {
        ctx.output.result(stopped);
        return 1;
      }
    }
    const config = ctx.globals.config === undefined ? [] : ['--config', ctx.globals.config];
    const started = await startDetached(paths, {
      command: ctx.self.command,
      args: [...ctx.self.args, 'online', 'start', '--name', paths.name, ...config],
      cwd: ctx.cwd,
      env: { ...process.env, ...ctx.env },
    });
    const result =
      started.status === 'SUCCESS'
        ? {
            status: 'SUCCESS' as const,
            message: `online engine "${paths.name}" ${running ? 'restarted' : 'was not running; started'} (pid ${String(started.pid)})`,
          }
        : { status: started.status, message: started.message };
    ctx.output.result(result);
    return result.status === 'SUCCESS' ? 0 : 1;
  },
});

export const onlineStatusCommand = defineCommand({
  name: 'online status',
  summary:
    "Show the online engine's state from its state file: name, active, running/stopped/failed, " +
    'started, pid, restarts, memory, what it is computing now (workflow, window, last piece), ' +
    "failed pieces and each workflow's next tick. Exits 1 when the service has failed or does not exist.",
  usage: 'online status [--name <name>]',
  options: NAME_OPTION,
  schema: z.strictObject({ positionals: positionals(), name: z.string().optional() }),
  async run(args, ctx) {
    const config = await configOf(ctx);
    const paths = servicePaths(config.online.stateDir, args.name ?? config.online.name);
    // The configured service exists before its first start; any other name needs a state file.
    if (paths.name !== config.online.name && !(await serviceExists(paths))) {
      const known = (await listServices(config.online.stateDir)).map((s) => s.name);
      ctx.output.result({
        status: 'ERROR',
        message: `online engine "${paths.name}" does not exist: no state file in ${config.online.stateDir}; services: ${[
          ...new Set([config.online.name, ...known]),
        ].join(', ')}`,
      });
      return 1;
    }
    const status = await readServiceStatus(paths);
    const exit = status.status === 'failed' ? 1 : 0;
    if (ctx.output.json) {
      ctx.output.data(status);
      return exit;
    }
    const out = ctx.output;
    const never = status.started === undefined;
    out.line(
      `online engine "${status.name}": ${status.status}${never ? ' (never started)' : `, pid ${String(status.pid)}`}`,
    );
    out.line(
      `active: ${status.active ? 'yes' : 'no'}, started: ${status.started ?? '-'}, restarts: ${String(status.restarts)}, ` +
        `iterations: ${String(status.iterations)}, last run: ${status.lastRun ?? '-'}`,
    );
    out.line(
      `memory: ${(status.memory.rss / 1048576).toFixed(1)} MB rss, ${(status.memory.heapUsed / 1048576).toFixed(1)} MB heap`,
    );
    const now = status.current;
    if (now) {
      const last = now.lastPiece
        ? `; last piece: ${now.lastPiece.factor}${now.lastPiece.plateValue ? ` [${now.lastPiece.plateValue}]` : ''} ${now.lastPiece.interval}, ${String(now.lastPiece.documents)} documents`
        : '';
      out.line(
        `now: workflow ${now.workflow} over ${now.window} (attempt ${String(now.attempt)}, since ${now.since}): ` +
          `${String(now.pieces)} pieces, ${String(now.documents)} documents${last}`,
      );
    } else if (status.active) {
      out.line('now: waiting for the next tick');
    }
    if (status.lastError) out.line(`last error: ${status.lastError}`);
    out.line('');
    out.rows(
      status.workflows.map((w) => ({
        ...w,
        retrying: w.retrying ? `${w.retrying.interval} retry ${String(w.retrying.retry)}` : '',
      })),
      [
        'workflow',
        'schedule',
        'window',
        'iterations',
        'failures',
        'lastRun',
        'nextRun',
        'retrying',
      ],
      '(no workflows)',
    );
    if (status.failedPieces.length) {
      out.line('');
      out.line('failed pieces:');
      out.rows(
        status.failedPieces.map((p) => ({
          ...p,
          interval: `(${p.interval.start}, ${p.interval.end}]`,
        })),
        ['workflow', 'interval', 'attempts', 'failedAt', 'error'],
      );
    }
    return exit;
  },
});

export const onlineListCommand = defineCommand({
  name: 'online list',
  summary:
    'List the online engine services that have a state file, and the configured online workflows.',
  usage: 'online list',
  schema: z.strictObject({ positionals: positionals() }),
  async run(_args, ctx) {
    const { config, engine } = await ctx.workspace();
    const services = await listServices(config.online.stateDir);
    const workflows = onlineWorkflowsFromConfig(config.online, engine.workflows).map((w) => ({
      workflow: w.target.id,
      schedule: w.schedule.description,
      window: w.window.toString(),
      iterations: w.iterations ?? 'unbounded',
      retries: w.retry?.maxRetries ?? 3,
    }));
    const rows = services.map((s) => ({
      name: s.name,
      status: s.status,
      active: s.active,
      pid: s.pid,
      restarts: s.restarts,
      iterations: s.iterations,
      lastRun: s.lastRun,
      failedPieces: s.failedPieces.length,
    }));
    if (ctx.output.json) {
      ctx.output.data({ services: rows, workflows });
      return;
    }
    ctx.output.rows(
      rows,
      ['name', 'status', 'active', 'pid', 'restarts', 'iterations', 'lastRun', 'failedPieces'],
      '(no services have run)',
    );
    ctx.output.line('');
    ctx.output.rows(
      workflows,
      ['workflow', 'schedule', 'window', 'iterations', 'retries'],
      '(no online workflows configured)',
    );
  },
});
