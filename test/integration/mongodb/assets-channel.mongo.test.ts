import { describe, expect, it } from 'vitest';
import { AssetsChannel } from '../../../src/channels/assets-channel.js';
import { DatabaseChannel } from '../../../src/channels/database-channel.js';
import { MIN_DATE } from '../../../src/time/timestamp.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { testServer, useTestDatabase } from '../setup/mongo.js';
import { defineChannelContract } from '../contracts/channel.contract.js';

const database = useTestDatabase();
let n = 0;

defineChannelContract(
  'AssetsChannel',
  () => {
    const suffix = ++n;
    return new AssetsChannel({
      db: database.db,
      collections: { instances: `assets_${suffix}`, definitions: `asset_definitions_${suffix}` },
    });
  },
  { refusesNestedArrays: testServer().ferretDbV1, losesNegativeZero: testServer().ferretDbV1 },
);

describe('AssetsChannel', () => {
  it('merges writes into the stream and extends the calculated interval to the latest write', async () => {
    const assets = new AssetsChannel({ db: database.db });
    expect(assets.kind).toBe('assets');
    expect(assets.id).toBe('assets');
    const t0 = Date.parse('2017-07-20T16:00:00Z');
    const after = await assets.writeToStream('parameters', {
      timestamp: t0,
      value: { threshold: 3 },
    });
    expect(after.toJSON()).toEqual([{ start: MIN_DATE, end: t0 }]);

    const later = await assets.writeToStream('parameters', [
      { timestamp: t0 + 2000, value: { threshold: 5 } },
      { timestamp: t0 + 1000, value: { threshold: 4 } },
    ]);
    expect(later.toJSON()).toEqual([{ start: MIN_DATE, end: t0 + 2000 }]);
    // An earlier write (a correction) merges in and never shrinks the interval.
    const corrected = await assets.writeToStream('parameters', {
      timestamp: t0,
      value: { threshold: 2 },
    });
    expect(corrected.toJSON()).toEqual([{ start: MIN_DATE, end: t0 + 2000 }]);

    const stream = await assets.getStream('parameters');
    expect(await stream.window(TimeInterval.upTo(t0 + 2000)).toArray()).toEqual([
      { timestamp: t0, value: { threshold: 2 } },
      { timestamp: t0 + 1000, value: { threshold: 4 } },
      { timestamp: t0 + 2000, value: { threshold: 5 } },
    ]);
  });

  it('persists: another client sees the assets and their interval', async () => {
    const writer = new AssetsChannel({
      db: (await database.newClient()).db(database.name),
      id: 'plates',
    });
    await writer.writeToStream({ name: 'plate_definitions', meta: { plate: 'H' } }, [
      { timestamp: 1000, value: { meta_data_id: 'house', values: ['1', '2'] } },
    ]);
    const reader = new AssetsChannel({
      db: (await database.newClient()).db(database.name),
      id: 'plates',
    });
    const [stream] = await reader.findStreams({ name: 'plate_definitions' });
    expect(stream?.id.metaObject()).toEqual({ plate: 'H' });
    expect((await stream!.calculatedIntervals()).toJSON()).toEqual([
      { start: MIN_DATE, end: 1000 },
    ]);
    expect(await stream!.window(TimeInterval.upTo(1000)).last()).toEqual({
      timestamp: 1000,
      value: { meta_data_id: 'house', values: ['1', '2'] },
    });
  });

  it('keeps its streams apart from the Database channel by default', async () => {
    const assets = new AssetsChannel({ db: database.db });
    const mongo = new DatabaseChannel({ db: database.db });
    await assets.writeToStream('shared-name', { timestamp: 1, value: 'asset' });
    expect(await mongo.hasStream('shared-name')).toBe(false);
    await mongo.writeInstances('shared-name', [{ timestamp: 1, value: 'data' }]);
    expect(
      (await (await assets.getStream('shared-name')).window(TimeInterval.upTo(1)).first())?.value,
    ).toBe('asset');
  });
});
