import { StreamId } from '../streams/stream-id.js';
import type { StreamIdLike } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import { MIN_DATE } from '../time/timestamp.js';
import type { DatabaseChannelOptions } from './database-channel.js';
import { storeFor } from './database-channel.js';
import { StoreChannel } from './store-channel.js';

/**
 * Database-backed streams for static assets and user input (workflow parameters, plate
 * definitions), kept in the `asset_streams` / `asset_stream_definitions` collections.
 * {@link AssetsChannel.writeToStream} merges instances into the stream (upsert by timestamp) and
 * extends the calculated interval `(MIN_DATE, t]` up to the latest written timestamp, so the assets
 * are readable as computed data (HyperStream's asset writes left the interval unset).
 *
 * @example
 * const assets = new AssetsChannel({ db });
 * await assets.writeToStream('parameters', { timestamp: Date.now(), value: { threshold: 3 } });
 */
export class AssetsChannel extends StoreChannel {
  constructor(options: DatabaseChannelOptions) {
    const id = options.id ?? 'assets';
    super(id, 'assets', storeFor(id, options, ASSET_COLLECTIONS));
  }

  /**
   * Writes one or more instances (creating the stream when needed), then extends the calculated
   * interval to the latest written timestamp. Returns the stream's calculated intervals.
   */
  async writeToStream(
    idLike: StreamIdLike,
    data: StreamInstance | readonly StreamInstance[],
  ): Promise<TimeIntervals> {
    const id = StreamId.from(idLike);
    const instances: readonly StreamInstance[] = isInstanceList(data) ? data : [data];
    await this.store.ensureStream(id);
    await this.store.write(id, instances);
    if (instances.length === 0) return await this.store.getCalculatedIntervals(id);
    let latest = MIN_DATE;
    for (const { timestamp } of instances) latest = Math.max(latest, timestamp);
    // Only after the write resolved: the interval never claims data the server has not acknowledged.
    return await this.store.addCalculatedIntervals(
      id,
      TimeIntervals.of(new TimeInterval(MIN_DATE, latest)),
    );
  }
}

const ASSET_COLLECTIONS = {
  instances: 'asset_streams',
  definitions: 'asset_stream_definitions',
} as const;

function isInstanceList(
  data: StreamInstance | readonly StreamInstance[],
): data is readonly StreamInstance[] {
  return Array.isArray(data);
}
