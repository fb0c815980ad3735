import { z } from 'zod';
import { InvalidArgumentError } from '../errors.js';
import type { Output } from './output.js';
import type { Workspace } from './workspace.js';

/** One `--option` of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** Shown in help, e.g. `<time>`. */
  readonly value?: string;
  readonly description: string;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  config: {
    type: 'string',
    short: 'c',
    value: '<file>',
    description: 'config file (default: hyperstream.config.* here, or $HYPERSTREAM_CONFIG)',
  },
  json: {
    type: 'boolean',
    description: 'print JSON instead of text (JSON lines of progress and errors on stderr)',
  },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies Record<string, OptionSpec>;

/** The options every command receives, parsed. */
export interface GlobalArgs {
  readonly config: string | undefined;
  readonly json: boolean;
}

/** What a command runs with. */
export interface CommandContext {
  readonly output: Output;
  readonly globals: GlobalArgs;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The configuration and an engine built from it (opened on first use, closed by main). */
  workspace(): Promise<Workspace>;
  /** The command line that re-runs this CLI (node, its flags and the entry file), for `--detach`. */
  readonly self: { readonly command: string; readonly args: readonly string[] };
  /** The arguments this CLI was called with (after `hyperstream`). */
  readonly argv: readonly string[];
}

/** A command: its help, its arguments (checked with zod) and what it does. */
export interface Command<A = unknown> {
  /** Words that select it, e.g. `stream show`. */
  readonly name: string;
  readonly summary: string;
  /** The synopsis after `hyperstream`, e.g. `stream show <stream> --from <t> --to <t>`. */
  readonly usage: string;
  readonly positionals?: readonly { readonly name: string; readonly description: string }[];
  readonly options?: Readonly<Record<string, OptionSpec>>;
  /** Extra help text (examples). */
  readonly details?: string;
  /** Validates `{ positionals, ...options }`; its output is what `run` gets. */
  readonly schema: z.ZodType<A>;
  /** Returns the exit code (default 0). */
  run(args: A, context: CommandContext): Promise<number | void>;
}

/** Gives `run` the type of the schema's output. */
export function defineCommand<S extends z.ZodType>(
  command: Omit<Command<z.output<S>>, 'schema'> & { readonly schema: S },
): Command {
  return command;
}

/** Checks a command's arguments (`{ positionals, ...options }`) with its zod schema; usage errors name the fix. */
export function checkCommandArgs(command: Command, input: Record<string, unknown>): unknown {
  const result = command.schema.safeParse(input, { reportInput: true });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => describeArgIssue(command, issue));
    throw new InvalidArgumentError(`${problems.join('; ')}; usage: hyperstream ${command.usage}`, {
      command: command.name,
      issues: problems,
    });
  }
  return result.data;
}

function describeArgIssue(command: Command, issue: z.core.$ZodIssue): string {
  const [first, index] = issue.path;
  let where: string;
  if (first === 'positionals') {
    // Messages about the list as a whole (missing, extra) are complete sentences already.
    if (typeof index !== 'number') return issue.message;
    where = `argument ${command.positionals?.[index]?.name ?? `#${String(index + 1)}`}`;
  } else if (first === undefined) {
    where = 'arguments';
  } else {
    where = `option --${String(first)}`;
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  return `${where}: ${lowerFirst(message)}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

// Reusable argument schemas.

/** A positive integer given as text. */
export const positiveInt = z
  .string()
  .regex(/^\d+$/, { message: 'expected a positive integer' })
  .transform(Number)
  .refine((n) => n > 0, { message: 'expected a positive integer' });

/** Positionals: exactly these names, in order. */
export function positionals<const N extends readonly string[]>(...names: N) {
  return z
    .array(z.string())
    .refine((list) => list.length <= names.length, {
      message: `unexpected extra argument${names.length === 0 ? '' : ` after ${names.map((n) => `<${n}>`).join(' ')}`}`,
    })
    .refine((list) => list.length >= names.length, {
      message: `missing argument ${names.map((n) => `<${n}>`).join(' ')}`,
    })
    .transform((list) => list as unknown as { readonly [K in keyof N]: string });
}
