// The JSON API of the web view (documented in docs/ui.md): read-only views over an engine and its
// storage, and the two optional actions. Each handler takes parsed parameters and returns plain
// JSON; server.ts does HTTP.
import { z } from 'zod';
import type { Channel } from '../channels/channel.js';
import type { Engine } from '../engine/engine.js';
import { InvalidArgumentError, StreamNotFoundError, WorkflowDefinitionError } from '../errors.js';
import { readColumnsOf } from '../channels/stream-access.js';
import { listServices } from '../online/service.js';
import type { SessionRecord, SessionStatus } from '../storage/session-store.js';
import { sessionStatusSchema } from '../storage/session-store.js';
import { StreamId } from '../streams/stream-id.js';
import { parseTimeInterval } from '../time/parse-interval.js';
import { TimeInterval } from '../time/time-interval.js';
import { MAX_DATE, MIN_DATE, toTimestamp } from '../time/timestamp.js';
import type { Workflow } from '../workflow/workflow.js';
import type {
  ChannelSummary,
  NodeCoverage,
  ServiceStatusJSON,
  SessionSummary,
  StreamList,
  StreamOverview,
  StreamSummary,
  StreamValues,
  WorkflowGraphModel,
  WorkflowList,
  WorkflowSummary,
} from './api-types.js';
import { nodeCoverage } from './coverage.js';
import { MAX_BUCKETS, downsample } from './downsample.js';
import { workflowGraphModel } from './graph-model.js';

/** The workflows the engine holds, with stored ones loaded; definitions that fail are reported. */
export async function listWorkflows(engine: Engine): Promise<WorkflowList> {
  const errors: string[] = [];
  try {
    await engine.workflows.loadAll();
  } catch (error) {
    errors.push(error instanceof Error ? error.message : String(error));
  }
  const workflows = engine.workflows.list().map((w): WorkflowSummary => ({
    id: w.id,
    name: w.name,
    description: w.description,
    owner: w.owner,
    online: w.online,
    nodes: w.nodes.length,
    factors: w.factors.length,
  }));
  workflows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { workflows, errors };
}

/** A workflow by id: a held one, or one loaded from the workflow store. */
export async function getWorkflow(engine: Engine, id: string): Promise<Workflow> {
  return await engine.workflows.load(id);
}

/** `GET /api/workflows/:id/graph`. */
export async function workflowGraph(engine: Engine, id: string): Promise<WorkflowGraphModel> {
  return workflowGraphModel((await getWorkflow(engine, id)).graph);
}

/** `GET /api/workflows/:id/nodes/:node/coverage`. */
export async function coverage(
  engine: Engine,
  id: string,
  node: string,
  query: URLSearchParams,
): Promise<NodeCoverage> {
  const workflow = await getWorkflow(engine, id);
  const from = query.get('from');
  const to = query.get('to');
  if ((from === null) !== (to === null)) {
    throw new InvalidArgumentError('give both "from" and "to", or neither', { from, to });
  }
  const range = from !== null && to !== null ? intervalOf(from, to) : undefined;
  return await nodeCoverage(engine, workflow, node, { range });
}

/** A channel that holds streams (tool channels hold tools). */
function streamChannel(engine: Engine, id: string): Channel {
  const channel = engine.channels.get(id);
  if (channel.kind === 'tool') {
    throw new InvalidArgumentError(
      `channel "${id}" holds tools, not streams: pick a stream channel`,
      {
        channel: id,
      },
    );
  }
  return channel;
}

/** `GET /api/channels`. */
export function listChannels(engine: Engine): ChannelSummary[] {
  return engine.channels
    .list()
    .filter((c) => c.kind !== 'tool')
    .map((c) => ({ id: c.id, kind: c.kind, writable: c.writable }));
}

/** The most streams one listing returns. */
export const STREAM_LIST_LIMIT = 1000;

