/**
 * Everything the CLI prints goes through here: tables, JSON, CSV, messages and the progress bar.
 * A terminal gets a live bar; a pipe gets plain lines, or JSON lines with `--json`.
 */

/** A writable text sink (process.stdout / stderr, or a buffer in tests). */
export interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export type Row = Readonly<Record<string, unknown>>;

export class Output {
  readonly json: boolean;
  readonly #out: TextSink;
  readonly #err: TextSink;

  constructor(options: {
    readonly json: boolean;
    readonly stdout: TextSink;
    readonly stderr: TextSink;
  }) {
    this.json = options.json;
    this.#out = options.stdout;
    this.#err = options.stderr;
  }

  /** A line on stdout. */
  line(text = ''): void {
    this.#out.write(`${text}\n`);
  }

  /** A message on stderr (progress, warnings): never mixed into data on stdout. */
  note(text: string): void {
    this.#err.write(`${text}\n`);
  }

  /** A value as pretty JSON on stdout. */
  data(value: unknown): void {
    this.#out.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
  }

  /** Rows as JSON (with `--json`) or as an aligned table; `empty` is printed when there are none. */
  rows(rows: readonly Row[], columns: readonly string[], empty = '(none)'): void {
    if (this.json) {
      this.data(rows);
      return;
    }
    if (rows.length === 0) {
      this.line(empty);
      return;
    }
    this.line(formatTable(rows, columns).trimEnd());
  }

  /** The result of an action: `{ status, message }`. */
  result(result: { readonly status: string; readonly message: string }): void {
    if (this.json) this.data(result);
    else this.line(result.message);
  }

  /** A progress display for `total` pieces: a live bar on a terminal, lines otherwise. */
  progress(label: string, total: number, clock: () => number = Date.now): Progress {
    return new Progress({
      label,
      total,
      clock,
      sink: this.#err,
      mode: this.json ? 'json' : this.#err.isTTY ? 'bar' : 'lines',
    });
  }
}

/** An aligned plain-text table with a header row. */
export function formatTable(rows: readonly Row[], columns: readonly string[]): string {
  const cells = rows.map((row) => columns.map((column) => cellText(row[column])));
  const widths = columns.map((column, i) =>
    Math.max(column.length, ...cells.map((line) => line[i]!.length)),
  );
  const render = (line: readonly string[]): string =>
    line
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [render(columns.map((c) => c.toUpperCase())), ...cells.map(render)].join('\n') + '\n';
}

/** RFC 4180 CSV with a header row. */
export function formatCsv(rows: readonly Row[], columns: readonly string[]): string {
  const quote = (text: string): string =>
    /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  return (
    [
      columns.map(quote).join(','),
      ...rows.map((row) => columns.map((c) => quote(cellText(row[c]))).join(',')),
    ].join('\r\n') + '\r\n'
  );
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value, jsonReplacer);
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (value instanceof Set) return [...(value as Set<unknown>)];
  if (value instanceof Map) return Object.fromEntries(value as Map<unknown, unknown>);
  return value;
}

/** Live progress of a run: pieces done of total, documents written, rate and ETA. */
export class Progress {
  readonly #label: string;
  readonly #total: number;
  readonly #clock: () => number;
  readonly #sink: TextSink;
  readonly #mode: 'bar' | 'lines' | 'json';
  readonly #started: number;
  #done = 0;
  #documents = 0;

  constructor(options: {
    readonly label: string;
    readonly total: number;
    readonly clock: () => number;
    readonly sink: TextSink;
    readonly mode: 'bar' | 'lines' | 'json';
  }) {
    this.#label = options.label;
    this.#total = options.total;
    this.#clock = options.clock;
    this.#sink = options.sink;
    this.#mode = options.mode;
    this.#started = options.clock();
    if (this.#mode === 'bar') this.#render();
    else if (this.#mode === 'lines')
      this.#sink.write(`${this.#label}: ${String(this.#total)} pieces\n`);
    else this.#sink.write(`${JSON.stringify({ event: 'start', total: this.#total })}\n`);
  }

  /** One more piece is done, having written `documents`; `detail` names it (e.g. its interval). */
  tick(documents: number, detail: string): void {
    this.#done += 1;
    this.#documents += documents;
    const elapsed = Math.max(1, this.#clock() - this.#started);
    const state = {
      done: this.#done,
      total: this.#total,
      documents: this.#documents,
      ratePerSecond: Math.round((this.#documents / elapsed) * 1000 * 10) / 10,
      etaSeconds:
        this.#done >= this.#total
          ? 0
          : Math.round(((elapsed / this.#done) * (this.#total - this.#done)) / 1000),
    };
    if (this.#mode === 'json') {
      this.#sink.write(`${JSON.stringify({ event: 'progress', piece: detail, ...state })}\n`);
    } else if (this.#mode === 'lines') {
      this.#sink.write(
        `${this.#label}: piece ${String(state.done)}/${String(state.total)} ${detail}: ` +
          `${String(documents)} documents (${String(state.documents)} in all, ${String(state.ratePerSecond)}/s)\n`,
      );
    } else {
      this.#render();
    }
  }

  /** Ends the display (the bar's line is completed). */
  end(): void {
    if (this.#mode === 'bar') this.#sink.write('\n');
  }

  #render(): void {
    const width = Math.max(10, Math.min(40, (this.#sink.columns ?? 80) - 60));
    const fraction = this.#total === 0 ? 1 : this.#done / this.#total;
    const filled = Math.round(fraction * width);
    const elapsed = Math.max(1, this.#clock() - this.#started);
    const rate = (this.#documents / elapsed) * 1000;
    const eta =
      this.#done === 0
        ? '?'
        : formatSeconds(((elapsed / this.#done) * (this.#total - this.#done)) / 1000);
    this.#sink.write(
      `\r\x1b[2K${this.#label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` +
        `${String(this.#done)}/${String(this.#total)} pieces, ${String(this.#documents)} docs, ` +
        `${rate.toFixed(1)} docs/s, ETA ${eta}`,
    );
  }
}

function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${String(s)}s`;
  if (s < 3600) return `${String(Math.floor(s / 60))}m${String(s % 60).padStart(2, '0')}s`;
  return `${String(Math.floor(s / 3600))}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
