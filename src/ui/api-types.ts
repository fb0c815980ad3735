// The JSON the web view's API answers with (docs/ui.md), in one types-only module that the server
// (src/ui/*.ts) and the page (src/ui/app, its own tsconfig and bundle) both import, so the two
// cannot drift apart. It declares no values and imports only types from modules that import
// nothing (the queue's status shapes): the page's bundle gets no server code from it
// (scripts/build-ui.ts checks), and its checker sees no Node types.
// Optional fields are `?: T | undefined`: the server's objects may hold `undefined`, which JSON
// drops, and the page reads them as absent.

import type { PieceSummary, QueueStatus, WorkerStatus } from '../distributed/status-types.js';

/** An interval `(start, end]` in epoch ms. */
export interface IntervalJSON {
  readonly start: number;
  readonly end: number;
}

/** A plate value: `[key, value]` pairs, outermost plate first. */
export type PlateValueJSON = readonly (readonly [string, string])[];

/** What every API error answers: `{ error: { code, message } }`. */
export interface ApiErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    /** A failed run's session, when the error carries one. */
    readonly session?: SessionSummary | undefined;
  };
}

/** `GET /api/info`. */
export interface UiInfo {
  readonly name: string;
  readonly version: string;
  readonly actions: boolean;
  /** Only when actions are enabled: what POST requests send as `X-CSRF-Token`. */
  readonly csrfToken?: string | undefined;
  /** The engine clock (epoch ms). */
  readonly now: number;
}

/** A workflow in the list. */
export interface WorkflowSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly owner?: string | undefined;
  readonly online: boolean;
  readonly nodes: number;
  readonly factors: number;
}

/** `GET /api/workflows`: the workflows, and the stored definitions that failed to load. */
export interface WorkflowList {
  readonly workflows: readonly WorkflowSummary[];
  readonly errors: readonly string[];
}

/** A box around the nodes (and factors) that one plate, or one combination of plates, replicates. */
export interface PlateBox {
  /** The plate id, or the plate ids joined by ` × ` for a node on unrelated plates. */
  readonly id: string;
  /** The plates it stands for (one, or several for a Cartesian combination). */
  readonly plates: readonly string[];
  /** The meta-data key(s) the box iterates over. */
  readonly metaKeys: readonly string[];
  /** How many plate values (streams per node) the box has now. */
  readonly values: number;
  /** The enclosing box (the parent plate's), if any. */
  readonly parent?: string | undefined;
  readonly description: string;
}

/** A node of the picture: a stream set, one stream per plate value. */
export interface GraphNode {
  readonly id: string;
  readonly channel: string;
  readonly plates: readonly string[];
  /** Streams the node has now (its plate values; 1 without plates). */
  readonly streams: number;
  /** The plate box it sits in, if any. */
  readonly box?: string | undefined;
  /** The factor computing it, if any (nodes without one are read as they are). */
  readonly producer?: string | undefined;
}

/** A factor of the picture: a tool instance between its input nodes and its sink. */
export interface GraphFactor {
  readonly id: string;
  /** The tool kind (`tool`, `multi-output`, `aggregate`, `selector`, `plate-creation`). */
  readonly kind: string;
  readonly tool: { readonly name: string; readonly version: string };
  /** `name@version`. */
  readonly label: string;
  readonly inputs: readonly string[];
  readonly sink?: string | undefined;
  /** The plate whose values it creates (plate-creation factors). */
  readonly createdPlate?: string | undefined;
  readonly box?: string | undefined;
}

/** An arrow: node → factor (an input) or factor → node (its sink). */
export interface GraphEdge {
  readonly from: { readonly kind: 'node' | 'factor'; readonly id: string };
  readonly to: { readonly kind: 'node' | 'factor'; readonly id: string };
}

/** A workflow graph as plain JSON (what `GET /api/workflows/:id/graph` returns). */
export interface WorkflowGraphModel {
  readonly workflow: string;
  readonly nodes: readonly GraphNode[];
  readonly factors: readonly GraphFactor[];
  /** Outermost boxes first. */
  readonly boxes: readonly PlateBox[];
  readonly edges: readonly GraphEdge[];
}

/** The status of a session (`abandoned`: its process died while running it). */
export type SessionStatusJSON = 'running' | 'completed' | 'failed' | 'aborted' | 'abandoned';

/** A stored piece that computed part of a stream, clipped to what is still calculated. */
export interface CoveragePiece extends IntervalJSON {
  readonly session: string;
  readonly status: SessionStatusJSON;
  /** When the session started (engine clock, epoch ms). */
  readonly startedAt: number;
  readonly documents: number;
}

/**
 * A recorded range whose data the next execute recomputes: `invalidated` (a source was written
 * inside what it was computed from, after it was computed) or `stale` (computed by a factor whose
 * fingerprint is not the producer's now: another tool major version, other parameters or sources).
 */
export interface InvalidRange extends IntervalJSON {
  readonly status: 'invalidated' | 'stale';
  /** The session that computed it (from the range's stamp). */
  readonly session?: string | undefined;
  /** The fingerprint of the factor that computed it (absent on ranges from before fingerprints). */
  readonly fingerprint?: string | undefined;
  /** For `stale`: the factor and tool that computed it, as its session recorded them. */
  readonly computedBy?: string | undefined;
  /** Why it is to be recomputed, in a sentence. */
  readonly reason: string;
}

