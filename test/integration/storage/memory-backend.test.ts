import { createMemoryBackend } from '../../../src/storage/memory/memory-backend.js';
import { defineStorageBackendContract } from '../contracts/storage-backend.contract.js';

defineStorageBackendContract({
  name: 'memory',
  kind: 'memory',
  capabilities: {
    persistent: false,
    sharedAcrossProcesses: false,
    sharedAcrossMachines: false,
    transactions: true,
    atomicIntervalMerge: true,
  },
  open: (options) => Promise.resolve({ backend: createMemoryBackend(options) }),
});
