import type { StorageBackend, StorageBackendOptions, StorageCapabilities } from '../backend.js';
import { checkChannelId } from '../backend.js';
import { TrackedSessionStore } from '../session-liveness.js';
import { MemoryMetaDataStore } from './memory-meta-data-store.js';
import { MemoryPlateStore } from './memory-plate-store.js';
import { MemorySessionStore } from './memory-session-store.js';
import { MemoryStreamStore } from './memory-stream-store.js';
import { MemoryWorkflowStore } from './memory-workflow-store.js';

const CAPABILITIES: StorageCapabilities = {
  persistent: false,
  sharedAcrossProcesses: false,
  sharedAcrossMachines: false,
  transactions: true,
  atomicIntervalMerge: true,
};

/**
 * A {@link StorageBackend} in this process's memory: fast, and gone when the process ends.
 *
 * @example
 * const backend = createMemoryBackend();
 * const ticks = backend.streams('memory');
 */
export function createMemoryBackend(options: StorageBackendOptions = {}): StorageBackend {
  const streams = new Map<string, MemoryStreamStore>();
  const sessions = new TrackedSessionStore(new MemorySessionStore(), options);
  return {
    kind: 'memory',
    defaultChannel: 'memory',
    capabilities: CAPABILITIES,
    streams(channelId: string): MemoryStreamStore {
      let store = streams.get(channelId);
      if (!store) {
        store = new MemoryStreamStore();
        streams.set(checkChannelId(channelId), store);
      }
      return store;
    },
    metaData: new MemoryMetaDataStore(),
    plates: new MemoryPlateStore(),
    workflows: new MemoryWorkflowStore(),
    sessions,
    close: () => Promise.resolve(),
  };
}
