// The `hyperstream-ts/distributed` entry point: running work pieces on BullMQ workers through
// Redis. The only entry that loads bullmq and ioredis, so the main entry never does.
export type {
  QueueLocation,
  RedisConnection,
  RedisConnectionOptions,
} from './distributed/connection.js';
export { DEFAULT_PREFIX, DEFAULT_QUEUE } from './distributed/connection.js';
export type { QueueSchedulerOptions } from './distributed/queue-scheduler.js';
export {
  DEFAULT_RUN_PRIORITY,
  MAX_PRIORITY,
  createQueueScheduler,
} from './distributed/queue-scheduler.js';
export type { RetryRule } from './distributed/retry.js';
export { DEFAULT_QUEUE_RETRY } from './distributed/retry.js';
export type { PieceWorker, WorkerEvent, WorkerOptions } from './distributed/worker.js';
export type { PieceSummary, QueueStatus, WorkerStatus } from './distributed/status-types.js';
export { startWorker } from './distributed/worker.js';
export type { PieceJob, PieceResult } from './distributed/job.js';
export { JOB_FORMAT, pieceJobSchema } from './distributed/job.js';
export type { DeadLetter, QueueAdmin } from './distributed/queue-admin.js';
export { openQueueAdmin } from './distributed/queue-admin.js';
