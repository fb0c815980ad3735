// Window tools: aligning_window, sliding_apply, sliding_listify, sliding_sink, sink,
// relative_window, relative_apply, relative_apply2.
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  ToolExecutionError,
  ToolParameterError,
} from '../../../../src/errors.js';
import { collect } from '../../../../src/internal/async.js';
import type { StreamInstance } from '../../../../src/streams/stream-instance.js';
import type { StreamView } from '../../../../src/channels/stream-view.js';
import { TimeInterval } from '../../../../src/time/time-interval.js';
import type { PlainToolContext } from '../../../../src/tools/tool.js';
import aligningWindow from '../../../../tools/aligning_window/2026-11-22_v1.0.0.js';
import relativeApply from '../../../../tools/relative_apply/2026-11-22_v1.0.0.js';
import relativeApply2 from '../../../../tools/relative_apply2/2026-11-22_v1.0.0.js';
import relativeWindow from '../../../../tools/relative_window/2026-11-22_v1.0.0.js';
import sink from '../../../../tools/sink/2026-11-22_v1.0.0.js';
import slidingApply from '../../../../tools/sliding_apply/2026-11-22_v1.0.0.js';
import slidingListify from '../../../../tools/sliding_listify/2026-11-22_v1.0.0.js';
import slidingSink from '../../../../tools/sliding_sink/2026-11-22_v1.0.0.js';
import slidingWindow from '../../../../tools/sliding_window/2026-11-22_v1.0.0.js';
import { SINK, docs, interval, runPlain, source } from '../../../helpers/tool-harness.js';

const run = runPlain;

// Data every second from 1 s to 10 s, value = the second.
const data = docs(
  ...Array.from({ length: 10 }, (_, i): [number, unknown] => [(i + 1) * 1000, i + 1]),
);

describe('aligning_window', () => {
  it('gives the window (t + lower, t + upper] for each input time', async () => {
    const tool = aligningWindow.create({ lower: -2000, upper: 'PT0.5S' });
    expect(await run(tool, interval(0, 10_000), [docs([1000, 'x'], [5000, 'y'])])).toEqual(
      docs([1000, { start: -1000, end: 1500 }], [5000, { start: 3000, end: 5500 }]),
    );
  });

  it('rejects lower >= upper', () => {
    expect(() => aligningWindow.create({ lower: 0, upper: -1 })).toThrow(ToolParameterError);
  });
});

describe('sliding_listify and sliding_apply', () => {
  // Windows of 3 s every 2 s, ending at 2, 4, …, 14 s (the last one holds no data).
  const windows = async (): Promise<StreamInstance[]> =>
    await run(
      slidingWindow.create({ first: 0, lower: -3000, upper: 0, increment: 2000 }),
      interval(0, 14_000),
      [],
    );

  it('sliding_listify lists the data values of each window and skips empty windows', async () => {
    const out = await run(slidingListify.create(), interval(0, 14_000), [await windows(), data]);
    expect(out).toEqual(
      docs(
        [2000, [1, 2]],
        [4000, [2, 3, 4]],
        [6000, [4, 5, 6]],
        [8000, [6, 7, 8]],
        [10_000, [8, 9, 10]],
        [12_000, [10]],
      ),
    );
  });

  it('sliding_listify lists instances with includeTime', async () => {
    const out = await run(slidingListify.create({ includeTime: true }), interval(0, 2000), [
      await windows(),
      data,
    ]);
    expect(out).toEqual(docs([2000, docs([1000, 1], [2000, 2])]));
  });

  it('sliding_apply applies a function to each window, by name or in code', async () => {
    const mean = await run(slidingApply.create({ func: { fn: 'mean' } }), interval(0, 14_000), [
      await windows(),
      data,
    ]);
    expect(mean).toEqual(
      docs([2000, 1.5], [4000, 3], [6000, 5], [8000, 7], [10_000, 9], [12_000, 10]),
    );
    const firstTime = slidingApply.create({
      func: (items: StreamInstance[]) => (items.length > 2 ? items[0]!.timestamp : undefined),
      includeTime: true,
    });
    expect(await run(firstTime, interval(0, 14_000), [await windows(), data])).toEqual(
      docs([4000, 2000], [6000, 4000], [8000, 6000], [10_000, 8000]),
    );
  });

  it('serves windows that go backwards or lie beyond the first span by reading them directly', async () => {
    const odd = docs(
      [1, { start: 4000, end: 6000 }],
      [2, { start: 0, end: 2000 }],
      [3, { start: 8000, end: 20_000 }],
      [4, { start: '1970-01-01T00:00:01Z', end: '1970-01-01T00:00:03Z' }],
    );
    const out = await run(slidingListify.create(), interval(0, 10), [odd, data]);
    expect(out).toEqual(docs([1, [5, 6]], [2, [1, 2]], [3, [9, 10]], [4, [2, 3]]));
  });

  it('fail on a window document that is not a window, and without the data source', async () => {
    await expect(
      run(slidingListify.create(), interval(0, 10), [docs([1, 'soon']), data]),
    ).rejects.toThrow(ToolExecutionError);
    await expect(
      run(slidingListify.create(), interval(0, 10), [docs([1, { start: 0, end: 5 }])]),
    ).rejects.toThrow(InvalidArgumentError);
  });

  it('give nothing without windows', async () => {
    expect(
      await run(slidingApply.create({ func: { fn: 'sum' } }), interval(0, 10), [[], data]),
    ).toEqual([]);
  });
});

