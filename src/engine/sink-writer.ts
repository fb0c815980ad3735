import type { Channel } from '../channels/channel.js';
import { ToolExecutionError } from '../errors.js';
import type { StreamId } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import { writeBatchTo } from '../channels/stream-access.js';
import type { Batch, Column } from '../streams/batch.js';
import { batchFromInstances, columnLength, isBatch } from '../streams/batch.js';
import { concatBatches } from '../streams/batch-builder.js';
import type { TimeInterval } from '../time/time-interval.js';

/** Instances per `writeInstances` call: big enough to amortise a database round trip, small enough to stream. */
export const WRITE_BATCH_SIZE = 5000;

interface Pending {
  readonly id: StreamId;
  /** Instances accepted one by one since the last column batch. */
  buffer: StreamInstance[];
  /** Column batches (and earlier instances, converted), in order. */
  parts: Batch[];
  partRows: number;
  lastTimestamp: number;
}

/**
 * Validates and batches one piece's output for its sink streams: timestamps inside the piece and
 * strictly increasing per sink, values storable. Errors are `ToolExecutionError`s naming the tool,
 * the sink and the interval. The caller records the interval only after {@link SinkWriter.finish}.
 */
export class SinkWriter {
  readonly #channel: Channel;
  readonly #signal: AbortSignal | undefined;
  readonly #interval: TimeInterval;
  readonly #start: number;
  readonly #end: number;
  readonly #tool: string;
  readonly #sinks = new Map<string, Pending>();
  readonly #onWritten: ((documents: number) => void) | undefined;
  #documents = 0;
  #written = 0;

  /**
   * `signal` is the piece's: once it is aborted (a stop, a timeout) nothing more is written, so
   * an abandoned tool cannot overwrite what a later run computes. `onWritten` hears the number of
   * documents written so far after each batch (progress within long pieces).
   */
  constructor(
    channel: Channel,
    sinks: readonly StreamId[],
    interval: TimeInterval,
    tool: string,
    signal?: AbortSignal,
    onWritten?: (documents: number) => void,
  ) {
    this.#signal = signal;
    this.#onWritten = onWritten;
    this.#channel = channel;
    this.#interval = interval;
    this.#start = interval.start;
    this.#end = interval.end;
    this.#tool = tool;
    for (const id of sinks) {
      this.#sinks.set(id.key, { id, buffer: [], parts: [], partRows: 0, lastTimestamp: -Infinity });
    }
  }

  /** Number of instances accepted so far. */
  get documents(): number {
    return this.#documents;
  }

  /**
   * Accepts one instance; returns a promise only when a batch is being written (callers await it
   * then), so the common case costs no extra await per instance.
   */
  add(sink: StreamId, item: StreamInstance): Promise<void> | undefined {
    const pending = this.#sinks.get(sink.key)!;
    return this.#accept(pending, item) ? this.#flush(pending) : undefined;
  }

  /** Accepts a batch of instances for one sink, in order; a promise only when writes are due. */
  addAll(sink: StreamId, items: readonly StreamInstance[]): Promise<void> | undefined {
    return this.#addFrom(this.#sinks.get(sink.key)!, items, 0);
  }

  /**
   * Accepts a column batch for one sink, checked in one pass over its timestamps and once per
   * column for storability (only object values are walked); a promise only when writes are due.
   */
  addBatch(sink: StreamId, batch: Batch): Promise<void> | undefined {
    const pending = this.#sinks.get(sink.key)!;
    this.#checkBatch(pending, batch);
    if (batch.length === 0) return undefined;
    if (pending.buffer.length > 0) {
      pending.parts.push(batchFromInstances(pending.buffer));
      pending.partRows += pending.buffer.length;
      pending.buffer = [];
    }
    pending.parts.push(batch);
    pending.partRows += batch.length;
    pending.lastTimestamp = batch.timestamps[batch.length - 1]!;
    this.#documents += batch.length;
    return pending.partRows >= WRITE_BATCH_SIZE ? this.#flush(pending) : undefined;
  }