/** `GET /api/streams?channel=&name=`: streams of one channel, or of every stream channel. */
export async function listStreams(engine: Engine, query: URLSearchParams): Promise<StreamList> {
  const channelId = query.get('channel');
  const name = query.get('name');
  const channels =
    channelId === null
      ? engine.channels.list().filter((c) => c.kind !== 'tool')
      : [streamChannel(engine, channelId)];
  const streams: StreamSummary[] = [];
  for (const channel of channels) {
    const found = await channel.findStreams(name === null || name === '' ? {} : { name });
    for (const stream of found) {
      streams.push({
        channel: channel.id,
        stream: stream.id.key,
        name: stream.id.name,
        meta: stream.id.meta,
      });
    }
  }
  streams.sort((a, b) =>
    a.channel === b.channel
      ? a.stream < b.stream
        ? -1
        : a.stream > b.stream
          ? 1
          : 0
      : a.channel < b.channel
        ? -1
        : 1,
  );
  return {
    streams: streams.slice(0, STREAM_LIST_LIMIT),
    truncated: streams.length > STREAM_LIST_LIMIT,
  };
}

/** The channel and id of `?channel=&stream=`. */
function streamOf(engine: Engine, query: URLSearchParams): { channel: Channel; id: StreamId } {
  const channelId = required(query, 'channel');
  const key = required(query, 'stream');
  return { channel: streamChannel(engine, channelId), id: StreamId.parse(key) };
}

/** `GET /api/stream?channel=&stream=`. */
export async function streamOverview(
  engine: Engine,
  query: URLSearchParams,
): Promise<StreamOverview> {
  const { channel, id } = streamOf(engine, query);
  if (!(await channel.hasStream(id))) {
    throw new StreamNotFoundError(id.key, channel.id);
  }
  const [first, last] = await extent(channel, id);
  return {
    channel: channel.id,
    stream: id.key,
    name: id.name,
    meta: id.meta,
    calculated: (await channel.getCalculatedIntervals(id)).toJSON(),
    first,
    last,
  };
}

async function extent(channel: Channel, id: StreamId): Promise<[number | null, number | null]> {
  const all = new TimeInterval(MIN_DATE, MAX_DATE);
  const edge = async (reverse: boolean): Promise<number | null> => {
    for await (const batch of channel.readBatches(id, all, { reverse, limit: 1 })) {
      if (batch.length) return batch[0]!.timestamp;
    }
    return null;
  };
  return [await edge(false), await edge(true)];
}

/**
 * Rows per batch read for a plot, at most: large, so a pass over millions awaits a few hundred
 * times (a columnar store hands out its chunks as they are, without copies).
 */
const READ_BATCH = 16_384;

/**
 * `GET /api/stream/values?channel=&stream=&from=&to=&width=&field=`: the window's numeric values
 * (or a field of object values), min/max-downsampled to `width` pixel buckets in one pass. Without
 * `from`/`to`, the window runs from the stream's first instant to its last.
 */
export async function streamValues(engine: Engine, query: URLSearchParams): Promise<StreamValues> {
  const started = performance.now();
  const { channel, id } = streamOf(engine, query);
  const field = query.get('field');
  const widthText = query.get('width') ?? '800';
  const width = Number(widthText);
  if (!/^\d+$/.test(widthText) || width < 1 || width > MAX_BUCKETS) {
    throw new InvalidArgumentError(
      `invalid width "${widthText}": expected a number of pixels from 1 to ${String(MAX_BUCKETS)}`,
      { width: widthText },
    );
  }
  const from = query.get('from');
  const to = query.get('to');
  let window: TimeInterval | undefined;
  if (from !== null || to !== null) {
    if (from === null || to === null) {
      throw new InvalidArgumentError('give both "from" and "to", or neither', { from, to });
    }
    window = intervalOf(from, to);
  } else {
    const [first, last] = await extent(channel, id);
    // (first − 1 ms, last]: the first instant is inside the half-open window.
    if (first !== null && last !== null) window = new TimeInterval(first - 1, last);
  }
  const series = window
    ? await downsample(readColumnsOf(channel, id, window, { batchSize: READ_BATCH }), {
        window,
        buckets: width,
        field: field ?? undefined,
      })
    : await downsample(noBatches(), {
        window: new TimeInterval(0, 1),
        buckets: width,
        field: field ?? undefined,
      });
  return {
    ...series,
    channel: channel.id,
    stream: id.key,
    field,
    window: window ? window.toJSON() : null,
    elapsedMs: Math.round((performance.now() - started) * 10) / 10,
  };
}

