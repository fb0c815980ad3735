import { MemoryStreamStore } from '../storage/memory/memory-stream-store.js';
import { StoreChannel } from './store-channel.js';

/**
 * The embedded default: writable streams in memory, each held as chunks of typed columns with
 * windows found by binary search and read as zero-copy views. A later write at an existing
 * timestamp replaces it (idempotent recompute).
 *
 * @example
 * const memory = new MemoryChannel('memory');
 * const ticks = await memory.getOrCreateStream('ticks');
 * await ticks.write([{ timestamp: 1000, value: 1 }]);
 */
export class MemoryChannel extends StoreChannel {
  constructor(id = 'memory') {
    super(id, 'memory', new MemoryStreamStore());
  }
}
