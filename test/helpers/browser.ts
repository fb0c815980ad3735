// A real browser for the web view's tests: Debian's Chromium (found, or installed with apt-get when
// running as root, as CI does), started here in its own process group with a fresh profile and
// driven over CDP by playwright-core. No browser is downloaded by npm. `close()` always kills the
// whole process group, so a failing test never leaves a browser behind.
import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

const execFileAsync = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where tests put screenshots (git-ignored). */
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/ui');

/**
 * Flags for this machine: no sandbox (root in a container), no GPU, and no background
 * connections (the closed network refuses them, which otherwise stalls start-up).
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--hide-scrollbars',
];

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium binary: found, or installed with `apt-get install -y chromium` when root. */
export async function findOrInstallChromium(): Promise<string> {
  if (await executable(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  const apt = (args: string[]) =>
    execFileAsync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 900_000,
    });
  await apt(['install', '-y', '-q', 'chromium']).catch(async () => {
    await apt(['update', '-q']);
    await apt(['install', '-y', '-q', 'chromium']);
  });
  if (!(await executable(CHROMIUM))) {
    throw new Error(`apt-get install chromium finished but ${CHROMIUM} is not there`);
  }
  return CHROMIUM;
}

/** A browser started by {@link launchBrowser}. */
export interface TestBrowser {
  readonly browser: Browser;
  /** A new page (its own context) at 1280×800 that records console errors and failed requests. */
  newPage(): Promise<{ page: Page; problems: string[] }>;
  /** Closes the browser and kills its process group (also when it no longer answers). */
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child);
});

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Starts Chromium with a fresh profile and connects playwright to it. */
export async function launchBrowser(): Promise<TestBrowser> {
  const path = await findOrInstallChromium();
  const profile = await mkdtemp(join(tmpdir(), 'hs-ui-chromium-'));
  const child = spawn(
    path,
    [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  const kill = async (): Promise<void> => {
    killGroup(child);
    running.delete(child);
    await rm(profile, { recursive: true, force: true });
  };
  let endpoint: string;
  try {
    endpoint = await new Promise<string>((resolveEndpoint, reject) => {
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`Chromium did not start within 30 s:\n${output.slice(-2000)}`)),
        30_000,
      );
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        output += chunk;
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolveEndpoint(match[1]!);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `Chromium exited (${String(code ?? signal)}) before listening:\n${output.slice(-2000)}`,
          ),
        );
      });
    });
  } catch (error) {
    await kill();
    throw error;
  }
  // Keep draining stderr so the browser never blocks on a full pipe.
  child.stderr.resume();
  let browser: Browser;
  try {
    browser = await chromium.connectOverCDP(endpoint, { timeout: 30_000 });
  } catch (error) {
    await kill();
    throw error;
  }
  return {
    browser,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('requestfailed', (request) => {
        const why = request.failure()?.errorText ?? '';
        // Leaving a page aborts its event stream: not a problem.
        if (!why.includes('ERR_ABORTED')) problems.push(`request failed: ${request.url()} ${why}`);
      });
      return { page, problems };
    },
    async close() {
      await Promise.race([
        browser.close().catch(() => undefined),
        new Promise((r) => setTimeout(r, 5000)),
      ]);
      await kill();
    },
  };
}

/** Saves a full-page screenshot under test-artifacts/ui/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
