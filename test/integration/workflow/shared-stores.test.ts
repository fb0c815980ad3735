// Engines sharing persistent stores see each other's meta-data and plates before every run, so
// a plate never runs over stale values (and never records intervals over streams it missed).
import { describe, expect, it } from 'vitest';
import { MemoryChannel } from '../../../src/channels/memory-channel.js';
import { Engine } from '../../../src/engine/engine.js';
import { MemoryMetaDataStore } from '../../../src/storage/memory/memory-meta-data-store.js';
import { MemoryPlateStore } from '../../../src/storage/memory/memory-plate-store.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { VirtualClock } from '../../../src/time/clock.js';
import { ticker } from '../../helpers/workflow-tools.js';

const H = 3_600_000;

describe('engines sharing meta-data and plate stores', () => {
  it('a running engine sees plate values another engine added or deleted', async () => {
    const stores = { metaData: new MemoryMetaDataStore(), plates: new MemoryPlateStore() };
    const memory = new MemoryChannel('memory');
    const a = await Engine.create({ clock: new VirtualClock(0), stores, channels: [memory] });
    const b = await Engine.create({ clock: new VirtualClock(0), stores });
    await b.plates.ensureMetaData([], 'house', '1');
    await b.plates.createPlate({ id: 'H', metaKey: 'house' });

    // Building a workflow in code uses the plates as they are now; runs refresh by themselves.
    await a.plates.refresh();
    const w = a.workflow('ticks');
    const node = w.node('ticks', { plates: ['H'] });
    w.factor({ tool: ticker.create({ stride: H }), sink: node });
    await b.plates.ensureMetaData([], 'house', '2');
    await w.execute(new TimeInterval(0, 3 * H));
    const streams = await memory.findStreams({ name: 'ticks' });
    expect(streams.map((s) => s.id.get('house')).sort()).toEqual(['1', '2']);

    await b.plates.deleteMetaData([['house', '2']]);
    await b.plates.ensureMetaData([], 'house', '3');
    const session = await w.execute(new TimeInterval(0, 3 * H));
    expect(session.pieces.map((p) => p.plateValue)).toEqual([[['house', '3']]]);
    expect(a.plates.tree.has([['house', '2']])).toBe(false);
    await a.close();
    await b.close();
  });
});
