import { parseArgs } from 'node:util';
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
  json: { type: 'boolean', description: 'print JSON instead of text' },
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

/** Parses `argv` (after the command words) against the command's options; usage errors name the fix. */
export function parseCommandArgs(
  command: Command,
  argv: readonly string[],
): { readonly args: unknown; readonly globals: GlobalArgs; readonly help: boolean } {
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinDashValues(argv, options),
      options: Object.fromEntries(
        Object.entries(options).map(([name, spec]) => [
          name,
          {
            type: spec.type,
            ...('short' in spec && spec.short !== undefined ? { short: spec.short } : {}),
            ...('multiple' in spec && spec.multiple ? { multiple: true } : {}),
          },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new InvalidArgumentError(
      `${lowerFirst((error as Error).message.replace(/\.$/, '').split('. ')[0]!)}; see "hyperstream ${command.name} --help"`,
      { command: command.name },
    );
  }
  const values = parsed.values as Record<string, unknown>;
  const globals: GlobalArgs = {
    config: values.config as string | undefined,
    json: values.json === true,
  };
  if (values.help === true) return { args: undefined, globals, help: true };
  const input: Record<string, unknown> = { positionals: parsed.positionals };
  for (const name of Object.keys(command.options ?? {})) {
    if (values[name] !== undefined) input[name] = values[name];
  }
  const result = command.schema.safeParse(input, { reportInput: true });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => describeArgIssue(command, issue));
    throw new InvalidArgumentError(`${problems.join('; ')}; usage: hyperstream ${command.usage}`, {
      command: command.name,
      issues: problems,
    });
  }
  return { args: result.data, globals, help: false };
}

/**
 * `--interval -P1D/now` means the value "-P1D/now", which parseArgs would take for an option:
 * a token after a string option that is not itself one of the options is joined to it.
 */
function joinDashValues(
  argv: readonly string[],
  options: Readonly<Record<string, OptionSpec>>,
): string[] {
  const strings = new Set<string>();
  const known = new Set<string>();
  for (const [name, spec] of Object.entries(options)) {
    known.add(`--${name}`);
    if (spec.short) known.add(`-${spec.short}`);
    if (spec.type === 'string') {
      strings.add(`--${name}`);
      if (spec.short) strings.add(`-${spec.short}`);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    const next = argv[i + 1];
    if (
      strings.has(token) &&
      next !== undefined &&
      next.startsWith('-') &&
      !known.has(next.split('=')[0]!)
    ) {
      out.push(`${token.startsWith('--') ? token : `--${shortToLong(token, options)}`}=${next}`);
      i += 1;
    } else {
      out.push(token);
    }
  }
  return out;
}

function shortToLong(token: string, options: Readonly<Record<string, OptionSpec>>): string {
  return Object.entries(options).find(([, spec]) => `-${spec.short ?? ''}` === token)![0];
}

/** The help text of a command. */
export function commandHelp(command: Command): string {
  const lines = [`Usage: hyperstream ${command.usage}`, '', command.summary];
  if (command.positionals?.length) {
    lines.push('', 'Arguments:');
    for (const p of command.positionals) lines.push(`  ${p.name.padEnd(24)}${p.description}`);
  }
  const options = { ...command.options, ...GLOBAL_OPTIONS };
  lines.push('', 'Options:');
  for (const [name, spec] of Object.entries(options)) {
    const short = 'short' in spec && spec.short ? `-${spec.short}, ` : '    ';
    const flag = `${short}--${name}${'value' in spec && spec.value ? ` ${spec.value}` : ''}`;
    lines.push(`  ${flag.padEnd(24)}${spec.description}`);
  }
  if (command.details) lines.push('', command.details);
  return lines.join('\n');
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
