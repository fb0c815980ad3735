import { describe, expect, it } from 'vitest';
import { Output, formatCsv, formatTable } from '../../../src/cli/output.js';

function sink(isTTY = false) {
  const chunks: string[] = [];
  return {
    chunks,
    isTTY,
    columns: 120,
    write: (text: string) => chunks.push(text),
    text: () => chunks.join(''),
  };
}

describe('formatTable and formatCsv', () => {
  it('aligns columns under an upper-case header and renders values as text', () => {
    const rows = [
      { id: 'ticker', nodes: 2, online: false, meta: { a: 1 } },
      { id: 'a', nodes: 10, online: true, meta: null },
    ];
    expect(formatTable(rows, ['id', 'nodes', 'online', 'meta'])).toBe(
      'ID      NODES  ONLINE  META\nticker  2      false   {"a":1}\na       10     true\n',
    );
  });

  it('quotes CSV fields that need it (RFC 4180)', () => {
    expect(
      formatCsv(
        [
          { t: 'x', v: 'a,"b"\nc' },
          { t: 'y', v: 3 },
        ],
        ['t', 'v'],
      ),
    ).toBe('t,v\r\nx,"a,""b""\nc"\r\ny,3\r\n');
  });
});

describe('Output', () => {
  it('prints rows as a table, or JSON with --json, and a placeholder when empty', () => {
    const out = sink();
    new Output({ json: false, stdout: out, stderr: sink() }).rows([], ['id'], '(no workflows)');
    expect(out.text()).toBe('(no workflows)\n');
    const json = sink();
    new Output({ json: true, stdout: json, stderr: sink() }).rows([{ id: 1 }], ['id']);
    expect(JSON.parse(json.text())).toEqual([{ id: 1 }]);
  });

  it('shows progress as lines in a pipe, JSON lines with --json, and a redrawn bar on a terminal', async () => {
    let now = 0;
    const clock = (): number => now;
    const pipe = sink();
    const lines = new Output({ json: false, stdout: sink(), stderr: pipe }).progress(
      'run w',
      2,
      clock,
    );
    now = 1000;
    lines.tick(10, '(a, b]');
    expect(pipe.text()).toBe(
      'run w: 2 pieces\nrun w: piece 1/2 (a, b]: 10 documents (10 in all, 10/s)\n',
    );

    const jsonSink = sink();
    const json = new Output({ json: true, stdout: sink(), stderr: jsonSink }).progress(
      'run w',
      4,
      clock,
    );
    now = 3000;
    json.tick(20, '(a, b]');
    const [start, progress] = jsonSink
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(start).toEqual({ event: 'start', total: 4 });
    expect(progress).toEqual({
      event: 'progress',
      piece: '(a, b]',
      done: 1,
      total: 4,
      documents: 20,
      ratePerSecond: 10,
      etaSeconds: 6,
    });

    const tty = sink(true);
    now = 0;
    const bar = new Output({ json: false, stdout: sink(), stderr: tty }).progress(
      'run w',
      4,
      clock,
    );
    now = 1000;
    // cli-progress redraws at most 10 times a second (real time).
    await new Promise((r) => setTimeout(r, 150));
    bar.written(40); // inside the first piece: the bar moves before the piece ends
    now = 2000;
    await new Promise((r) => setTimeout(r, 150));
    bar.tick(100, '(a, b]');
    bar.end();
    const frames = tty.chunks.filter((c) => c.startsWith('run w '));
    expect(frames).toEqual([
      expect.stringMatching(/^run w \[-+\] 0\/4 pieces, 0 docs, 0\.0 docs\/s, ETA \?$/),
      expect.stringMatching(/^run w \[-+\] 0\/4 pieces, 40 docs, 40\.0 docs\/s, ETA \?$/),
      expect.stringMatching(/^run w \[#+-+\] 1\/4 pieces, 100 docs, 50\.0 docs\/s, ETA 6s$/),
    ]);
    expect(tty.text().endsWith('\n')).toBe(true);
  });
});

describe('tables on a terminal', () => {
  it('fit the terminal width, wrapping the widest column', () => {
    const rows = [
      { id: 'a', message: 'a long message that would run far past the right edge of the terminal' },
    ];
    const text = formatTable(rows, ['id', 'message'], 40);
    for (const line of text.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(40);
    expect(text.replace(/\s+/g, ' ')).toContain('a long message that would run far past the right');
    // In a pipe nothing is cut.
    expect(formatTable(rows, ['id', 'message']).split('\n')[1]).toBe(`a   ${rows[0]!.message}`);
  });
});