describe('sliding_sink and sink', () => {
  it('sliding_sink asks for the data over the span of all windows and emits nothing', async () => {
    const iv = interval(0, 100);
    const windowSource = await source(
      docs([10, { start: 5000, end: 7000 }], [20, { start: -3000, end: 6000 }]),
      iv,
    );
    const asked: TimeInterval[] = [];
    const tool = slidingSink.create();
    const context: PlainToolContext<typeof tool.params> = {
      params: tool.params,
      interval: iv,
      signal: new AbortController().signal,
      sources: [windowSource, await source(data, iv)],
      alignment: undefined,
      sink: SINK,
      sourceWindow: (index: number, window: TimeInterval): Promise<StreamView> => {
        expect(index).toBe(1);
        asked.push(window);
        return Promise.resolve(windowSource.view);
      },
    };
    expect(await collect(tool.execute(context))).toEqual([]);
    expect(asked).toEqual([new TimeInterval(-3000, 7000)]);
  });

  it('sink emits nothing whatever its sources', async () => {
    expect(await run(sink.create(), interval(0, 10_000), [data, data])).toEqual([]);
  });
});

describe('relative_window', () => {
  const ticks = docs([3000, 3000], [6000, 6000], [9000, 9000]);

  it('lists the source values in (t + relativeStart, t + relativeEnd] for each alignment time', async () => {
    const tool = relativeWindow.create({ relativeStart: -3000, relativeEnd: 0 });
    expect(await run(tool, interval(0, 9000), [data], ticks)).toEqual(
      docs([3000, [1, 2, 3]], [6000, [4, 5, 6]], [9000, [7, 8, 9]]),
    );
  });

  it('looks back before the interval through its source interval, and forward with a positive end', async () => {
    const tool = relativeWindow.create({ relativeStart: '-PT4S', relativeEnd: 'PT1S' });
    expect(tool.sourceInterval(interval(5000, 9000))).toEqual(new TimeInterval(1000, 10_000));
    expect(await run(tool, interval(5000, 9000), [data], ticks)).toEqual(
      docs([6000, [3, 4, 5, 6, 7]], [9000, [6, 7, 8, 9, 10]]),
    );
  });

  it('gives an empty list for an alignment time with no data, and instances when valuesOnly is false', async () => {
    const tool = relativeWindow.create({
      relativeStart: -1500,
      relativeEnd: -1000,
      valuesOnly: false,
    });
    expect(await run(tool, interval(0, 9000), [data], docs([2100, 0], [2600, 0]))).toEqual(
      docs([2100, docs([1000, 1])], [2600, []]),
    );
  });

  it('needs an alignment stream and relativeStart < relativeEnd', async () => {
    const tool = relativeWindow.create({ relativeStart: -1000 });
    await expect(run(tool, interval(0, 9000), [data])).rejects.toThrow(/alignment/);
    expect(() => relativeWindow.create({ relativeStart: 0, relativeEnd: 0 })).toThrow(
      ToolParameterError,
    );
  });
});

describe('relative_apply and relative_apply2', () => {
  it('relative_apply applies func to number lists and key-wise to lists of objects', async () => {
    const tool = relativeApply.create({ func: { fn: 'max' } });
    const input = docs([1, [1, 5, 2]], [2, []], [3, [{ a: 1, b: 7 }, { a: 4 }]]);
    expect(await run(tool, interval(0, 10), [input])).toEqual(docs([1, 5], [3, { a: 4, b: 7 }]));
  });

  it('relative_apply2 gives { key: func(key, values) } in one document per input', async () => {
    const tool = relativeApply2.create({
      func: (key: string, values: number[]) => `${key}:${values.join('+')}`,
    });
    const input = docs(
      [
        1,
        [
          { a: 1, b: 2 },
          { a: 3, c: 'x' },
        ],
      ],
      [2, []],
      [3, [{ c: 'y' }]],
    );
    expect(await run(tool, interval(0, 10), [input])).toEqual(docs([1, { a: 'a:1+3', b: 'b:2' }]));
  });
});
