import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileChannel, csvLoader, parseCsv } from '../../../src/channels/file-channel.js';
import type { FileDocument } from '../../../src/channels/file-channel.js';
import {
  ChannelReadOnlyError,
  ConfigError,
  PathOutsideRootError,
  StorageError,
  StreamNotAvailableError,
  StreamNotFoundError,
} from '../../../src/errors.js';
import { collect } from '../../../src/internal/async.js';
import { VirtualClock } from '../../../src/time/clock.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { MIN_DATE } from '../../../src/time/timestamp.js';

const FIXTURES = resolve('fixtures/files');
const NOW = Date.UTC(2020, 0, 1);
const at = (iso: string): number => Date.parse(iso);

function channelOver(
  path: string,
  extra: Partial<ConstructorParameters<typeof FileChannel>[0]> = {},
) {
  const ignored: { path: string; reason: string }[] = [];
  const channel = new FileChannel({
    id: 'files',
    path,
    clock: new VirtualClock(NOW),
    onFileIgnored: (p, reason) => ignored.push({ path: p, reason }),
    ...extra,
  });
  return { channel, ignored };
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hs-file-channel-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('FileChannel over fixtures/files', () => {
  it('has one stream per immediate sub-folder', async () => {
    const { channel } = channelOver(FIXTURES);
    const streams = await channel.findStreams();
    expect(streams.map((s) => s.id.name)).toEqual(['notes', 'rainfall', 'readings']);
    expect(channel.kind).toBe('file');
    expect(channel.writable).toBe(false);
    expect(await channel.findStreams({ name: 'notes' })).toHaveLength(1);
    expect(await channel.findStreams({ meta: { house: '1' } })).toEqual([]);
  });

  it('reads JSON documents in time order at the times in their names', async () => {
    const { channel } = channelOver(FIXTURES);
    const readings = await channel.getStream('readings');
    const items = await readings.window(TimeInterval.upTo(NOW)).toArray();
    expect(items).toEqual([
      { timestamp: at('2016-04-28T20:00:00.000Z'), value: { temperature: 20.5, humidity: 61 } },
      { timestamp: at('2016-04-28T21:00:00.000Z'), value: { temperature: 19.75, humidity: 64 } },
      { timestamp: at('2016-04-28T22:30:00.500Z'), value: { temperature: 18, humidity: 70 } },
    ]);
  });

  it('windows are half-open (start, end], and first/last/tail/count work', async () => {
    const { channel } = channelOver(FIXTURES);
    const readings = await channel.getStream('readings');
    const window = readings.window(
      new TimeInterval(at('2016-04-28T20:00:00Z'), at('2016-04-28T22:30:00.500Z')),
    );
    expect(await window.count()).toBe(2);
    expect((await window.first())?.timestamp).toBe(at('2016-04-28T21:00:00Z'));
    expect((await window.last())?.timestamp).toBe(at('2016-04-28T22:30:00.500Z'));
    expect((await readings.window(TimeInterval.upTo(NOW)).tail(2)).map((i) => i.value)).toEqual([
      { temperature: 19.75, humidity: 64 },
      { temperature: 18, humidity: 70 },
    ]);
  });

  it('reads CSV rows as objects (quotes, embedded separators) and text as strings, ISO-dated names too', async () => {
    const { channel } = channelOver(FIXTURES);
    const [rain] = await collect(channel.getResults('rainfall', TimeInterval.upTo(NOW)));
    expect(rain?.value).toEqual([
      {
        date: '2016-04-27',
        station: 'Auckland, Airport',
        rain_mm: '12.5',
        comment: 'said "heavy"',
      },
      { date: '2016-04-28', station: 'Auckland Airport', rain_mm: '0', comment: '' },
    ]);
    const notes = await collect(channel.getResults('notes', TimeInterval.upTo(NOW)));
    expect(notes).toEqual([
      { timestamp: at('2016-04-28T20:00:00Z'), value: 'Sensor moved to the kitchen.\n' },
      { timestamp: at('2016-04-29T00:00:00Z'), value: 'Dry day after a wet one.\n' },
    ]);
  });

  it('reports every file it skips, with the reason, and keeps going', async () => {
    const { channel, ignored } = channelOver(FIXTURES);
    await channel.refresh();
    const byName = Object.fromEntries(
      ignored.map((i) => [i.path.slice(FIXTURES.length + 1), i.reason]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      'README.md',
      'readings/2016_13_01_00_00_00_000_bad_month.json',
      'readings/reading_without_time.json',
    ]);
    expect(byName['readings/reading_without_time.json']).toMatch(/does not start with a time/);
    expect(byName['readings/2016_13_01_00_00_00_000_bad_month.json']).toMatch(/not a real date/);
    expect(byName['README.md']).toMatch(/stream folder/);
  });

  it('has calculated intervals (MIN_DATE, upTo] with upTo the scan time or the last document', async () => {
    const { channel } = channelOver(FIXTURES);
    expect(channel.upToTimestamp).toBe(MIN_DATE);
    await channel.refresh();
    expect(channel.upToTimestamp).toBe(NOW);
    const intervals = await channel.getCalculatedIntervals('readings');
    expect(intervals.toArray()).toEqual([new TimeInterval(MIN_DATE, NOW)]);

    const early = channelOver(FIXTURES, {
      clock: new VirtualClock(at('2000-01-01T00:00:00Z')),
    }).channel;
    await early.refresh();
    expect(early.upToTimestamp).toBe(at('2016-04-29T00:00:00Z'));
  });

  it('refuses reads past upToTimestamp and, with a fixed upTo, leaves later documents out', async () => {
    const { channel } = channelOver(FIXTURES, { upToTimestamp: at('2016-04-28T21:00:00Z') });
    await channel.refresh();
    expect(channel.upToTimestamp).toBe(at('2016-04-28T21:00:00Z'));
    expect(await channel.count('readings', TimeInterval.upTo(channel.upToTimestamp))).toBe(2);
    await expect(channel.count('readings', TimeInterval.upTo(NOW))).rejects.toThrow(
      StreamNotAvailableError,
    );
  });

  it('is read-only and says which streams do not exist', async () => {
    const { channel } = channelOver(FIXTURES);
    await expect(channel.writeInstances()).rejects.toThrow(ChannelReadOnlyError);
    await expect(channel.createStream()).rejects.toThrow(ChannelReadOnlyError);
    await expect(channel.purgeAll()).rejects.toThrow(ChannelReadOnlyError);
    await expect(channel.addCalculatedIntervals()).rejects.toThrow(ChannelReadOnlyError);
    await expect(channel.getStream('nope')).rejects.toThrow(StreamNotFoundError);
    await expect(channel.getStream({ name: 'readings', meta: { house: '1' } })).rejects.toThrow(
      StreamNotFoundError,
    );
  });

  it('refuses stream names that lead outside the root', async () => {
    const { channel } = channelOver(join(FIXTURES, 'readings'));
    await expect(channel.getStream('..')).rejects.toThrow(PathOutsideRootError);
    await expect(channel.getStream('../notes')).rejects.toThrow(PathOutsideRootError);
    await expect(channel.count('/etc', TimeInterval.upTo(NOW))).rejects.toThrow(
      PathOutsideRootError,
    );
  });

  it('says when the root folder is missing', async () => {
    const { channel } = channelOver(join(tmp, 'missing'));
    await expect(channel.refresh()).rejects.toThrow(ConfigError);
    await expect(channel.refresh()).rejects.toThrow(/create it or fix the path/);
  });
});

describe('FileChannel on a changing folder', () => {
  it('loads values lazily: only the documents read, and only when read', async () => {
    const root = await mkdtemp(join(tmp, 'lazy-'));
    await mkdir(join(root, 's'));
    for (let i = 1; i <= 5; i++)
      await writeFile(join(root, 's', `2016_01_0${i}_00_00_00_000.json`), String(i));
    const loaded: string[] = [];
    const { channel } = channelOver(root, {
      loaders: {
        '.json': (doc: FileDocument) => {
          loaded.push(doc.fileName);
          return Number(doc.fileName.slice(9, 10));
        },
      },
    });
    expect(await channel.count('s', TimeInterval.upTo(NOW))).toBe(5);
    expect(loaded).toEqual([]);
    const stream = await channel.getStream('s');
    expect((await stream.window(TimeInterval.upTo(NOW)).last())?.value).toBe(5);
    expect(loaded).toEqual(['2016_01_05_00_00_00_000.json']);
  });

  it('finds new files and streams on refresh(), without a new channel', async () => {
    const root = await mkdtemp(join(tmp, 'refresh-'));
    await mkdir(join(root, 'a'));
    await writeFile(join(root, 'a', '2016_01_01_00_00_00_000.json'), '1');
    const { channel } = channelOver(root);
    expect(await channel.count('a', TimeInterval.upTo(NOW))).toBe(1);
    await writeFile(join(root, 'a', '2016_01_02_00_00_00_000.json'), '2');
    await mkdir(join(root, 'b'));
    await writeFile(join(root, 'b', '2016-01-03.txt'), 'three');
    expect(await channel.count('a', TimeInterval.upTo(NOW))).toBe(1);
    await channel.refresh();
    expect(await collect(channel.getResults('a', TimeInterval.upTo(NOW)))).toEqual([
      { timestamp: Date.UTC(2016, 0, 1), value: 1 },
      { timestamp: Date.UTC(2016, 0, 2), value: 2 },
    ]);
    expect(await channel.hasStream('b')).toBe(true);
  });

  it('reports files with no loader, nested folders and equal-time files', async () => {
    const root = await mkdtemp(join(tmp, 'report-'));
    await mkdir(join(root, 's', 'nested'), { recursive: true });
    await writeFile(join(root, 's', '2016_01_01_00_00_00_000_a.json'), '"a"');
    await writeFile(join(root, 's', '2016_01_01_00_00_00_000_b.json'), '"b"');
    await writeFile(join(root, 's', '2016_01_02_00_00_00_000.bin'), 'x');
    const { channel, ignored } = channelOver(root);
    expect(await collect(channel.getResults('s', TimeInterval.upTo(NOW)))).toEqual([
      { timestamp: Date.UTC(2016, 0, 1), value: 'b' },
    ]);
    const reasons = ignored.map((i) => `${i.path.slice(root.length + 1)}: ${i.reason}`).sort();
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(
      /^s\/2016_01_01_00_00_00_000_a\.json: .*same time: only 2016_01_01_00_00_00_000_b\.json/,
    );
    expect(reasons[1]).toMatch(/^s\/2016_01_02_00_00_00_000\.bin: no loader for "\.bin"/);
    expect(reasons[2]).toMatch(/^s\/nested: nested folders/);
  });

  it('uses a given loader for every file, and turns a failing load into StorageError with the path', async () => {
    const root = await mkdtemp(join(tmp, 'loader-'));
    await mkdir(join(root, 's'));
    await writeFile(join(root, 's', '2016_01_01_00_00_00_000.dat'), '1;2;3');
    await writeFile(join(root, 's', '2016_01_02_00_00_00_000.json'), '{ not json');
    const custom = channelOver(root, {
      loader: async (doc: FileDocument) => await readFile(doc.path, 'utf8'),
    }).channel;
    expect(
      (await collect(custom.getResults('s', TimeInterval.upTo(NOW)))).map((i) => i.value),
    ).toEqual(['1;2;3', '{ not json']);
    const plain = channelOver(root).channel;
    const error = await collect(plain.getResults('s', TimeInterval.upTo(NOW))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toContain('2016_01_02_00_00_00_000.json');
    expect((error as StorageError).cause).toBeInstanceOf(SyntaxError);
  });

  it('skips symbolic links that lead outside the root and follows those inside', async () => {
    const root = await mkdtemp(join(tmp, 'links-'));
    const outside = await mkdtemp(join(tmp, 'outside-'));
    await writeFile(join(outside, '2016_01_01_00_00_00_000.json'), '"secret"');
    await mkdir(join(root, 's'));
    await writeFile(join(root, 's', '2016_01_02_00_00_00_000.json'), '"inside"');
    await symlink(outside, join(root, 'escape'));
    await symlink(
      join(outside, '2016_01_01_00_00_00_000.json'),
      join(root, 's', '2016_01_01_00_00_00_000.json'),
    );
    await symlink(join(root, 's'), join(root, 'alias'));
    const { channel, ignored } = channelOver(root);
    expect((await channel.findStreams()).map((s) => s.id.name)).toEqual(['alias', 's']);
    expect(await collect(channel.getResults('s', TimeInterval.upTo(NOW)))).toEqual([
      { timestamp: Date.UTC(2016, 0, 2), value: 'inside' },
    ]);
    expect(
      ignored
        .filter((i) => /leads outside/.test(i.reason))
        .map((i) => i.path.slice(root.length + 1))
        .sort(),
    ).toEqual(['alias/2016_01_01_00_00_00_000.json', 'escape', 's/2016_01_01_00_00_00_000.json']);
  });

  it('refuses at read time a file that became a link outside the root after the scan', async () => {
    const root = await mkdtemp(join(tmp, 'swap-'));
    const outside = await mkdtemp(join(tmp, 'outside-'));
    await writeFile(join(outside, 'secret.json'), '"secret"');
    await mkdir(join(root, 's'));
    const file = join(root, 's', '2016_01_01_00_00_00_000.json');
    await writeFile(file, '"fine"');
    const { channel } = channelOver(root);
    await channel.refresh();
    await rm(file);
    await symlink(join(outside, 'secret.json'), file);
    await expect(collect(channel.getResults('s', TimeInterval.upTo(NOW)))).rejects.toThrow(
      PathOutsideRootError,
    );
  });
});

describe('CSV', () => {
  it('parses quotes, doubled quotes, CRLF and newlines inside quotes', () => {
    expect(parseCsv('a,b\r\n"x,1","he said ""hi"""\n"multi\nline",\n')).toEqual([
      ['a', 'b'],
      ['x,1', 'he said "hi"'],
      ['multi\nline', ''],
    ]);
  });

  it('can give arrays and numbers', async () => {
    const root = await mkdtemp(join(tmp, 'csv-'));
    await mkdir(join(root, 's'));
    await writeFile(join(root, 's', '2016_01_01_00_00_00_000.csv'), 'a;b\n1;x\n-2.5e1;007\n');
    const { channel } = channelOver(root, {
      loaders: { '.csv': csvLoader({ header: false, numbers: true, delimiter: ';' }) },
    });
    const [doc] = await collect(channel.getResults('s', TimeInterval.upTo(NOW)));
    expect(doc?.value).toEqual([
      ['a', 'b'],
      [1, 'x'],
      [-25, 7],
    ]);
  });
});
