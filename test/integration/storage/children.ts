// Child processes of the storage tests: spawned with tsx, read line by line, and always killed —
// afterEach kills whatever a test left running, so a failing test never leaves a child behind.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach } from 'vitest';

/** How a child opens the backend under test. */
export type ChildBackendSpec =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'mongodb'; readonly uri: string; readonly database: string };

/** The channel the children write to. */
export const CHILD_CHANNEL = 'shared';

const CHILD_SCRIPT = path.join(import.meta.dirname, 'backend-child.ts');

/** A running child: its lines so far, a way to wait for one, and its exit. */
export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves when the child prints `line`; rejects if it exits first or after 45 s. */
  waitFor(line: string, timeoutMs?: number): Promise<void>;
  send(line: string): void;
  /** Resolves with the exit code (or signal) once the child has exited. */
  readonly exited: Promise<number | NodeJS.Signals>;
  stderr(): string;
}

const running = new Set<ChildProcess>();

/** Registers the afterEach that kills every child a test left running. */
export function useChildren(): void {
  afterEach(async () => {
    const left = [...running];
    running.clear();
    await Promise.all(
      left.map(async (child) => {
        if (child.exitCode === null && child.signalCode === null) {
          const gone = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          await gone;
        }
      }),
    );
  });
}

/** Starts the backend child with an action (see backend-child.ts). */
export function spawnBackendChild(
  spec: ChildBackendSpec,
  action: string,
  ...args: string[]
): Child {
  return spawnChild(process.execPath, [
    '--import',
    'tsx',
    CHILD_SCRIPT,
    JSON.stringify(spec),
    action,
    ...args,
  ]);
}

/** Starts any process, tracked so that afterEach kills it. */
export function spawnChild(command: string, args: readonly string[]): Child {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  const lines: string[] = [];
  const waiters: { line: string; resolve: () => void }[] = [];
  let errors = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.line === line)) waiter.resolve();
  });
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  return {
    process: child,
    pid: child.pid,
    exited,
    stderr: () => errors,
    send: (line) => {
      child.stdin.write(`${line}\n`);
    },
    waitFor: (line, timeoutMs = 45_000) => {
      if (lines.includes(line)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`child did not print "${line}" in ${timeoutMs} ms: ${errors}`)),
          timeoutMs,
        );
        waiters.push({
          line,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`child exited (${String(code)}) before printing "${line}": ${errors}`));
        });
      });
    },
  };
}
