// What workers and the queue report about themselves, as plain JSON shapes with no imports: the
// web view's page (type-checked against the DOM, without Node or bullmq) shares them.

/** A piece as people read it. */
export interface PieceSummary {
  readonly jobId: string;
  readonly run: string;
  readonly workflow: string;
  readonly factor: string;
  /** `key=value,…` */
  readonly plateValue: string;
  readonly interval: { readonly start: number; readonly end: number };
}

/** What a worker reports (`worker.status()`, and `queue status` from another shell). */
export interface WorkerStatus {
  readonly name: string;
  readonly queue: string;
  readonly status: 'running' | 'stopping' | 'stopped';
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  readonly started: string;
  /** Wall-clock ms when the status was taken (a heartbeat older than a few intervals is stale). */
  readonly heartbeatAt: number;
  readonly done: number;
  readonly skipped: number;
  readonly failed: number;
  readonly abandoned: number;
  readonly documents: number;
  readonly lastError: string | undefined;
  /** The pieces running now. */
  readonly current: readonly PieceSummary[];
  readonly memory: { readonly rss: number; readonly heapUsed: number };
}

/** What `queue status` shows. */
export interface QueueStatus {
  readonly queue: string;
  readonly redis: string;
  readonly paused: boolean;
  readonly waiting: number;
  readonly prioritized: number;
  readonly delayed: number;
  readonly active: number;
  readonly completed: number;
  readonly failed: number;
  /** Workers whose last heartbeat is recent, by name. */
  readonly workers: readonly WorkerStatus[];
}
