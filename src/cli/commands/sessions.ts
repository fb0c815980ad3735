import { z } from 'zod';
import { sessionStatusSchema } from '../../storage/session-store.js';
import { InvalidArgumentError } from '../../errors.js';
import { formatTimestamp } from '../../time/timestamp.js';
import type { SessionRecord } from '../../storage/session-store.js';
import { defineCommand, positionals, positiveInt } from '../args.js';
import { formatInterval } from './common.js';

export const sessionsListCommand = defineCommand({
  name: 'sessions list',
  summary:
    'List recorded executions, newest first (kept only with a persistent store such as MongoDB).',
  usage:
    'sessions list [--workflow <id>] [--status completed|failed|aborted|running] [--limit <n>]',
  options: {
    workflow: { type: 'string', value: '<id>', description: 'only sessions of this workflow' },
    status: { type: 'string', value: '<status>', description: 'only sessions with this status' },
    limit: { type: 'string', value: '<n>', description: 'at most n sessions (default 20)' },
  },
  schema: z.strictObject({
    positionals: positionals(),
    workflow: z.string().optional(),
    status: sessionStatusSchema.optional(),
    limit: positiveInt.optional(),
  }),
  async run(args, ctx) {
    const { engine } = await ctx.workspace();
    const sessions = await engine.sessions.list({
      ...(args.workflow === undefined ? {} : { workflow: args.workflow }),
      ...(args.status === undefined ? {} : { status: args.status }),
      limit: args.limit ?? 20,
    });
    if (ctx.output.json) {
      ctx.output.data(sessions.map(summary));
      return;
    }
    ctx.output.rows(
      sessions.map(summary).map((s) => ({ ...s, intervals: s.intervals.join(' U ') })),
      ['id', 'workflows', 'status', 'started', 'durationMs', 'intervals', 'pieces', 'documents'],
      '(no sessions)',
    );
  },
});

export const sessionsShowCommand = defineCommand({
  name: 'sessions show',
  summary: 'Show one session: what ran, over which intervals, per-factor totals and any error.',
  usage: 'sessions show <id>',
  positionals: [{ name: '<id>', description: 'session id (see "sessions list")' }],
  schema: z.strictObject({ positionals: positionals('id') }),
  async run(args, ctx) {
    const { engine } = await ctx.workspace();
    const session = await engine.sessions.get(args.positionals[0]);
    if (!session) {
      throw new InvalidArgumentError(
        `session "${args.positionals[0]}" not found: see "hyperstream sessions list"`,
      );
    }
    if (ctx.output.json) {
      ctx.output.data(session);
      return;
    }
    const s = summary(session);
    const out = ctx.output;
    out.line(`session ${s.id}: ${s.status}`);
    out.line(`workflows: ${s.workflows}${session.node ? `, node ${session.node}` : ''}`);
    out.line(`intervals: ${s.intervals.join(' U ')}`);
    out.line(`started:   ${s.started} (${String(s.durationMs)} ms)`);
    if (session.error) out.line(`error:     ${session.error.code}: ${session.error.message}`);
    out.line('');
    out.rows(
      session.factors.map((f) => ({ ...f, durationMs: Math.round(f.durationMs) })),
      ['factor', 'tool', 'pieces', 'documents', 'durationMs'],
      '(no factors ran)',
    );
  },
});

function summary(session: SessionRecord) {
  return {
    id: session.id,
    workflows: session.workflows.join(', '),
    status: session.status,
    started: formatTimestamp(session.startedAt),
    durationMs: session.endedAt === undefined ? undefined : session.endedAt - session.startedAt,
    intervals: session.intervals.map(formatInterval),
    pieces: session.pieces.length,
    documents: session.pieces.reduce((sum, p) => sum + p.documents, 0),
    ...(session.error ? { error: session.error.message } : {}),
  };
}
