import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MAX_DATE,
  MIN_DATE,
  TimeInterval,
  ToolExecutionError,
  ToolParameterError,
} from '../../../src/index.js';
import type { StreamInstance, ToolInstance } from '../../../src/index.js';
import { parseCsv } from '../../../src/internal/csv.js';
import csvMultiReader from '../../../tools/csv_multi_reader/2026-11-22_v1.0.0.js';
import csvReader from '../../../tools/csv_reader/2026-11-22_v1.0.0.js';
import { SINK, runTool, source } from '../../helpers/tool-harness.js';

const DATA = fileURLToPath(new URL('../../../fixtures/data/', import.meta.url));
const ALL = new TimeInterval(MIN_DATE, MAX_DATE);
const tmp = mkdtempSync(join(tmpdir(), 'hs-csv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

async function read(params: Record<string, unknown>, interval = ALL): Promise<StreamInstance[]> {
  const tool = csvReader.create(params as never) as ToolInstance<'tool'>;
  return await runTool(tool, { sources: [], alignment: undefined, sink: SINK, interval });
}

/** The file's data rows, split by hand (independently of the tool) for comparison. */
function rowsOf(name: string): string[][] {
  return readFileSync(join(DATA, name), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .slice(1)
    .map((line) => line.split(','));
}

describe('csv_reader on the sea-ice data', () => {
  it('reads every row with its ISO time and numeric columns', async () => {
    const out = await read({ path: join(DATA, 'sea_ice.csv') });
    const rows = rowsOf('sea_ice.csv');
    expect(out).toHaveLength(255);
    expect(out).toEqual(
      rows.map(([time, arctic, antarctica]) => ({
        timestamp: Date.parse(time!),
        value: { Arctic: Number(arctic), Antarctica: Number(antarctica) },
      })),
    );
    expect(out[0]).toEqual({
      timestamp: Date.UTC(1990, 0, 1),
      value: { Arctic: 12.72, Antarctica: 3.27 },
    });
    expect(out.at(-1)).toEqual({
      timestamp: Date.UTC(2011, 2, 1),
      value: { Arctic: 12.4, Antarctica: 2.18 },
    });
  });

  it('emits only the rows inside (start, end]', async () => {
    const out = await read(
      { path: join(DATA, 'sea_ice.csv') },
      TimeInterval.of('1995-01-01T00:00:00Z', '1996-01-01T00:00:00Z'),
    );
    expect(out.map((i) => new Date(i.timestamp).toISOString().slice(0, 7))).toEqual([
      '1995-02',
      '1995-03',
      '1995-04',
      '1995-05',
      '1995-06',
      '1995-07',
      '1995-08',
      '1995-09',
      '1995-10',
      '1995-11',
      '1995-12',
      '1996-01',
    ]);
    expect(
      await read(
        { path: join(DATA, 'sea_ice.csv') },
        TimeInterval.of('2020-01-01T00:00:00Z', '2021-01-01T00:00:00Z'),
      ),
    ).toEqual([]);
  });
});

describe('csv_reader on the TSDL data (2000M01 dates)', () => {
  it('parses yyyyMmm months as the first of the month, UTC', async () => {
    const out = await read({
      path: join(DATA, 'TempNZ.csv'),
      dateParser: 'yyyyMmm',
      dateColumn: 'Date',
    });
    const rows = rowsOf('TempNZ.csv');
    expect(out).toHaveLength(154);
    expect(out[0]!.timestamp).toBe(Date.UTC(2000, 0, 1));
    expect(out[0]!.value).toMatchObject({
      AucklandMax: 23.4,
      AucklandMin: 15.5,
      WellingtonMin: 14.2,
    });
    expect(out.at(-1)!.timestamp).toBe(Date.UTC(2012, 9, 1));
    expect(out.at(-1)!.value).toMatchObject({ AucklandMax: 17.8, WellingtonMin: 10.1 });
    for (const [i, row] of rows.entries())
      expect(Object.values(out[i]!.value as object)).toEqual(row.slice(1).map(Number));
  });

  it('reads without a header as lists, with skipRows and a numeric date column index', async () => {
    const out = await read(
      {
        path: join(DATA, 'NZRainfall.csv'),
        header: false,
        skipRows: 1,
        dateParser: 'yyyyMmm',
        dateColumn: 0,
      },
      TimeInterval.of('2000-01-01T00:00:00Z', '2000-03-01T00:00:00Z'),
    );
    expect(out).toEqual([
      { timestamp: Date.UTC(2000, 1, 1), value: [8.4, 25.2, 41, 8.2, 35.2] },
      { timestamp: Date.UTC(2000, 2, 1), value: [57.2, 60.8, 74.2, 33.8, 53.4] },
    ]);
  });

  it('reads missing readings ("-" in NZRainfall.csv) as null when listed in missingValues', async () => {
    const path = join(DATA, 'NZRainfall.csv');
    await expect(read({ path, dateParser: 'yyyyMmm' })).rejects.toThrow(/is not a number/);
    const out = await read({ path, dateParser: 'yyyyMmm', missingValues: ['-'] });
    expect(out).toHaveLength(154);
    const missing = out.filter((row) => Object.values(row.value as object).includes(null));
    expect(missing.length).toBeGreaterThan(0);
  });

  it('fails on the header line when it is read as data', async () => {
    await expect(
      read({ path: join(DATA, 'NZRainfall.csv'), header: false, dateParser: 'yyyyMmm' }),
    ).rejects.toThrow(/cannot read the time "DATE" in .*NZRainfall\.csv line 1, column 0/);
  });
});

describe('csv_reader options and errors', () => {
  it('sorts an unsorted file, keeps text columns, reads empty cells as null and quoted fields', async () => {
    const path = file(
      'unsorted.csv',
      'when;name;x\r\n3;"c; quoted";3.5\r\n1;a;\r\n\r\n2;"say ""hi""";-2e3\r\n',
    );
    const out = await read({
      path,
      delimiter: ';',
      dateParser: 'epochS',
      textColumns: ['name'],
      dateColumn: 'when',
    });
    expect(out).toEqual([
      { timestamp: 1000, value: { name: 'a', x: null } },
      { timestamp: 2000, value: { name: 'say "hi"', x: -2000 } },
      { timestamp: 3000, value: { name: 'c; quoted', x: 3.5 } },
    ]);
    expect(
      await read(
        { path, delimiter: ';', dateParser: 'epochS', textColumns: [1] },
        new TimeInterval(1000, 3000),
      ),
    ).toHaveLength(2);
  });

  it('reads epoch milliseconds and a date column that is not the first', async () => {
    const path = file('ms.csv', 'v,t\n1,1500\n2,2500\n');
    expect(await read({ path, dateColumn: 't', dateParser: 'epochMs' })).toEqual([
      { timestamp: 1500, value: { v: 1 } },
      { timestamp: 2500, value: { v: 2 } },
    ]);
  });

  it('names the file, line and column of a bad number, a bad date and a duplicate time', async () => {
    const badNumber = file('bad-number.csv', 't,x,y\n1,1,2\n2,3,oops\n');
    const error = await read({ path: badNumber, dateParser: 'epochMs' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolExecutionError);
    expect((error as ToolExecutionError).message).toMatch(
      /"oops" in .*bad-number\.csv line 3, column "y" is not a number/,
    );
    expect((error as ToolExecutionError).details).toMatchObject({
      file: badNumber,
      line: 3,
      column: '"y"',
    });
    // Rows outside the interval are not parsed beyond their date.
    expect(
      await read({ path: badNumber, dateParser: 'epochMs' }, new TimeInterval(0, 1)),
    ).toHaveLength(1);

    const badDate = file('bad-date.csv', 'Time,x\n1990-01-01,1\n1990-13-01,2\n');
    await expect(read({ path: badDate })).rejects.toThrow(
      /"1990-13-01" in .*bad-date\.csv line 3, column "Time"/,
    );

    const duplicate = file('duplicate.csv', 't,x\n1,1\n2,2\n1,3\n');
    await expect(read({ path: duplicate, dateParser: 'epochMs' })).rejects.toThrow(
      /lines 2 and 4 have the same time/,
    );
  });

  it('fails on a missing file or an unknown column, and on bad parameters', async () => {
    await expect(read({ path: join(tmp, 'nope.csv') })).rejects.toThrow(/cannot read .*nope\.csv/);
    await expect(read({ path: join(DATA, 'sea_ice.csv'), dateColumn: 'When' })).rejects.toThrow(
      /column "When" is not in the header .* columns are Time, Arctic, Antarctica/,
    );
    await expect(read({ path: join(DATA, 'sea_ice.csv'), dateColumn: 9 })).rejects.toThrow(
      /column 9 does not exist/,
    );
    expect(() => csvReader.create({} as never)).toThrow(ToolParameterError);
    expect(() => csvReader.create({ path: 'x.csv', dateParser: 'american' } as never)).toThrow(
      ToolParameterError,
    );
    expect(() => csvReader.create({ path: 'x.csv', delimiter: ';;' })).toThrow(ToolParameterError);
  });

  it('takes no source streams', async () => {
    const tool = csvReader.create({ path: join(DATA, 'sea_ice.csv') }) as ToolInstance<'tool'>;
    await expect(
      runTool(tool, {
        sources: [await source([], ALL)],
        alignment: undefined,
        sink: SINK,
        interval: ALL,
      }),
    ).rejects.toThrow(/takes no source streams/);
  });

  it('reads a quoted cell holding a line break, naming the right lines after it', async () => {
    const path = file(
      'multiline.csv',
      'time,note,v\n2020-01-01,"line one\nline two",1\n2020-01-02,ok,x\n',
    );
    await expect(read({ path, textColumns: ['note'] })).rejects.toThrow(
      new RegExp(`"x" in ${path} line 4, column "v" is not a number`),
    );
    // csv-parse counts a quoted \r\n as two lines; the line named is still the file's own.
    const crlf = file('multiline-crlf.csv', 'time,note,v\r\n2020-01-01,"a\r\nb",1\r\nx,ok,2\r\n');
    await expect(read({ path: crlf, textColumns: ['note'] })).rejects.toThrow(
      new RegExp(`"x" in ${crlf} line 4, column`),
    );
    const out = await read({
      path: file('multiline-ok.csv', 'time,note\n2020-01-01,"line one\nline two"\n'),
      textColumns: ['note'],
    });
    expect(out).toEqual([
      { timestamp: Date.UTC(2020, 0, 1), value: { note: 'line one\nline two' } },
    ]);
  });

  it('fails on an unterminated quote, naming the file, line and column, instead of eating the rest', async () => {
    const path = file(
      'unterminated.csv',
      'time,v\n2020-01-01,1\n2020-01-02,"2\n2020-01-03,3\n2020-01-04,4\n',
    );
    const error = await read({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolExecutionError);
    expect((error as Error).message).toMatch(
      new RegExp(`cannot parse ${path} at line 3, column 2: a quoted cell is never closed`),
    );
  });

  it('reads "1, \\"x,y\\"" as two cells, as the file channel does', async () => {
    const path = file('spaced.csv', 'time,a,b\n2020-01-01,1, "x,y"\n');
    expect(await read({ path, textColumns: ['b'] })).toEqual([
      { timestamp: Date.UTC(2020, 0, 1), value: { a: 1, b: 'x,y' } },
    ]);
    expect(parseCsv('1, "x,y"')).toEqual([['1', 'x,y']]);
  });

  it('splits lines with quotes like RFC 4180', () => {
    expect(parseCsv('a,"b,c",,"d ""e"""', ',')).toEqual([['a', 'b,c', '', 'd "e"']]);
  });
});

describe('csv_multi_reader', () => {
  it('reads one file per output plate value and tags the rows with it, in time order', async () => {
    const tool = csvMultiReader.create({
      filenameTemplate: join(DATA, 'Temp{}.csv'),
      dateParser: 'yyyyMmm',
    }) as ToolInstance<'multi-output'>;
    const interval = TimeInterval.of('2000-01-01T00:00:00Z', '2000-03-01T00:00:00Z');
    const out = await runTool(tool, {
      source: undefined,
      splitting: undefined,
      outputMetaKey: 'country',
      outputPlateValues: ['NZ', 'USA'],
      interval,
    });
    expect(out.map((i) => [i.plateValue, new Date(i.timestamp).toISOString().slice(0, 7)])).toEqual(
      [
        ['NZ', '2000-02'],
        ['USA', '2000-02'],
        ['NZ', '2000-03'],
        ['USA', '2000-03'],
      ],
    );
    expect(out[0]!.value).toMatchObject({ AucklandMax: 23.4, WellingtonMin: 14.7 });
    expect(out[1]!.value).toMatchObject({ LosAngelesMax: 18.9, NYMin: -2.1 });
  });

  it('fails naming the file of a plate value that has none, and on a template without {}', async () => {
    const tool = csvMultiReader.create({
      filenameTemplate: join(DATA, 'Temp{}.csv'),
      dateParser: 'yyyyMmm',
    }) as ToolInstance<'multi-output'>;
    await expect(
      runTool(tool, {
        source: undefined,
        splitting: undefined,
        outputMetaKey: 'country',
        outputPlateValues: ['Mars'],
        interval: ALL,
      }),
    ).rejects.toThrow(/TempMars\.csv/);
    expect(() => csvMultiReader.create({ filenameTemplate: 'data.csv' })).toThrow(
      /must contain \{\}/,
    );
  });
});
