import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './run-cli.js';

function sh(command: string, args: readonly string[], cwd: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        stdout,
        stderr,
      });
    });
  });
}

describe('the command README gives for a checkout', () => {
  it('npm run hyperstream -- <command> runs the CLI from source', async () => {
    const result = await sh('npm', ['run', '--silent', 'hyperstream', '--', '--version'], ROOT);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
