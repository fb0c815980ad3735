// The web view in a real browser (Debian's Chromium driven by playwright-core): the graph of
// tutorial 5, the coverage map through a purge and a re-run, a plot of the 3,000,000 flights, the
// sessions page kept live by server-sent events, `hyperstream ui` over the SQLite file earlier
// commands wrote, and escaping of hostile names and values.
// Screenshots of each page go to test-artifacts/ui/ (git-ignored).
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, hostname, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWorker } from '../../../src/distributed.js';
import { Engine } from '../../../src/engine/engine.js';
import { servicePaths, writeServiceState } from '../../../src/online/service.js';
import type { OnlineStatus } from '../../../src/online/online-engine.js';
import { TimeInterval } from '../../../src/time/time-interval.js';
import { defineTool } from '../../../src/tools/tool.js';
import { MemoryToolSource } from '../../../src/tools/tool-source.js';
import type { UiServer } from '../../../src/ui/server.js';
import { startUi } from '../../../src/ui/server.js';
import { buildUiAssets } from '../../../scripts/build-ui.js';
import { flightInstances, loadFlights } from '../../../bench/data/flights.js';
import { tutorial5, tutorialEngine } from '../../../examples/tutorial-05.js';
import type { TestBrowser } from '../../helpers/browser.js';
import type { CliUi } from '../cli/run-cli.js';
import { cli, json, makeProject, startCliUi } from '../cli/run-cli.js';
import { ARTIFACTS, launchBrowser, screenshot } from '../../helpers/browser.js';
import type { LateData } from './fixtures/late-data.js';
import { HOUR, lateDataEngine } from './fixtures/late-data.js';

let browser: TestBrowser;

beforeAll(async () => {
  await buildUiAssets();
  browser = await launchBrowser();
}, 900_000); // a first run may install Chromium with apt-get
afterAll(async () => {
  await browser?.close();
});

