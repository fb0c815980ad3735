import { z } from 'zod';
import { ErrorCode, isHyperstreamError } from '../../errors.js';
import { TimeIntervals } from '../../time/time-intervals.js';
import { toDurationMs } from '../../time/duration.js';
import type { SessionRecord } from '../../storage/session-store.js';
import type { ExecuteOptions } from '../../workflow/execution.js';
import { defineCommand, positionals, positiveInt } from '../args.js';
import { INTERVAL_OPTIONS, formatInterval, intervalFields, intervalFromArgs } from './common.js';

/** The exit code of a run stopped with Ctrl-C (128 + SIGINT), as shells expect. */
export const EXIT_INTERRUPTED = 130;

export const runCommand = defineCommand({
  name: 'run',
  summary:
    'Execute a workflow over a time range, computing only what is missing. The range is cut into ' +
    'pieces (--pieces, or --step) so progress can be shown; Ctrl-C stops after the current piece ' +
    'and records nothing partial.',
  usage:
    'run <workflow> (--from <time> --to <time> | --interval <interval>) [--step <duration> | --pieces <n>]',
  positionals: [{ name: '<workflow>', description: 'workflow id (see "workflows list")' }],
  options: {
    ...INTERVAL_OPTIONS,
    step: { type: 'string', value: '<duration>', description: 'piece length, e.g. PT1H' },
    pieces: { type: 'string', value: '<n>', description: 'number of equal pieces (default 10)' },
    concurrency: {
      type: 'string',
      value: '<n>',
      description: 'pieces of a factor run at once (default 1)',
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
    })
    .refine((a) => a.step === undefined || a.pieces === undefined, {
      message: 'give either --step or --pieces, not both',
      path: ['step'],
    }),
  async run(args, ctx) {
    const { engine } = await ctx.workspace();
    const workflow = engine.workflows.get(args.positionals[0]);
    const interval = intervalFromArgs(args, engine.clock)!;
    const step =
      args.step !== undefined
        ? toDurationMs(args.step)
        : Math.max(1, Math.ceil(interval.width / (args.pieces ?? 10)));
    const pieces = interval.isEmpty ? [] : TimeIntervals.of(interval).split(step);
    const controller = new AbortController();
    const onSigint = (): void => {
      if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
      ctx.output.note('stopping after the current piece (Ctrl-C again to quit at once)');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    const progress = ctx.output.progress(`run ${workflow.id}`, pieces.length);
    const sessions: SessionRecord[] = [];
    const started = Date.now();
    let outcome: 'completed' | 'aborted' = 'completed';
    try {
      for (const piece of pieces) {
        if (controller.signal.aborted) {
          outcome = 'aborted';
          break;
        }
        try {
          // The bar moves inside a piece: after each tool piece (onPiece) and, where the engine
          // reports documents written during a tool piece (an onProgress hook), as they are written.
          let written = 0;
          const options: ExecuteOptions & {
            readonly onProgress?: (progress: { readonly documents: number }) => void;
          } = {
            signal: controller.signal,
            ...(args.concurrency ? { concurrency: args.concurrency } : {}),
            onPiece: (done) => {
              written += done.documents;
              progress.written(written);
            },
            onProgress: ({ documents }) => progress.written(written + documents),
          };
          const session = await workflow.execute(piece, options);
          sessions.push(session);
          progress.tick(documentsOf(session), formatInterval(piece.toJSON()));
        } catch (error) {
          if (isHyperstreamError(error) && error.code === ErrorCode.EXECUTION_ABORTED) {
            outcome = 'aborted';
            break;
          }
          throw error;
        }
      }
    } finally {
      progress.end();
      process.off('SIGINT', onSigint);
    }
    const summary = {
      workflow: workflow.id,
      interval: formatInterval(interval.toJSON()),
      status: outcome,
      pieces: { done: sessions.length, total: pieces.length },
      documents: sessions.reduce((sum, s) => sum + documentsOf(s), 0),
      computed: sessions.reduce((sum, s) => sum + s.pieces.length, 0),
      durationMs: Date.now() - started,
      sessions: sessions.map((s) => s.id),
    };
    if (ctx.output.json) ctx.output.data(summary);
    else {
      ctx.output.line(
        `${outcome === 'aborted' ? 'stopped' : 'done'}: workflow "${workflow.id}" over ${summary.interval}: ` +
          `${String(summary.pieces.done)}/${String(summary.pieces.total)} pieces, ` +
          `${String(summary.documents)} documents written in ${String(summary.computed)} tool runs, ${String(summary.durationMs)} ms` +
          (outcome === 'aborted' ? '; nothing partial was recorded, run again to finish' : ''),
      );
    }
    return outcome === 'aborted' ? EXIT_INTERRUPTED : 0;
  },
});

function documentsOf(session: SessionRecord): number {
  return session.pieces.reduce((sum, piece) => sum + piece.documents, 0);
}
