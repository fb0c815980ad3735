/**
 * Everything the CLI prints goes through here: tables (cli-table3, fitted to the terminal width),
 * JSON, CSV, messages and the progress display (a cli-progress bar on a terminal; plain lines in
 * a pipe, or JSON lines with `--json`).
 */
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';

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
    this.line(
      formatTable(rows, columns, this.#out.isTTY ? this.#out.columns : undefined).trimEnd(),
    );
  }

  /** The result of an action: `{ status, message }`. */
  result(result: { readonly status: string; readonly message: string }): void {
    if (this.json) this.data(result);
    else this.line(result.message);
  }

  /**
   * A progress display for `total` pieces (more may be added with {@link Progress.planned}): a
   * live bar on a terminal, lines otherwise.
   */
  progress(
    label: string,
    total: number,
    clock: () => number = Date.now,
    unit = 'pieces',
  ): Progress {
    return new Progress({
      label,
      total,
      clock,
      unit,
      sink: this.#err,
      mode: this.json ? 'json' : this.#err.isTTY ? 'bar' : 'lines',
    });
  }
}

/**
 * An aligned plain-text table with an upper-case header row, two spaces between columns. With a
 * `width` (a terminal's), wide columns are narrowed and their cells wrapped so that no line is
 * longer than the terminal; without one (a pipe, a file) nothing is cut.
 */
export function formatTable(
  rows: readonly Row[],
  columns: readonly string[],
  width?: number,
): string {
  const cells = rows.map((row) => columns.map((column) => cellText(row[column])));
  const header = columns.map((c) => c.toUpperCase());
  const natural = columns.map((_, i) =>
    Math.max(...[header, ...cells].map((line) => longestLine(line[i]!))),
  );
  const widths = width === undefined ? natural : fitWidths(natural, header, width);
  const table = new Table({
    head: header,
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2, compact: true },
    colWidths: widths.map((w) => w + 2),
    wordWrap: width !== undefined,
    wrapOnWordBoundary: true,
  });
  table.push(...cells);
  return (
    table
      .toString()
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n') + '\n'
  );
}

const NO_BORDERS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '',
};

function longestLine(text: string): number {
  return Math.max(0, ...text.split('\n').map((line) => line.length));
}

/** Narrows the widest columns (never below their header or 8) until the table fits `width`. */
function fitWidths(natural: readonly number[], header: readonly string[], width: number): number[] {
  const widths = [...natural];
  const total = (): number => widths.reduce((sum, w) => sum + w + 2, 0) - 2;
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      const floor = Math.max(8, header[i]!.length);
      if (widths[i]! > floor && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    }
    if (widest < 0) break;
    widths[widest] = Math.max(
      Math.max(8, header[widest]!.length),
      widths[widest]! - (total() - width),
    );
  }
  return widths;
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

/**
 * Live progress of a run: pieces done of total, documents written, rate and ETA. On a terminal a
 * cli-progress bar, redrawn as pieces finish and as documents are written inside a piece
 * ({@link Progress.written}: fed by the workflow's `onPiece`, and by an engine progress hook
 * where there is one); in a pipe one line per piece; with `--json` one JSON line per piece.
 */
export class Progress {
  readonly #label: string;
  #total: number;
  readonly #clock: () => number;
  readonly #sink: TextSink;
  readonly #mode: 'bar' | 'lines' | 'json';
  /** What is counted: `pieces` of a run, `chunks` of an export. */
  readonly #unit: string;
  readonly #started: number;
  readonly #bar: SingleBar | undefined;
  #done = 0;
  #documents = 0;
  /** Documents written so far inside the current piece (not yet in #documents). */
  #inPiece = 0;

  constructor(options: {
    readonly label: string;
    readonly total: number;
    readonly clock: () => number;
    readonly sink: TextSink;
    readonly mode: 'bar' | 'lines' | 'json';
    readonly unit?: string;
  }) {
    this.#unit = options.unit ?? 'pieces';
    this.#label = options.label;
    this.#total = options.total;
    this.#clock = options.clock;
    this.#sink = options.sink;
    this.#mode = options.mode;
    this.#started = options.clock();
    if (this.#mode === 'bar') {
      const barsize = Math.max(10, Math.min(40, (this.#sink.columns ?? 80) - 70));
      this.#bar = new SingleBar({
        stream: this.#sink as unknown as NodeJS.WritableStream,
        format: `${this.#label} [{bar}] {value}/{total} ${this.#unit}, {docs} docs, {rate} docs/s, ETA {eta_text}`,
        barsize,
        barCompleteChar: '#',
        barIncompleteChar: '-',
        hideCursor: false,
        linewrap: false,
        noTTYOutput: true,
        synchronousUpdate: true,
        fps: 10,
      });
      this.#bar.start(this.#total, 0, this.#payload());
    } else if (this.#total > 0) {
      if (this.#mode === 'lines')
        this.#sink.write(`${this.#label}: ${String(this.#total)} ${this.#unit}\n`);
      else this.#sink.write(`${JSON.stringify({ event: 'start', total: this.#total })}\n`);
    }
  }

  /** `pieces` more pieces are planned: the total grows (a run plans before it computes). */
  planned(pieces: number): void {
    this.#total += pieces;
    if (this.#mode === 'bar') this.#bar?.setTotal(this.#total);
    else if (this.#mode === 'lines')
      this.#sink.write(`${this.#label}: ${String(pieces)} ${this.#unit} planned\n`);
    else this.#sink.write(`${JSON.stringify({ event: 'plan', pieces, total: this.#total })}\n`);
  }

  /**
   * Documents written so far inside the current piece (a running total): the bar moves before the
   * piece ends. Lines and JSON modes report per piece only.
   */
  written(documentsInPiece: number): void {
    this.#inPiece = documentsInPiece;
    this.#bar?.update(this.#done, this.#payload());
  }

  /** One more piece is done, having written `documents`; `detail` names it (e.g. its interval). */
  tick(documents: number, detail: string): void {
    this.#done += 1;
    this.#documents += documents;
    this.#inPiece = 0;
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
        `${this.#label}: ${this.#unit.replace(/s$/, '')} ${String(state.done)}/${String(state.total)} ${detail}: ` +
          `${String(documents)} documents (${String(state.documents)} in all, ${String(state.ratePerSecond)}/s)\n`,
      );
    } else {
      this.#bar?.update(this.#done, this.#payload());
    }
  }

  /** Ends the display (the bar's line is completed). */
  end(): void {
    this.#bar?.stop();
  }

  #payload(): Record<string, string> {
    const documents = this.#documents + this.#inPiece;
    const elapsed = Math.max(1, this.#clock() - this.#started);
    const eta =
      this.#done === 0
        ? '?'
        : formatSeconds(((elapsed / this.#done) * (this.#total - this.#done)) / 1000);
    return {
      docs: String(documents),
      rate: ((documents / elapsed) * 1000).toFixed(1),
      eta_text: eta,
    };
  }
}

function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${String(s)}s`;
  if (s < 3600) return `${String(Math.floor(s / 60))}m${String(s % 60).padStart(2, '0')}s`;
  return `${String(Math.floor(s / 3600))}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