  #checkBatch(pending: Pending, batch: Batch): void {
    if (
      !isBatch(batch) ||
      batch.length !== batch.timestamps.length ||
      columnLength(batch.values) !== batch.length
    ) {
      throw this.#error(
        pending.id,
        'produced a column batch whose length, timestamps and values disagree',
      );
    }
    const ts = batch.timestamps;
    const start = this.#start;
    const end = this.#end;
    let last = pending.lastTimestamp;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (!(t > start && t <= end)) {
        throw this.#error(
          pending.id,
          `produced timestamp ${String(t)} outside the piece (timestamps must satisfy start < t <= end)`,
        );
      }
      if (t <= last) {
        throw this.#error(
          pending.id,
          `produced timestamp ${t} after ${last}: timestamps must be strictly increasing per sink`,
        );
      }
      last = t;
    }
    const problem = columnProblem(batch.values, 'value', true);
    if (problem) {
      throw this.#error(
        pending.id,
        `produced a value that cannot be stored at ${ts[problem.row]!}: ${problem.problem}`,
      );
    }
  }

  #addFrom(
    pending: Pending,
    items: readonly StreamInstance[],
    start: number,
  ): Promise<void> | undefined {
    for (let i = start; i < items.length; i++) {
      if (this.#accept(pending, items[i]!)) {
        return this.#flush(pending).then(() => this.#addFrom(pending, items, i + 1));
      }
    }
    return undefined;
  }

  /** Validates and buffers one instance; true when the buffer is full and must be flushed. */
  #accept(pending: Pending, item: StreamInstance): boolean {
    const { timestamp, value } = item ?? ({} as Partial<StreamInstance>);
    if (typeof timestamp !== 'number' || !(timestamp > this.#start && timestamp <= this.#end)) {
      throw this.#error(
        pending.id,
        `produced timestamp ${String(timestamp)} outside the piece (timestamps must satisfy start < t <= end)`,
      );
    }
    if (timestamp <= pending.lastTimestamp) {
      throw this.#error(
        pending.id,
        `produced timestamp ${timestamp} after ${pending.lastTimestamp}: timestamps must be strictly increasing per sink`,
      );
    }
    // Numbers and strings are the bulk of outputs: skip the recursive check for them.
    if (typeof value !== 'number' && typeof value !== 'string') {
      const problem = storableProblem(value, 'value', 0);
      if (problem) {
        throw this.#error(
          pending.id,
          `produced a value that cannot be stored at ${timestamp}: ${problem}`,
        );
      }
    }
    pending.lastTimestamp = timestamp;
    // Not copied: stores copy `{ timestamp, value }` when they write (extra fields are dropped there).
    pending.buffer.push(item);
    this.#documents++;
    return pending.buffer.length + pending.partRows >= WRITE_BATCH_SIZE;
  }

  /** Writes what is buffered; resolves when every write of the piece has resolved. */
  async finish(): Promise<number> {
    for (const pending of this.#sinks.values()) await this.#flush(pending);
    return this.#documents;
  }

  async #flush(pending: Pending): Promise<void> {
    if (pending.buffer.length === 0 && pending.parts.length === 0) return;
    this.#signal?.throwIfAborted();
    let rows: number;
    if (pending.parts.length === 0) {
      const batch = pending.buffer;
      pending.buffer = [];
      rows = batch.length;
      await this.#channel.writeInstances(pending.id, batch, { piece: true });
    } else {
      if (pending.buffer.length > 0) pending.parts.push(batchFromInstances(pending.buffer));
      const batch = concatBatches(pending.parts);
      pending.buffer = [];
      pending.parts = [];
      pending.partRows = 0;
      rows = batch.length;
      await writeBatchTo(this.#channel, pending.id, batch, { piece: true });
    }
    this.#written += rows;
    this.#onWritten?.(this.#written);
  }

  #error(sink: StreamId, problem: string): ToolExecutionError {
    return new ToolExecutionError(
      `tool ${this.#tool} ${problem}, computing "${sink.toString()}" over ${this.#interval.toString()}`,
      { tool: this.#tool, sink: sink.key, interval: this.#interval.toJSON() },
    );
  }
}

/** The first row of a column whose value cannot be stored, and why (numbers and strings always can). */
function columnProblem(
  column: Column,
  path: string,
  topLevel: boolean,
): { row: number; problem: string } | undefined {
  switch (column.type) {
    case 'number':
    case 'string':
      return undefined;
    case 'struct':
      for (let k = 0; k < column.fields.length; k++) {
        const found = columnProblem(column.columns[k]!, `${path}.${column.fields[k]!}`, false);
        if (found) return found;
      }
      return undefined;
    case 'object': {
      const values = column.values;
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        // A missing field (undefined) of an object is left out when stored; a missing value is not.
        if (!topLevel && value === undefined) continue;
        if (typeof value === 'number' || typeof value === 'string') continue;
        const problem = storableProblem(value, path, 0);
        if (problem) return { row: i, problem };
      }
      return undefined;
    }
  }
}

/** Why a value cannot be stored (undefined, functions, symbols, bigints, cycles), or undefined when it can. */
function storableProblem(value: unknown, path: string, depth: number): string | undefined {
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
      return undefined;
    case 'undefined':
    case 'function':
    case 'symbol':
    case 'bigint':
      return `${path} is ${typeof value}`;
  }
  if (value === null || value instanceof Date) return undefined;
  if (depth > 64) return `${path} is nested too deeply (a cycle?)`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = storableProblem(value[i], `${path}[${i}]`, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    return `${path} is a ${(value as object).constructor?.name ?? 'class instance'}, not plain data`;
  }
  // for…in (own keys of a plain object) allocates nothing: this runs for every instance written.
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (item === undefined || typeof item === 'number' || typeof item === 'string') continue;
    const problem = storableProblem(item, `${path}.${key}`, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}
