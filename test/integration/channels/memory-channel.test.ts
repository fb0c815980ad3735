import { MemoryChannel } from '../../../src/channels/memory-channel.js';
import { defineChannelContract } from '../contracts/channel.contract.js';

defineChannelContract('MemoryChannel', () => new MemoryChannel('memory'));