/** Opens a route and waits until the page has rendered it. */
async function open(page: Page, ui: UiServer, route: string): Promise<void> {
  await page.goto(`${ui.url}#${route}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
}

/** Elements carrying event-handler attributes: escaped data never makes any. */
async function handlerAttributes(page: Page): Promise<string[]> {
  // Runs in the page (no DOM types here): every attribute named on… of every element.
  return await page.evaluate(() => {
    interface El {
      readonly tagName: string;
      readonly attributes: ArrayLike<{ readonly name: string }>;
    }
    const doc = (
      globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> } }
    ).document;
    return Array.from(doc.querySelectorAll('*')).flatMap((el) =>
      Array.from(el.attributes)
        .filter((a) => /^on/i.test(a.name))
        .map((a) => `${el.tagName} ${a.name}`),
    );
  });
}

describe('tutorial 5 in the browser', () => {
  let engine: Engine;
  let ui: UiServer;
  let stateDir: string;

  beforeAll(async () => {
    engine = await tutorialEngine();
    await tutorial5(engine);
    stateDir = await mkdtemp(join(tmpdir(), 'hs-ui-browser-'));
    ui = await startUi(engine, { port: 0, allowActions: true, stateDir, pollIntervalMs: 200 });
  });
  afterAll(async () => {
    await ui?.close();
    await engine?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('draws every node and factor of the workflow, factors as tool@version, inside their plates', async () => {
    const { page, problems } = await browser.newPage();
    await open(page, ui, '/workflows/tutorial_05');
    const workflow = engine.workflows.get('tutorial_05');
    expect(workflow.nodes).toHaveLength(11);
    for (const node of workflow.nodes) {
      const g = page.locator(`g.node[data-node-id="${node.id}"]`);
      await expect.poll(() => g.count()).toBe(1);
      expect(await g.locator('text.node-label').textContent()).toBe(node.id);
      expect(await g.isVisible()).toBe(true);
    }
    expect(workflow.factors).toHaveLength(11);
    for (const factor of workflow.factors) {
      const g = page.locator(`g.factor[data-factor-id="${factor.id}"]`);
      expect(await g.locator('text').textContent()).toBe(
        `${factor.tool.name}@${factor.tool.version}`,
      );
    }
    expect(await page.locator('g.node').count()).toBe(11);
    expect(await page.locator('g.factor').count()).toBe(11);
    expect(await page.locator('path.edge').count()).toBe(21);
    const plates = { C: '4 values', 'C.C': '20 values', R: '1 value', 'R.C': '5 values' };
    for (const [id, values] of Object.entries(plates)) {
      expect(await page.locator(`g.plate[data-plate-id="${id}"] .plate-values`).textContent()).toBe(
        values,
      );
    }
    // Boxes nest: a city node inside C.C, inside C; the world outside every plate.
    const box = async (selector: string) => (await page.locator(selector).boundingBox())!;
    const inside = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
      a.x >= b.x &&
      a.y >= b.y &&
      a.x + a.width <= b.x + b.width &&
      a.y + a.height <= b.y + b.height;
    const c = await box('g.plate[data-plate-id="C"] rect');
    const cc = await box('g.plate[data-plate-id="C.C"] rect');
    const cityAvg = await box('g.node[data-node-id="city_avg_temp"] rect');
    const world = await box('g.node[data-node-id="world_avg_temp"] rect');
    expect(inside(cc, c)).toBe(true);
    expect(inside(cityAvg, cc)).toBe(true);
    expect(inside(world, c)).toBe(false);
    await screenshot(page, 'graph');
    // Clicking a node lists its streams.
    await page.locator('g.node[data-node-id="city_avg_temp"]').click();
    await page.waitForSelector('.details table.streams tbody tr');
    expect(await page.locator('.details table.streams tbody tr').count()).toBe(20);
    expect(
      await page
        .locator('.details tr[data-stream="city_avg_temp[city=Auckland,country=NZ]"] td.intervals')
        .textContent(),
    ).toBe('(1999-01-01, 2013-01-01]');
    expect(page.url()).toContain('#/workflows/tutorial_05/city_avg_temp');
    await screenshot(page, 'graph-node');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows the gap after a purge and none after the re-run, with the session of each piece on hover', async () => {
    const { page, problems } = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await open(page, ui, '/coverage/tutorial_05/city_avg_temp');
    expect(await page.locator('svg.coverage g.row').count()).toBe(20);
    expect(await page.locator('svg.coverage rect.calculated').count()).toBe(20);
    expect(await page.locator('svg.coverage rect.gap').count()).toBe(0);
    await expect.poll(() => page.locator('p.legend').first().textContent()).toContain('no gaps');
    const [session] = await engine.sessions.list({ workflow: 'tutorial_05' });
    // Hover the middle of the first bar: the exact interval and the session that computed it.
    const bar = page.locator('svg.coverage g.row').first().locator('rect.calculated');
    await bar.hover();
    const tooltip = page.locator('.tooltip');
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    expect(await tooltip.textContent()).toContain('calculated (1999-01-01, 2013-01-01]');
    expect(await tooltip.textContent()).toContain(`session ${session!.id} (completed`);

    // Purge 2005 through the page (confirmed), then the gap shows on every row.
    await page.fill('input[name="from"]', '2005-01-01T00:00:00Z');
    await page.fill('input[name="to"]', '2006-01-01T00:00:00Z');
    await page.click('button[data-action="purge"]');
    await expect
      .poll(() => page.locator('.action-status').textContent())
      .toContain('Purged 20 streams');
    expect(dialogs[0]).toContain('Purge node "city_avg_temp" of workflow "tutorial_05"');
    await expect.poll(() => page.locator('svg.coverage rect.gap').count()).toBe(20);
    const gaps = await Promise.all(
      (await page.locator('svg.coverage rect.gap').all()).map(async (rect) => [
        await rect.getAttribute('data-start'),
        await rect.getAttribute('data-end'),
      ]),
    );
    for (const gap of gaps) {
      expect(gap).toEqual([
        String(Date.parse('2005-01-01T00:00:00Z')),
        String(Date.parse('2006-01-01T00:00:00Z')),
      ]);
    }
    expect(await page.locator('p.legend').first().textContent()).toContain('20 gaps');
    await page.locator('svg.coverage rect.gap').first().hover();
    await expect.poll(() => tooltip.textContent()).toContain('gap (2005-01-01, 2006-01-01]');
    await screenshot(page, 'coverage-gap');

    // Zoom: buttons and the wheel narrow the window.
    const windowOf = async (): Promise<[number, number]> => {
      const svg = page.locator('svg.coverage');
      return [
        Number(await svg.getAttribute('data-start')),
        Number(await svg.getAttribute('data-end')),
      ];
    };
    const [start0, end0] = await windowOf();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    const [start1, end1] = await windowOf();
    expect(end1 - start1).toBeCloseTo((end0 - start0) / 2, -3);
    await page.locator('svg.coverage').hover();
    await page.mouse.wheel(0, -300);
    await expect
      .poll(async () => (await windowOf())[1] - (await windowOf())[0])
      .toBeLessThan(end1 - start1);
    await page.getByRole('button', { name: 'Reset' }).click();
    expect(await windowOf()).toEqual([start0, end0]);

    // Run the interval again: only the gap is computed, and the map is whole.
    await page.click('button[data-action="run"]');
    await expect
      .poll(() => page.locator('.action-status').textContent())
      .toMatch(/Session \S+ completed: 20 pieces/);
    expect(dialogs[1]).toContain(
      'Run workflow "tutorial_05" over (2005-01-01T00:00:00Z, 2006-01-01T00:00:00Z]',
    );
    await expect.poll(() => page.locator('svg.coverage rect.gap').count()).toBe(0);
    expect(await page.locator('p.legend').first().textContent()).toContain('no gaps');
    // The re-computed year is now attributed to the new session.
    const [rerun] = await engine.sessions.list({ workflow: 'tutorial_05', limit: 1 });
    const row = page.locator('svg.coverage g.row').first();
    const rowBox = (await row.boundingBox())!;
    const svgWindow = await windowOf();
    const at = Date.parse('2005-07-01T00:00:00Z');
    const track = (await row.locator('rect.track').boundingBox())!;
    const x = track.x + ((at - svgWindow[0]) / (svgWindow[1] - svgWindow[0])) * track.width;
    await page.mouse.move(x, rowBox.y + rowBox.height / 2);
    await expect.poll(() => tooltip.textContent()).toContain(`session ${rerun!.id}`);
    await screenshot(page, 'coverage-filled');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('lists sessions and shows online services live', async () => {
    const { page, problems } = await browser.newPage();
    await open(page, ui, '/sessions');
    const sessions = await engine.sessions.list({});
    expect(await page.locator('table.sessions tr[data-session]').count()).toBe(sessions.length);
    const first = page.locator(`tr[data-session="${sessions[0]!.id}"]`);
    expect(await first.getAttribute('data-status')).toBe('completed');
    expect(await first.locator(':scope > td.num').first().textContent()).toBe(
      String(sessions[0]!.pieces.length),
    );
    expect(await page.locator('.notice', { hasText: 'No online services' }).count()).toBe(1);
    // No queue is configured for this view, and the page says so.
    expect(await page.locator('.queue').getAttribute('data-queue')).toBe('none');
    expect(await page.locator('.queue').textContent()).toContain('No job queue configured');
    await expect.poll(() => page.locator('.live').getAttribute('data-live')).toBe('open');
    // A service appears, then fails: the page follows without a reload.
    const paths = servicePaths(stateDir, 'ingest');
    const status = (state: 'running' | 'failed', lastError?: string): OnlineStatus => ({
      name: 'ingest',
      active: state === 'running',
      status: state,
      started: '2026-01-01T00:00:00.000Z',
      stopped: undefined,
      pid: process.pid,
      iterations: state === 'running' ? 3 : 4,
      lastRun: '2026-01-01T00:00:30.000Z',
      lastError,
      failedPieces: [],
      memory: { rss: 0, heapUsed: 0 },
      workflows: [],
      current: undefined,
    });
    await writeServiceState(paths, status('running'));
    const service = page.locator('tr[data-service="ingest"]');
    await expect.poll(() => service.count(), { timeout: 10_000 }).toBe(1);
    await writeServiceState(paths, status('failed', 'disk full'));
    await expect
      .poll(() => service.getAttribute('data-status'), { timeout: 10_000 })
      .toBe('failed');
    expect(await service.locator('td.error-text').textContent()).toBe('disk full');
    const factors = page.locator(`tr[data-factors-of="${sessions[0]!.id}"]`);
    expect(await factors.isVisible()).toBe(false);
    await page.locator(`tr[data-session="${sessions[0]!.id}"] button.toggle`).click();
    expect(await factors.isVisible()).toBe(true);
    expect(await factors.locator('table.factors tbody tr').count()).toBe(
      sessions[0]!.factors.length,
    );
    await screenshot(page, 'sessions');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('ranges to recompute on the coverage map', () => {
  let data: LateData;
  let ui: UiServer;

  beforeAll(async () => {
    data = await lateDataEngine();
    ui = await startUi(data.engine, { port: 0 });
  });
  afterAll(async () => {
    await ui?.close();
    await data?.engine.close();
  });

  it('draws invalidated and stale ranges in their own legended colours, and says why on hover', async () => {
    const { page, problems } = await browser.newPage();
    await open(page, ui, '/coverage/chain/b');
    const invalidated = page.locator('svg.coverage rect.invalidated');
    expect(await invalidated.count()).toBe(1);
    expect([
      await invalidated.getAttribute('data-start'),
      await invalidated.getAttribute('data-end'),
    ]).toEqual([String(5 * HOUR - 1), String(7 * HOUR)]);
    expect(await page.locator('svg.coverage rect.calculated').count()).toBe(2);
    const legend = page.locator('p.legend').nth(1);
    expect(await legend.locator('.swatch.invalidated').count()).toBe(1);
    expect(await legend.locator('.swatch.stale').count()).toBe(1);
    expect(await legend.textContent()).toContain('invalidated (late data: to recompute)');
    expect(await page.locator('p.legend').first().textContent()).toContain('1 range invalidated');
    // Distinct colours: calculated, invalidated, stale and gap each have their own fill.
    const fill = async (selector: string): Promise<string> =>
      await page
        .locator(selector)
        .first()
        .evaluate(
          (el) =>
            (
              globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
            ).getComputedStyle(el).backgroundColor,
        );
    const colours = await Promise.all(
      ['calculated', 'gap', 'invalidated', 'stale'].map((c) => fill(`p.legend .swatch.${c}`)),
    );
    expect(new Set(colours).size).toBe(4);
    await invalidated.hover();
    const tooltip = page.locator('.tooltip');
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    const text = await tooltip.textContent();
    expect(text).toContain('invalidated (1970-01-01 04:59:59.999Z, 1970-01-01 07:00Z]');
    expect(text).toContain(`computed by session ${data.session.id}`);
    expect(text).toContain('(late data)');
    await screenshot(page, 'coverage-invalidated');

    // The same stream under a changed definition of its producer: what the old one computed is stale.
    await open(page, ui, '/coverage/chain_v2/a');
    const stale = page.locator('svg.coverage rect.stale');
    expect(await stale.count()).toBe(2);
    expect(await page.locator('svg.coverage rect.invalidated').count()).toBe(1);
    expect(await page.locator('svg.coverage rect.calculated').count()).toBe(0);
    await stale.first().hover();
    await expect
      .poll(() => tooltip.textContent())
      .toContain('stale (1970-01-01, 1970-01-01 04:59:59.999Z]');
    expect(await tooltip.textContent()).toContain(
      `computed by factor ${data.producer} (test_scale@1.0.0`,
    );
    expect(await tooltip.textContent()).toContain(`${data.producerV2} has fingerprint`);
    await screenshot(page, 'coverage-stale');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('queue workers on the sessions page', () => {
  const redisUrl = inject('redisUrl');
  const queue = `ui_browser_${randomUUID().slice(0, 8)}`;
  let engine: Engine;
  let ui: UiServer;

  beforeAll(async () => {
    engine = await Engine.create();
    ui = await startUi(engine, {
      port: 0,
      queue: { connection: redisUrl, queue },
      pollIntervalMs: 200,
    });
  });
  afterAll(async () => {
    await ui?.close();
    await engine?.close();
  });

  it('shows a real worker live: it appears when it starts and leaves when it stops', async () => {
    const { page, problems } = await browser.newPage();
    await open(page, ui, '/sessions');
    const box = page.locator('.queue');
    await expect.poll(() => box.getAttribute('data-queue')).toBe('open');
    expect(await box.textContent()).toContain('No worker has sent a heartbeat lately');
    expect(await page.locator('.queue-counts').textContent()).toContain(`queue ${queue} on`);
    const worker = await startWorker({
      engine,
      connection: redisUrl,
      queue,
      name: 'browser-worker',
      concurrency: 3,
      heartbeatInterval: 200,
    });
    try {
      const row = page.locator('tr[data-worker="browser-worker"]');
      await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
      expect(await row.getAttribute('data-status')).toBe('running');
      const cells = await row.locator('td').allTextContents();
      expect(cells[2]).toBe(`${hostname()} / ${String(process.pid)}`);
      expect(cells[3]).toBe('3');
      expect(cells[5]).toMatch(/ ago$/);
      await screenshot(page, 'sessions-queue');
    } finally {
      await worker.close({ timeout: 1000 });
    }
    await expect
      .poll(() => page.locator('tr[data-worker="browser-worker"]').count(), { timeout: 10_000 })
      .toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('hyperstream ui over the SQLite file of earlier commands', () => {
  const T0 = Date.parse('2026-01-01T00:00:00Z');
  const MINUTE = 60_000;
  let project: { dir: string; remove(): Promise<void> };
  let ui: CliUi | undefined;
  let ran: { session: string; documents: number };

  beforeAll(async () => {
    // Two commands in their own processes (a run, then a purge of its middle), then the view.
    project = await makeProject({}, null);
    const run = (...args: string[]) => cli(args, { cwd: project.dir });
    ran = json(await run('run', 'ticker', '--interval', '2026-01-01T00:00:00Z/PT1H', '--json'));
    const purged = await run(
      'purge',
      'doubled',
      '--from',
      new Date(T0 + 20 * MINUTE).toISOString(),
      '--to',
      new Date(T0 + 40 * MINUTE).toISOString(),
    );
    expect(purged.code, purged.stderr).toBe(0);
    ui = await startCliUi([], { cwd: project.dir });
  }, 120_000);
  afterAll(async () => {
    await ui?.stop();
    await project?.remove();
  });

  it('shows the stored run and the purged gap', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(`${ui!.url}#/sessions`);
    await page.waitForSelector('body[data-ready="true"]');
    const row = page.locator(`tr[data-session="${ran.session}"]`);
    expect(await row.getAttribute('data-status')).toBe('completed');
    expect(await row.locator(':scope > td.num').nth(1).textContent()).toBe(
      ran.documents.toLocaleString('en'),
    );
    await page.goto(`${ui!.url}#/coverage/ticker/doubled`);
    await page.waitForSelector('body[data-ready="true"]');
    await expect.poll(() => page.locator('svg.coverage rect.calculated').count()).toBe(2);
    const gap = page.locator('svg.coverage rect.gap');
    expect(await gap.count()).toBe(1);
    expect([await gap.getAttribute('data-start'), await gap.getAttribute('data-end')]).toEqual([
      String(T0 + 20 * MINUTE),
      String(T0 + 40 * MINUTE),
    ]);
    await screenshot(page, 'cli-sqlite-coverage');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('the 3,000,000 flights', () => {
  let engine: Engine;
  let ui: UiServer;
  let count: number;

  beforeAll(async () => {
    const { flights } = await loadFlights();
    count = flights.count;
    engine = await Engine.create();
    const memory = engine.channels.get('memory');
    const all = flightInstances(flights);
    for (let i = 0; i < all.length; i += 200_000)
      await memory.writeInstances('flights', all.slice(i, i + 200_000));
    await memory.addCalculatedIntervals(
      'flights',
      TimeInterval.of('2001-01-01T00:00:00Z', '2001-07-01T00:00:00Z'),
    );
    ui = await startUi(engine, { port: 0 });
  }, 300_000);
  afterAll(async () => {
    await ui?.close();
    await engine?.close();
  });

  it('plots the delay of every flight with at most 5,000 points delivered, and zooms in for detail', async () => {
    const { page, problems } = await browser.newPage();
    expect(count).toBe(3_000_000);
    const response = page.waitForResponse((r) => r.url().includes('/api/stream/values'));
    const started = Date.now();
    await open(page, ui, '/plot?channel=memory&stream=flights&field=delay');
    const values = (await (await response).json()) as {
      timestamps: number[];
      values: (number | null)[];
      numeric: number;
      count: number;
      downsampled: boolean;
      min: number;
      max: number;
      elapsedMs: number;
    };
    const holder = page.locator('.plot[data-render-ms]');
    await holder.waitFor();
    const wall = Date.now() - started;
    expect(values.count).toBe(3_000_000);
    expect(values.numeric).toBe(3_000_000);
    expect(values.downsampled).toBe(true);
    expect(values.timestamps.length).toBeGreaterThan(500);
    expect(values.timestamps.length).toBeLessThanOrEqual(5000);
    // The extremes of all 3M delays are among the points drawn.
    expect(values.values).toContain(values.min);
    expect(values.values).toContain(values.max);
    expect(Number(await holder.getAttribute('data-points'))).toBe(values.timestamps.length);
    expect(await page.locator('.plot canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('select[name="field"]').inputValue()).toBe('delay');
    expect(await page.locator('.plot-stats').textContent()).toContain('over 3,000,000 values');
    const renderMs = Number(await holder.getAttribute('data-render-ms'));
    await mkdir(ARTIFACTS, { recursive: true });
    await writeFile(
      join(ARTIFACTS, 'flights-plot-timing.json'),
      JSON.stringify(
        {
          loadAverage: loadavg()[0],
          cores: cpus().length,
          serverMs: values.elapsedMs,
          fetchToDrawnMs: renderMs,
          navigationToDrawnMs: wall,
          points: values.timestamps.length,
        },
        null,
        2,
      ),
    );
    // Speed is a figure, not an assertion (timed tests fail on a busy machine): the timings are
    // written above for the notes; what is asserted is that at most 5,000 points travel.
    await screenshot(page, 'plot-flights');

    // Drag across a tenth of the plot: a narrower window is fetched, still bounded.
    const zoomed = page.waitForResponse(
      (r) => r.url().includes('/api/stream/values') && r.url().includes('from='),
    );
    const over = (await page.locator('.plot .u-over').boundingBox())!;
    await page.mouse.move(over.x + over.width * 0.45, over.y + over.height / 2);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width * 0.55, over.y + over.height / 2, { steps: 5 });
    await page.mouse.up();
    const detail = (await (await zoomed).json()) as {
      timestamps: number[];
      numeric: number;
      window: { start: number; end: number };
    };
    expect(detail.numeric).toBeGreaterThan(100_000);
    expect(detail.numeric).toBeLessThan(600_000);
    expect(detail.timestamps.length).toBeLessThanOrEqual(5000);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('hostile names and values', () => {
  const EVIL = '<img src=x onerror=alert(1)>';
  const EVIL_PLATE = '<svg onload=alert(2)>';
  const EVIL_KEY = '<script>alert(3)</script>';
  const EVIL_ERROR = '<img src=y onerror=alert(4)>';
  let engine: Engine;
  let ui: UiServer;

  const ticks = defineTool({
    name: 'ticks',
    version: '1.0.0',
    kind: 'tool',
    params: z.strictObject({}),
    async *execute({ interval }) {
      for (let t = Math.floor(interval.start / 1000) * 1000 + 1000; t <= interval.end; t += 1000) {
        yield { timestamp: t, value: { [EVIL_KEY]: t % 7, label: EVIL } };
      }
    },
  });
  const broken = defineTool({
    name: 'broken',
    version: '1.0.0',
    kind: 'tool',
    params: z.strictObject({}),
    async *execute() {
      yield* [];
      throw new Error(EVIL_ERROR);
    },
  });

  beforeAll(async () => {
    engine = await Engine.create({ tools: new MemoryToolSource([ticks, broken]) });
    await engine.plates.ensureMetaData([], 'site', EVIL_PLATE);
    await engine.plates.ensureMetaData([], 'site', 'plain');
    await engine.plates.createPlate({ id: 'P', metaKey: 'site', description: EVIL });
    const w = engine.workflow(EVIL, { description: EVIL });
    w.factor({ tool: ticks.create({}), sink: w.node(EVIL, { plates: ['P'] }), id: EVIL });
    await w.execute('1970-01-01T00:00:00Z/PT1M');
    const failing = engine.workflow('failing');
    failing.factor({ tool: broken.create({}), sink: failing.node('never') });
    await failing.execute('1970-01-01T00:00:00Z/PT1M').catch(() => undefined);
    ui = await startUi(engine, { port: 0 });
  });
  afterAll(async () => {
    await ui?.close();
    await engine?.close();
  });

  it('shows them as text on every page: nothing is parsed as markup, no script runs', async () => {
    const { page, problems } = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const id = encodeURIComponent(EVIL);
    const stream = `${EVIL.replace(/=/g, '%3D')}[site=${EVIL_PLATE.replace(/=/g, '%3D')}]`;
    const routes = [
      '/',
      `/workflows/${id}/${id}`,
      `/coverage/${id}/${id}`,
      `/plot?name=${id}`,
      `/plot?channel=memory&stream=${encodeURIComponent(stream)}`,
      '/sessions',
    ];
    const texts: string[] = [];
    for (const route of routes) {
      await open(page, ui, route);
      await page.waitForTimeout(200);
      expect([route, await handlerAttributes(page)]).toEqual([route, []]);
      expect(
        await page.locator('img, script:not([src]), main svg svg, foreignObject').count(),
      ).toBe(0);
      texts.push(await page.locator('main').innerText());
      if (route.startsWith('/plot?channel')) {
        // The field named like a script is an option's text; choosing it plots its values.
        expect(await page.locator('select[name="field"] option').allTextContents()).toContain(
          EVIL_KEY,
        );
      }
    }
    const all = texts.join('\n');
    expect(all).toContain(EVIL);
    expect(all).toContain(EVIL_PLATE);
    expect(all).toContain(EVIL_ERROR);
    expect(await page.title()).toBe('hyperstream');
    expect(dialogs).toEqual([]);
    await open(page, ui, `/workflows/${id}/${id}`);
    await page.waitForSelector('.details table.streams');
    await screenshot(page, 'escaping');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