/** One stream of a node on the coverage map. */
export interface CoverageRow {
  /** The stream's key (`name[k=v,…]`). */
  readonly stream: string;
  readonly plateValue: PlateValueJSON;
  /** `k=v, …` or `(no plate)`. */
  readonly label: string;
  /** What is calculated and current: the producer would not recompute it. */
  readonly calculated: readonly IntervalJSON[];
  /** What nothing is recorded for inside the coverage range. */
  readonly gaps: readonly IntervalJSON[];
  /** Ranges a late write into a source made stale. */
  readonly invalidated: readonly InvalidRange[];
  /** Ranges computed by a factor with another fingerprint than the producer's now. */
  readonly stale: readonly InvalidRange[];
  /** Which session computed what, newest session first where pieces overlap. */
  readonly pieces: readonly CoveragePiece[];
}

/** What `GET /api/workflows/:id/nodes/:node/coverage` returns. */
export interface NodeCoverage {
  readonly workflow: string;
  readonly node: string;
  readonly channel: string;
  /** The factor computing the node, if any. */
  readonly producer?: string | undefined;
  /** The producer's fingerprint now (what current ranges carry). */
  readonly fingerprint?: string | undefined;
  /** The range gaps are measured in: the one asked for, or the span of everything recorded. */
  readonly range: IntervalJSON | null;
  readonly rows: readonly CoverageRow[];
  /** How many recent sessions of the workflow were read to attribute pieces. */
  readonly sessionsRead: number;
}

/** A channel in `GET /api/channels`. */
export interface ChannelSummary {
  readonly id: string;
  readonly kind: string;
  readonly writable: boolean;
}

/** A stream in a listing. */
export interface StreamSummary {
  readonly channel: string;
  readonly stream: string;
  readonly name: string;
  readonly meta: PlateValueJSON;
}

/** `GET /api/streams`. */
export interface StreamList {
  readonly streams: readonly StreamSummary[];
  readonly truncated: boolean;
}

/** One stream's overview (`GET /api/stream`): calculated intervals and its first and last instants. */
export interface StreamOverview extends StreamSummary {
  readonly calculated: readonly IntervalJSON[];
  /** The first and last timestamps (`null` for an empty stream). */
  readonly first: number | null;
  readonly last: number | null;
}

/** What a plot receives: points in time order, `null` values breaking the line at empty stretches. */
export interface DownsampledSeries {
  /** Instances read. */
  readonly count: number;
  /** Instances with a finite number at the field (what is plotted). */
  readonly numeric: number;
  /** True when buckets were used; false when every numeric point fits (they are all returned). */
  readonly downsampled: boolean;
  readonly buckets: number;
  readonly timestamps: readonly number[];
  readonly values: readonly (number | null)[];
  /** Smallest and largest plotted value (`null` when nothing is numeric). */
  readonly min: number | null;
  readonly max: number | null;
  /** Fields (dotted paths, one level deep) of the values that hold numbers. */
  readonly fields: readonly string[];
}

/** What `GET /api/stream/values` returns. */
export interface StreamValues extends DownsampledSeries {
  readonly channel: string;
  readonly stream: string;
  readonly field: string | null;
  readonly window: IntervalJSON | null;
  /** Server time spent reading and downsampling (ms). */
  readonly elapsedMs: number;
}

/** A session as the list shows it (`GET /api/sessions`). */
export interface SessionSummary {
  readonly id: string;
  readonly kind: 'execute' | 'request';
  readonly workflows: readonly string[];
  readonly node?: string | undefined;
  readonly status: SessionStatusJSON;
  readonly startedAt: number;
  readonly endedAt?: number | undefined;
  readonly durationMs?: number | undefined;
  readonly intervals: readonly IntervalJSON[];
  readonly pieces: number;
  readonly documents: number;
  readonly factors: readonly {
    readonly factor: string;
    readonly tool: string;
    readonly pieces: number;
    readonly documents: number;
    readonly durationMs: number;
  }[];
  readonly error?:
    | { readonly code: string; readonly message: string; readonly factor?: string | undefined }
    | undefined;
}

/** An online service as `GET /api/services` and the `services` event give it (more fields may come). */
export interface ServiceStatusJSON {
  readonly name: string;
  readonly active: boolean;
  readonly status: string;
  readonly started?: string | undefined;
  readonly pid: number | null;
  readonly iterations?: number | undefined;
  readonly lastRun?: string | undefined;
  readonly lastError?: string | undefined;
  readonly restarts: number;
  readonly updated?: string | undefined;
  readonly failedPieces?: readonly unknown[] | undefined;
}

/** A piece a queue worker is running. */
export type QueuePieceJSON = Omit<PieceSummary, 'jobId'>;

/** A queue worker as its last heartbeat published it (without its memory figures). */
export type QueueWorkerJSON = Omit<WorkerStatus, 'queue' | 'memory' | 'lastError' | 'current'> & {
  readonly lastError?: string | undefined;
  readonly current: readonly QueuePieceJSON[];
};

/**
 * `GET /api/queue` and the `queue` event: the distributed queue's counts and live workers, that
 * no queue is configured, or that it does not answer.
 */
export type QueueOverview =
  | { readonly configured: false }
  | {
      readonly configured: true;
      readonly reachable: false;
      /** Where the queue was looked for (the Redis URL without its password). */
      readonly redis: string;
      readonly queue: string;
      readonly error: string;
    }
  | (Omit<QueueStatus, 'workers'> & {
      readonly configured: true;
      readonly reachable: true;
      /** Workers whose heartbeat is recent, by name. */
      readonly workers: readonly QueueWorkerJSON[];
    });
