import { readFileSync } from 'node:fs';
import { HyperstreamUsageError, InvalidArgumentError, isHyperstreamError } from '../errors.js';
import type { Command, CommandContext, GlobalArgs } from './args.js';
import { commandHelp, parseCommandArgs } from './args.js';
import { COMMANDS } from './commands/index.js';
import type { TextSink } from './output.js';
import { Output } from './output.js';
import type { Workspace } from './workspace.js';
import { openWorkspace } from './workspace.js';

/** Exit codes: 0 done, 1 runtime failure, 2 usage error (bad arguments or config). */
export const EXIT = { ok: 0, runtime: 1, usage: 2 } as const;

/** Where the CLI reads and writes; the process's own by default. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** How to re-run this CLI in another process (for `online start --detach`). */
  readonly self: { readonly command: string; readonly args: readonly string[] };
}

/**
 * Runs `hyperstream <argv>`: finds the command, parses and checks its arguments, runs it, and
 * returns the exit code. Errors are printed here, never thrown.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  let output = new Output({ json, stdout: io.stdout, stderr: io.stderr });
  let workspace: Promise<Workspace> | undefined;
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      (argv.length === 0 ? output.note.bind(output) : output.line.bind(output))(generalHelp());
      return argv.length === 0 ? EXIT.usage : EXIT.ok;
    }
    if (argv[0] === '--version' || argv[0] === '-V') {
      output.line(version());
      return EXIT.ok;
    }
    const group = groupHelp(argv);
    if (group !== undefined) {
      output.line(group);
      return EXIT.ok;
    }
    const { command, rest } = findCommand(argv);
    const parsed = parseCommandArgs(command, rest);
    if (parsed.help) {
      output.line(commandHelp(command));
      return EXIT.ok;
    }
    const globals: GlobalArgs = parsed.globals;
    output = new Output({ json: globals.json, stdout: io.stdout, stderr: io.stderr });
    const context: CommandContext = {
      output,
      globals,
      cwd: io.cwd,
      env: io.env,
      self: io.self,
      argv,
      workspace: () =>
        (workspace ??= openWorkspace({
          ...(globals.config === undefined ? {} : { configPath: globals.config }),
          cwd: io.cwd,
          env: io.env,
        })),
    };
    return (await command.run(parsed.args, context)) ?? EXIT.ok;
  } catch (error) {
    return reportError(error, output, io.stderr);
  } finally {
    if (workspace) await (await workspace.catch(() => undefined))?.close();
  }
}

function findCommand(argv: readonly string[]): { command: Command; rest: readonly string[] } {
  const words = argv.slice(0, 2).filter((w) => !w.startsWith('-'));
  for (const count of [2, 1]) {
    if (words.length < count) continue;
    const name = words.slice(0, count).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(count) };
  }
  const group = COMMANDS.filter((c) => c.name.startsWith(`${words[0] ?? ''} `));
  if (group.length) {
    const sub = words[1];
    throw new InvalidArgumentError(
      `${sub === undefined ? 'missing' : `unknown`} subcommand${sub === undefined ? '' : ` "${sub}"`} of "${words[0]!}": expected one of ${group
        .map((c) => c.name.split(' ')[1]!)
        .join(', ')}; see "hyperstream --help"`,
    );
  }
  throw new InvalidArgumentError(
    `unknown command "${argv[0]!}": expected one of ${[...new Set(COMMANDS.map((c) => c.name.split(' ')[0]!))].join(', ')}; see "hyperstream --help"`,
  );
}

/** `hyperstream workflows --help`: the subcommands of a group. */
function groupHelp(argv: readonly string[]): string | undefined {
  const [group, next] = argv;
  if (next !== '--help' && next !== '-h') return undefined;
  const members = COMMANDS.filter((c) => c.name.startsWith(`${group ?? ''} `));
  if (members.length === 0) return undefined;
  return [
    `Usage: hyperstream ${group!} <${members.map((c) => c.name.split(' ')[1]!).join('|')}> [options]`,
    '',
    ...members.map((c) => `  ${c.name.padEnd(20)}${brief(c.summary)}`),
    '',
    `Run "hyperstream ${group!} <subcommand> --help" for its options.`,
  ].join('\n');
}

function brief(summary: string): string {
  return summary.split(/\. |: |; /)[0]!.replace(/\.$/, '');
}

function reportError(error: unknown, output: Output, stderr: TextSink): number {
  if (isHyperstreamError(error)) {
    const usage = error instanceof HyperstreamUsageError;
    if (output.json) {
      stderr.write(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
    } else {
      stderr.write(`error [${error.code}]: ${error.message}\n`);
    }
    return usage ? EXIT.usage : EXIT.runtime;
  }
  // Not one of ours: a bug somewhere; the stack helps whoever fixes it.
  stderr.write(
    `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return EXIT.runtime;
}

function generalHelp(): string {
  const lines = ['Usage: hyperstream <command> [options]', '', 'Commands:'];
  for (const command of COMMANDS) {
    lines.push(`  ${command.name.padEnd(20)}${brief(command.summary)}`);
  }
  lines.push(
    '',
    'Global options: --config <file>, --json, --help (on every command)',
    'Exit codes: 0 done, 1 runtime error, 2 usage error (bad arguments or config)',
    'Environment: HYPERSTREAM_CONFIG (config file), MONGODB_URI (storage)',
  );
  return lines.join('\n');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
