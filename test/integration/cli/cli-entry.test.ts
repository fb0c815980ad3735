import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN, ROOT, TSX, cli } from './run-cli.js';

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

describe('command-line parsing (commander)', () => {
  it('takes global options before the command too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hs-cli-global-'));
    try {
      const config = join(dir, 'x.json');
      await writeFile(config, JSON.stringify({}));
      const [before, after, short] = await Promise.all([
        cli(['--config', config, 'workflows', 'list', '--json'], { cwd: '/' }),
        cli(['workflows', 'list', '--config', config, '--json'], { cwd: '/' }),
        cli(['--json', '-c', config, 'channels', 'list'], { cwd: '/' }),
      ]);
      expect(before.code, before.stderr).toBe(0);
      expect(JSON.parse(before.stdout)).toEqual([]);
      expect(after.stdout).toBe(before.stdout);
      expect(short.code, short.stderr).toBe(0);
      expect(JSON.parse(short.stdout)).toContainEqual(expect.objectContaining({ id: 'tools' }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a repeated single-value option and suggests close option and command names', async () => {
    const [twice, misspelt, command, sub] = await Promise.all([
      cli(['run', 'w', '--interval', '-P1D/now', '--interval', '-P2D/now'], { cwd: ROOT }),
      cli(['run', 'w', '--intervl', '-P1D/now'], { cwd: ROOT }),
      cli(['worflows', 'list'], { cwd: ROOT }),
      cli(['workflows', 'lsit'], { cwd: ROOT }),
    ]);
    for (const r of [twice, misspelt, command, sub]) expect(r.code, r.stderr).toBe(2);
    expect(twice.stderr).toBe(
      'error [INVALID_ARGUMENT]: option --interval is given twice ("-P1D/now" and "-P2D/now"): give it once\n',
    );
    expect(misspelt.stderr).toContain("unknown option '--intervl'; did you mean --interval?");
    expect(command.stderr).toContain('unknown command "worflows"');
    expect(command.stderr).toContain('did you mean "workflows"?');
    expect(sub.stderr).toContain('did you mean "list"?');
  });

  it('lists --version in the help and keeps help inside its columns', async () => {
    const [help, runHelp] = await Promise.all([
      cli(['--help'], { cwd: ROOT }),
      cli(['run', '--help'], { cwd: ROOT }),
    ]);
    expect(help.stdout).toMatch(/-V, --version +print the version/);
    expect(runHelp.stdout).toMatch(/--interval <interval> +instead of --from\/--to/);
    for (const line of [...help.stdout.split('\n'), ...runHelp.stdout.split('\n')]) {
      if (!line.startsWith('Usage:')) expect(line.length, line).toBeLessThanOrEqual(100);
    }
  });

  it('prints a bash completion script that completes commands, subcommands and options', async () => {
    const [bash, zsh, bad] = await Promise.all([
      cli(['completion', 'bash'], { cwd: ROOT }),
      cli(['completion', 'zsh'], { cwd: ROOT }),
      cli(['completion', 'fish'], { cwd: ROOT }),
    ]);
    expect(bash.code, bash.stderr).toBe(0);
    expect(bash.stdout).toContain('complete -o default -F _hyperstream_completion hyperstream');
    expect(zsh.stdout).toMatch(
      /^# hyperstream shell completion.*\nautoload -U \+X bashcompinit && bashcompinit\n/,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected bash or zsh');
    const script = join(await mkdtemp(join(tmpdir(), 'hs-completion-')), 'completion.bash');
    await writeFile(script, bash.stdout);
    const complete = async (...words: string[]): Promise<string[]> => {
      const line = ['hyperstream', ...words];
      const result = await sh(
        'bash',
        [
          '-c',
          `source ${script}; COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${String(line.length - 1)}; _hyperstream_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        ROOT,
      );
      expect(result.code, result.stderr).toBe(0);
      return result.stdout.split('\n').filter(Boolean);
    };
    expect(await complete('onl')).toEqual(['online']);
    expect(await complete('online', 'st')).toEqual(['start', 'stop', 'status']);
    expect(await complete('run', 'ticker', '--in')).toEqual(['--interval']);
    expect(await complete('--config', 'x.json', 'workflows', 'v')).toEqual(['validate']);
  });
});

describe('a closed stdout', () => {
  it('ends the command quietly (hyperstream tools list | head -1), every time', async () => {
    const cli = `${process.execPath} --import ${TSX} ${MAIN}`;
    const runs = await Promise.all([
      ...Array.from({ length: 3 }, () =>
        sh('bash', ['-c', `set -o pipefail; ${cli} tools list | head -1`], ROOT),
      ),
      // A reader that is gone before the first write: EPIPE on every write.
      ...Array.from({ length: 3 }, () =>
        sh('bash', ['-c', `set -o pipefail; ${cli} tools list | true`], ROOT),
      ),
    ]);
    for (const run of runs) {
      expect(run.stderr).not.toContain('EPIPE');
      expect(run.code, run.stderr).toBe(0);
    }
    expect(runs[0]!.stdout).toMatch(/^NAME +/);
  });
});