/** A session record without its list of pieces. */
export function summariseSession(session: SessionRecord): SessionSummary {
  return {
    id: session.id,
    kind: session.kind,
    workflows: session.workflows,
    node: session.node,
    status: session.status,
    startedAt: session.startedAt,
    endedAt: session.endedAt,
    durationMs: session.endedAt === undefined ? undefined : session.endedAt - session.startedAt,
    intervals: session.intervals,
    pieces: session.pieces.length,
    documents: session.pieces.reduce((sum, p) => sum + p.documents, 0),
    factors: session.factors,
    error: session.error,
  };
}

/** `GET /api/sessions?workflow=&status=&limit=`, newest first. */
export async function listSessions(
  engine: Engine,
  query: URLSearchParams,
): Promise<SessionSummary[]> {
  const workflow = query.get('workflow');
  const statusText = query.get('status');
  const limitText = query.get('limit') ?? '50';
  if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000) {
    throw new InvalidArgumentError(`invalid limit "${limitText}": expected 1 to 1000`, {
      limit: limitText,
    });
  }
  let status: SessionStatus | undefined;
  if (statusText !== null) {
    const parsed = sessionStatusSchema.safeParse(statusText);
    if (!parsed.success) {
      throw new InvalidArgumentError(
        `invalid status "${statusText}": expected one of ${sessionStatusSchema.options.join(', ')}`,
        { status: statusText },
      );
    }
    status = parsed.data;
  }
  const sessions = await engine.sessions.list({
    ...(workflow === null ? {} : { workflow }),
    ...(status === undefined ? {} : { status }),
    limit: Number(limitText),
  });
  return sessions.map(summariseSession);
}

/** `GET /api/sessions/:id`: the full record, or `undefined` when none is stored with that id. */
export async function getSession(engine: Engine, id: string): Promise<SessionRecord | undefined> {
  return await engine.sessions.get(id);
}

/** `GET /api/services`: the online services of the state folder, corrected for liveness. */
export async function services(stateDir: string | undefined): Promise<ServiceStatusJSON[]> {
  return stateDir === undefined ? [] : await listServices(stateDir);
}

// The actions (only with allowActions; the server checks the CSRF token first).

const runBody = z.strictObject({
  workflow: z.string().min(1),
  interval: z.string().min(1),
});

const purgeBody = z.strictObject({
  workflow: z.string().min(1),
  node: z.string().min(1),
  interval: z.string().min(1),
  plateValue: z.array(z.tuple([z.string(), z.string()])).optional(),
});

function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new InvalidArgumentError(`invalid ${what} request: ${z.prettifyError(result.error)}`, {
      issues: result.error.issues.map((i) => i.message),
    });
  }
  return result.data;
}

/** `POST /api/actions/run {workflow, interval}`: executes the workflow over the interval. */
export async function runAction(
  engine: Engine,
  body: unknown,
): Promise<{ session: SessionSummary }> {
  const { workflow: id, interval } = parseBody(runBody, body, 'run');
  const workflow = await getWorkflow(engine, id);
  const session = await workflow.execute(parseTimeInterval(interval, { clock: engine.clock }));
  return { session: summariseSession(session) };
}

/** `POST /api/actions/purge {workflow, node, interval, plateValue?}`: purges a node's range. */
export async function purgeAction(engine: Engine, body: unknown) {
  const { workflow: id, node, interval, plateValue } = parseBody(purgeBody, body, 'purge');
  const workflow = await getWorkflow(engine, id);
  if (!workflow.graph.hasNode(node)) {
    throw new WorkflowDefinitionError(`node "${node}" not found in workflow "${id}"`, {
      workflow: id,
      node,
    });
  }
  const range = parseTimeInterval(interval, { clock: engine.clock });
  return await workflow.purge(plateValue ? { node, plateValue } : { node }, { interval: range });
}

function required(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') {
    throw new InvalidArgumentError(`missing query parameter "${name}"`, { parameter: name });
  }
  return value;
}

/** `(from, to]` from two times: epoch ms or ISO 8601. */
function intervalOf(from: string, to: string): TimeInterval {
  const time = (text: string): number => (/^-?\d+$/.test(text) ? Number(text) : toTimestamp(text));
  return TimeInterval.of(time(from), time(to));
}

async function* noBatches(): AsyncGenerator<never> {}
