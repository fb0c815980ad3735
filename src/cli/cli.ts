import { readFileSync } from 'node:fs';
import { HyperstreamUsageError, isHyperstreamError } from '../errors.js';
import type { CommandContext } from './args.js';
import { checkCommandArgs } from './args.js';
import { ALL_COMMANDS } from './commands/index.js';
import { parseCommandLine, programHelp } from './program.js';
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
    const line = { version: version(), columns: io.stdout.columns };
    if (argv.length === 0) {
      output.note(programHelp(ALL_COMMANDS, line));
      return EXIT.usage;
    }
    const parsed = parseCommandLine(ALL_COMMANDS, argv, line);
    if (parsed.kind === 'output') {
      output.line(parsed.text);
      return EXIT.ok;
    }
    const { command, globals } = parsed;
    const args = checkCommandArgs(command, parsed.input);
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
    return (await command.run(args, context)) ?? EXIT.ok;
  } catch (error) {
    return reportError(error, output, io.stderr);
  } finally {
    if (workspace) await (await workspace.catch(() => undefined))?.close();
  }
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

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
