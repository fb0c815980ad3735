// What the engine's `stream` and `write` do: find a stream in whichever channel holds it, and feed
// a stream from code (data in batches first, then its calculated interval).
import type { Channel } from '../channels/channel.js';
import type { ChannelManager } from '../channels/channel-manager.js';
import { Stream } from '../channels/stream.js';
import { InvalidArgumentError, StreamNotFoundError } from '../errors.js';
import type { MetaDataInput, StreamIdLike } from '../streams/stream-id.js';
import { StreamId } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import type { Clock } from '../time/clock.js';
import type { IntervalSpec } from '../time/parse-interval.js';
import { resolveInterval } from '../time/parse-interval.js';
import { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import { WRITE_BATCH_SIZE } from './sink-writer.js';

/** Options of `engine.stream`. */
export interface FindStreamOptions {
  /** Look only in this channel (default: the one channel that has the stream). */
  readonly channel?: string;
}

/** Options of `engine.write`. */
export interface EngineWriteOptions {
  /**
   * Record this as calculated once every instance is written (never before): readers and runs then
   * treat the stream as complete there. An interval, an interval string or a set of intervals.
   */
  readonly calculated?: IntervalSpec | TimeIntervals;
  /** The channel of a stream given by id (default: the engine's default channel). */
  readonly channel?: string;
  /** Instances per write (default 5,000). */
  readonly batchSize?: number;
  /** Hears the number of instances written so far after each batch. */
  readonly onProgress?: (written: number) => void;
}

/** What `engine.write` did. */
export interface WriteReport {
  readonly stream: Stream;
  /** Instances written. */
  readonly documents: number;
  /** The stream's calculated intervals afterwards. */
  readonly calculated: TimeIntervals;
}

/**
 * The stream `name` (with meta-data `meta`) in the channel that holds it: the one named, or the
 * only channel (tool channels aside) that has it. `StreamNotFoundError` when none has it,
 * `InvalidArgumentError` when several do and no channel is named.
 */
export async function findStream(
  channels: ChannelManager,
  name: StreamIdLike,
  meta: MetaDataInput | undefined,
  options: FindStreamOptions = {},
): Promise<Stream> {
  const id = meta === undefined ? StreamId.from(name) : StreamId.from(name).withMeta(meta);
  if (options.channel !== undefined) return await channels.get(options.channel).getStream(id);
  const holders: Channel[] = [];
  for (const channel of channels) {
    if (channel.kind !== 'tool' && (await channel.hasStream(id))) holders.push(channel);
  }
  if (holders.length > 1) {
    throw new InvalidArgumentError(
      `stream "${id.key}" is in several channels (${holders.map((c) => c.id).join(', ')}): name one ({ channel } or --channel)`,
      { stream: id.key, channels: holders.map((c) => c.id) },
    );
  }
  if (!holders[0]) {
    throw new StreamNotFoundError(
      id.key,
      channels
        .list()
        .map((c) => c.id)
        .join(', '),
    );
  }
  return new Stream(holders[0], id);
}

/**
 * Writes `instances` (an array, any iterable or an async iterable, e.g. a file being read) to a
 * stream in batches, then records `options.calculated`, so the interval is never recorded before
 * its data. A failed batch records nothing (a retry rewrites the same timestamps: writes are
 * idempotent).
 */
export async function writeStream(
  channels: ChannelManager,
  defaultChannel: string,
  clock: Clock,
  target: Stream | StreamIdLike,
  instances: Iterable<StreamInstance> | AsyncIterable<StreamInstance>,
  options: EngineWriteOptions = {},
): Promise<WriteReport> {
  const batchSize = options.batchSize ?? WRITE_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(
      `invalid batchSize ${String(batchSize)}: expected a positive integer`,
    );
  }
  const channel =
    target instanceof Stream
      ? channels.get(target.channel.id)
      : channels.get(options.channel ?? defaultChannel);
  const id = target instanceof Stream ? target.id : StreamId.from(target);
  // Resolved before anything is written: a bad interval must not leave data without its record.
  const calculated = calculatedOf(options.calculated, clock);
  const stream = await channel.getOrCreateStream(id);
  let documents = 0;
  let batch: StreamInstance[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    documents += await channel.writeInstances(id, batch);
    batch = [];
    options.onProgress?.(documents);
  };
  for await (const item of instances) {
    batch.push(item);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  const after =
    calculated && !calculated.isEmpty
      ? await channel.addCalculatedIntervals(id, calculated)
      : await channel.getCalculatedIntervals(id);
  return { stream, documents, calculated: after };
}

function calculatedOf(
  spec: IntervalSpec | TimeIntervals | undefined,
  clock: Clock,
): TimeIntervals | undefined {
  if (spec === undefined) return undefined;
  if (spec instanceof TimeIntervals) return spec;
  const interval =
    spec instanceof TimeInterval ? spec : resolveInterval(spec, undefined, { clock });
  return TimeIntervals.of(interval);
}
