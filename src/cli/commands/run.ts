import { z } from 'zod';
import { ErrorCode, isHyperstreamError } from '../../errors.js';
import { toDurationMs } from '../../time/duration.js';
import type { PieceRecord, SessionRecord } from '../../storage/session-store.js';
import { noQueueError } from '../../config/queue-from-config.js';
import { defineCommand, positionals, positiveInt } from '../args.js';
import { INTERVAL_OPTIONS, formatInterval, intervalFields, intervalFromArgs } from './common.js';

/** The exit code of a run stopped with Ctrl-C (128 + SIGINT), as shells expect. */
export const EXIT_INTERRUPTED = 130;

export const runCommand = defineCommand({
  name: 'run',
  summary:
    'Execute a workflow over a time range, computing only what is missing, as one session. ' +
    'Progress shows the planned pieces as they complete (--step or --pieces cuts the range into ' +
    'shorter pieces); Ctrl-C stops after the running pieces and records nothing partial. ' +
    'With --distributed the pieces run on queue workers ("hyperstream worker"), each after the ' +
    'pieces it reads from, with the same results.',
  usage:
    'run <workflow> (--from <time> --to <time> | --interval <interval>) [--step <duration> | --pieces <n>] [--distributed [--priority <n>]]',
  positionals: [{ name: '<workflow>', description: 'workflow id (see "workflows list")' }],
  options: {
    ...INTERVAL_OPTIONS,
    step: {
      type: 'string',
      value: '<duration>',
      description: 'longest piece one tool computes, e.g. PT1H',
    },
    pieces: {
      type: 'string',
      value: '<n>',
      description: 'cut the range into n equal pieces per plate value',
    },
    concurrency: {
      type: 'string',
      value: '<n>',
      description: 'pieces run at once in this process (default 1)',
    },
    distributed: {
      type: 'boolean',
      description:
        'run the pieces on queue workers ("hyperstream worker"; needs the queue section)',
    },
    priority: {
      type: 'string',
      value: '<n>',
      description: 'queue priority with --distributed: 1 runs first (default queue.priority, 10)',
    },
  },
  details:
    'Examples:\n  hyperstream run ingest --from 2016-04-28T20:00:00Z --to 2016-04-29T20:00:00Z\n  hyperstream run ingest --interval -P1D/now --step PT1H --json',
  schema: z
    .strictObject({
      positionals: positionals('workflow'),
      ...intervalFields,
      step: z.string().optional(),
      pieces: positiveInt.optional(),
      concurrency: positiveInt.optional(),
      distributed: z.boolean().optional(),
      priority: positiveInt.optional(),
    })
    .refine((a) => a.step === undefined || a.pieces === undefined, {
      message: 'give either --step or --pieces, not both',
      path: ['step'],
    })
    .refine((a) => a.priority === undefined || a.distributed === true, {
      message: '--priority orders the queue: give it with --distributed',
      path: ['priority'],
    })
    .refine((a) => a.concurrency === undefined || a.distributed !== true, {
      message: "with --distributed, concurrency is the workers' (hyperstream worker --concurrency)",
      path: ['concurrency'],
    }),
  async run(args, ctx) {
    const { engine, config } = await ctx.workspace();
    if (args.distributed && !config.queue) throw noQueueError('run --distributed');
    const workflow = engine.workflows.get(args.positionals[0]);
    const interval = intervalFromArgs(args, engine.clock)!;
    const maxPieceSize =
      args.step !== undefined
        ? toDurationMs(args.step)
        : args.pieces !== undefined
          ? Math.max(1, Math.ceil(interval.width / args.pieces))
          : undefined;
    const controller = new AbortController();
    const onSigint = (): void => {
      if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
      ctx.output.note('stopping after the running pieces (Ctrl-C again to quit at once)');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    const progress = ctx.output.progress(`run ${workflow.id}`, 0);
    const started = Date.now();
    let session: SessionRecord;
    try {
      session = await workflow.execute(interval, {
        signal: controller.signal,
        ...(args.concurrency ? { concurrency: args.concurrency } : {}),
        ...(args.distributed ? { runner: 'queue' } : {}),
        ...(args.priority ? { priority: args.priority } : {}),
        ...(maxPieceSize !== undefined ? { maxPieceSize } : {}),
        onPlan: (pieces) => progress.planned(pieces.length),
        onPiece: (piece) => progress.tick(piece.documents, describePiece(piece)),
        onProgress: ({ documents }) => progress.written(documents),
      });
    } catch (error) {
      if (!(isHyperstreamError(error) && error.code === ErrorCode.EXECUTION_ABORTED)) throw error;
      session = error.details.session as SessionRecord;
    } finally {
      progress.end();
      process.off('SIGINT', onSigint);
    }
    const aborted = session.status === 'aborted';
    const documents = session.pieces.reduce((sum, piece) => sum + piece.documents, 0);
    const summary = {
      workflow: workflow.id,
      interval: formatInterval(interval.toJSON()),
      status: session.status,
      pieces: session.pieces.length,
      documents,
      durationMs: Date.now() - started,
      session: session.id,
    };
    if (ctx.output.json) ctx.output.data(summary);
    else {
      ctx.output.line(
        `${aborted ? 'stopped' : 'done'}: workflow "${workflow.id}" over ${summary.interval}: ` +
          `${String(summary.pieces)} pieces computed, ${String(documents)} documents written, ` +
          `${String(summary.durationMs)} ms (session ${session.id})` +
          (aborted ? '; nothing partial was recorded, run again to finish' : ''),
      );
    }
    return aborted ? EXIT_INTERRUPTED : 0;
  },
});

/** `factor plate value (start, end]`, for progress lines. */
function describePiece(piece: PieceRecord): string {
  const plate = piece.plateValue.map(([k, v]) => `${k}=${v}`).join(',');
  return `${piece.factor}${plate ? ` ${plate}` : ''} ${formatInterval(piece.interval)}`;
}
