// DuckDB in a process of its own, for the benchmarks: its native threads and allocator then share
// nothing with the engine's process (in one process they slowed the engine's garbage collection
// down), and its peak RSS is its own. The parent sends queries one at a time and gets back the
// answer and the time DuckDB took (measured in this process, without the message round trip).

import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadFlightsOptions } from './flights.js';
import { loadFlights } from './flights.js';
import { DuckFlights } from './flights-baselines.js';
import type { Series } from './flights-workflows.js';
import { TimeInterval } from '../../src/time/time-interval.js';

/** A query of the flights baselines. */
export type DuckQuery =
  | { readonly kind: 'hourly'; readonly interval: [number, number] }
  | { readonly kind: 'airports'; readonly interval: [number, number] }
  | { readonly kind: 'sliding'; readonly interval: [number, number]; readonly width: number };

type Request = { readonly id: number; readonly query: DuckQuery };
type Reply =
  | { readonly id: number; readonly ok: true; readonly ms: number; readonly series: Series }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** A DuckDB process holding the flights, on `threads` threads. */
export class DuckProcess {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  #next = 0;
  /** Peak RSS of the DuckDB process (MiB), as last reported. */
  peakRssMiB = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: Reply & { readonly peakRssMiB?: number }) => {
      if (message.peakRssMiB !== undefined) this.peakRssMiB = message.peakRssMiB;
      this.#pending.get(message.id)?.(message);
      this.#pending.delete(message.id);
    });
  }

  /** Starts the process and loads the flights (the same selection as the parent's). */
  static async start(threads: number, flights: LoadFlightsOptions): Promise<DuckProcess> {
    const child = fork(
      fileURLToPath(import.meta.url),
      ['--duck-child', String(threads), JSON.stringify(flights)],
      {
        execArgv: ['--import', import.meta.resolve('tsx')],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const duck = new DuckProcess(child);
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) =>
        reject(new Error(`the DuckDB process exited with ${code} while loading`)),
      );
    });
    return duck;
  }

  /** Runs a query; resolves to its answer and the milliseconds DuckDB took. */
  async query(query: DuckQuery): Promise<{ ms: number; series: Series }> {
    const id = ++this.#next;
    const reply = await new Promise<Reply>((resolve) => {
      this.#pending.set(id, resolve);
      this.#child.send({ id, query } satisfies Request);
    });
    if (!reply.ok) throw new Error(`DuckDB query failed: ${reply.error}`);
    return { ms: reply.ms, series: reply.series };
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill();
    await exited;
  }
}

async function child(threads: number, options: LoadFlightsOptions): Promise<void> {
  const { flights } = await loadFlights(options);
  const duck = await DuckFlights.load(flights, threads);
  const rss = (): number => process.resourceUsage().maxRSS / 1024;
  process.send!({ id: 0, ok: true, ms: 0, series: [], peakRssMiB: rss() });
  process.on('message', (request: Request) => {
    void (async () => {
      const { query } = request;
      const interval = new TimeInterval(query.interval[0], query.interval[1]);
      try {
        const started = performance.now();
        const series =
          query.kind === 'hourly'
            ? await duck.hourlyMeans(interval)
            : query.kind === 'airports'
              ? await duck.airportMeans(interval)
              : await duck.slidingMeans(interval, query.width);
        const ms = performance.now() - started;
        process.send!({ id: request.id, ok: true, ms, series, peakRssMiB: rss() });
      } catch (error) {
        process.send!({ id: request.id, ok: false, error: String(error) });
      }
    })();
  });
}

const at = process.argv.indexOf('--duck-child');
if (at >= 0)
  await child(
    Number(process.argv[at + 1]),
    JSON.parse(process.argv[at + 2]!) as LoadFlightsOptions,
  );
