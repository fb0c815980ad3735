// The page's view of the JSON API (docs/ui.md): the shapes it reads and typed fetches.

export interface Interval {
  readonly start: number;
  readonly end: number;
}

export interface Info {
  readonly name: string;
  readonly version: string;
  readonly actions: boolean;
  readonly csrfToken?: string;
  readonly now: number;
}

export interface WorkflowSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly owner?: string;
  readonly online: boolean;
  readonly nodes: number;
  readonly factors: number;
}

export interface PlateBox {
  readonly id: string;
  readonly plates: readonly string[];
  readonly metaKeys: readonly string[];
  readonly values: number;
  readonly parent?: string;
  readonly description: string;
}

export interface GraphNode {
  readonly id: string;
  readonly channel: string;
  readonly plates: readonly string[];
  readonly streams: number;
  readonly box?: string;
  readonly producer?: string;
}

export interface GraphFactor {
  readonly id: string;
  readonly kind: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly label: string;
  readonly inputs: readonly string[];
  readonly sink?: string;
  readonly createdPlate?: string;
  readonly box?: string;
}

export interface GraphEdge {
  readonly from: { readonly kind: 'node' | 'factor'; readonly id: string };
  readonly to: { readonly kind: 'node' | 'factor'; readonly id: string };
}

export interface GraphModel {
  readonly workflow: string;
  readonly nodes: readonly GraphNode[];
  readonly factors: readonly GraphFactor[];
  readonly boxes: readonly PlateBox[];
  readonly edges: readonly GraphEdge[];
}

export interface CoveragePiece extends Interval {
  readonly session: string;
  readonly status: string;
  readonly startedAt: number;
  readonly documents: number;
}

export interface CoverageRow {
  readonly stream: string;
  readonly plateValue: readonly (readonly [string, string])[];
  readonly label: string;
  readonly calculated: readonly Interval[];
  readonly gaps: readonly Interval[];
  readonly invalidated: readonly Interval[];
  readonly pieces: readonly CoveragePiece[];
}

export interface NodeCoverage {
  readonly workflow: string;
  readonly node: string;
  readonly channel: string;
  readonly producer?: string;
  readonly range: Interval | null;
  readonly rows: readonly CoverageRow[];
  readonly sessionsRead: number;
}

export interface StreamSummary {
  readonly channel: string;
  readonly stream: string;
  readonly name: string;
  readonly meta: readonly (readonly [string, string])[];
}

export interface StreamOverview extends StreamSummary {
  readonly calculated: readonly Interval[];
  readonly first: number | null;
  readonly last: number | null;
}

export interface StreamValues {
  readonly channel: string;
  readonly stream: string;
  readonly field: string | null;
  readonly window: Interval | null;
  readonly count: number;
  readonly numeric: number;
  readonly downsampled: boolean;
  readonly buckets: number;
  readonly timestamps: readonly number[];
  readonly values: readonly (number | null)[];
  readonly min: number | null;
  readonly max: number | null;
  readonly fields: readonly string[];
  readonly elapsedMs: number;
}

export interface SessionSummary {
  readonly id: string;
  readonly kind: string;
  readonly workflows: readonly string[];
  readonly node?: string;
  readonly status: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly durationMs?: number;
  readonly intervals: readonly Interval[];
  readonly pieces: number;
  readonly documents: number;
  readonly factors: readonly {
    readonly factor: string;
    readonly tool: string;
    readonly pieces: number;
    readonly documents: number;
    readonly durationMs: number;
  }[];
  readonly error?: { readonly code: string; readonly message: string; readonly factor?: string };
}

export interface ServiceStatus {
  readonly name: string;
  readonly active: boolean;
  readonly status: string;
  readonly started?: string;
  readonly pid: number | null;
  readonly iterations?: number;
  readonly lastRun?: string;
  readonly lastError?: string;
  readonly restarts: number;
  readonly updated?: string;
  readonly failedPieces?: readonly unknown[];
}

/** An error the API answered with. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => undefined)) as
    { error?: { code?: string; message?: string } } | undefined;
  if (!response.ok) {
    throw new ApiError(
      response.status,
      body?.error?.code ?? 'HTTP_ERROR',
      body?.error?.message ?? `${String(response.status)} ${response.statusText}`,
    );
  }
  return body as T;
}

/** `GET /api/<path>?<query>`. */
export async function get<T>(
  path: string,
  query: Readonly<Record<string, string | number | undefined>> = {},
): Promise<T> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return await answer<T>(await fetch(`/api/${path}${text ? `?${text}` : ''}`));
}

/** `POST /api/actions/<name>` with the page's CSRF token. */
export async function post<T>(action: string, token: string, body: unknown): Promise<T> {
  return await answer<T>(
    await fetch(`/api/actions/${action}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify(body),
    }),
  );
}

/** A path segment. */
export function seg(text: string): string {
  return encodeURIComponent(text);
}
