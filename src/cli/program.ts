// The command line, parsed by commander: global options anywhere (`hyperstream --config x.json
// workflows list`), "did you mean" for commands and options, a repeated single-value option is an
// error, help wrapped to the terminal width. Each command's own arguments are then checked by its
// zod schema (args.ts), which gives the messages users see.
import { Command as Commander, CommanderError, Help, Option } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import type { Command, OptionSpec } from './args.js';
import { GLOBAL_OPTIONS } from './args.js';

/** What commander found: the command and its raw arguments, or help/version to print. */
export type ParsedLine =
  | {
      readonly kind: 'command';
      readonly command: Command;
      readonly input: Record<string, unknown>;
      readonly globals: { readonly config: string | undefined; readonly json: boolean };
    }
  | { readonly kind: 'output'; readonly text: string };

/**
 * Parses `argv` against `commands`. Usage mistakes throw {@link InvalidArgumentError} naming the
 * fix; `--help` and `--version` give the text to print.
 */
export function parseCommandLine(
  commands: readonly Command[],
  argv: readonly string[],
  options: { readonly version: string; readonly columns?: number | undefined },
): ParsedLine {
  // Only first: "tools describe x --version ^1" is that command's own option.
  if (argv[0] === '--version' || argv[0] === '-V') return { kind: 'output', text: options.version };
  let parsed: ParsedLine | undefined;
  let printed = '';
  const program = buildProgram(
    commands,
    options,
    (found) => {
      parsed = found;
    },
    (text) => {
      printed += text;
    },
  );
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.help' ||
      error.code === 'commander.version'
    ) {
      return { kind: 'output', text: printed.trimEnd() };
    }
    throw usageError(error, argv, commands);
  }
  if (parsed === undefined)
    throw new InvalidArgumentError('no command given; see "hyperstream --help"');
  return parsed;
}

/** The program's help (what `hyperstream --help` prints). */
export function programHelp(
  commands: readonly Command[],
  options: { readonly version: string; readonly columns?: number | undefined },
): string {
  const program = buildProgram(
    commands,
    options,
    () => undefined,
    () => undefined,
  );
  return program.helpInformation().trimEnd();
}

function buildProgram(
  commands: readonly Command[],
  options: { readonly version: string; readonly columns?: number | undefined },
  found: (parsed: ParsedLine) => void,
  print: (text: string) => void,
): Commander {
  const width = Math.max(60, Math.min(options.columns ?? 100, 120));
  const program = new Commander('hyperstream')
    .usage('<command> [options]')
    .description(
      'A time-series stream computation engine. Global options go before or after the command.\n' +
        'Exit codes: 0 done, 1 runtime error, 2 usage error (bad arguments or config), 130 interrupted.\n' +
        'Environment: HYPERSTREAM_CONFIG (config file), MONGODB_URI (storage).',
    )
    .helpOption('-h, --help', 'show help')
    .helpCommand(false)
    .exitOverride()
    .showSuggestionAfterError(true)
    // Set before the subcommands are added: they inherit it. Errors are reported by runCli.
    .configureOutput({ writeOut: print, writeErr: print, outputError: () => undefined })
    .configureHelp({
      helpWidth: width,
      sortSubcommands: false,
      subcommandTerm: (cmd) => cmd.name(),
      // -V/--version is handled before parsing (see parseCommandLine), but belongs in the help.
      visibleOptions(this: Help, cmd: Commander): Option[] {
        const list = Help.prototype.visibleOptions.call(this, cmd);
        return cmd.parent ? list : [VERSION_OPTION, ...list];
      },
    });
  for (const [name, spec] of Object.entries(GLOBAL_OPTIONS)) {
    if (name === 'help') continue;
    program.addOption(toOption(name, spec));
  }
  const groups = new Map<string, Commander>();
  for (const command of commands) {
    const words = command.name.split(' ');
    let parent = program;
    if (words.length === 2) {
      const groupName = words[0]!;
      let group = groups.get(groupName);
      if (group === undefined) {
        const members = commands.filter((c) => c.name.startsWith(`${groupName} `));
        const subs = members.map((c) => c.name.split(' ')[1]!);
        group = program
          .command(groupName)
          .usage(`<${subs.join('|')}> [options]`)
          .description(
            `${members.map((c) => c.name.split(' ')[1]).join(', ')}: see "hyperstream ${groupName} <subcommand> --help"`,
          )
          .summary(subs.join(' | '))
          .helpOption('-h, --help', 'show help')
          .argument('[subcommand]')
          .allowUnknownOption(false)
          .action((sub: string | undefined) => {
            throw new InvalidArgumentError(
              sub === undefined
                ? `missing subcommand of "${groupName}": expected one of ${subs.join(', ')}; see "hyperstream ${groupName} --help"`
                : `unknown subcommand "${sub}" of "${groupName}": expected one of ${subs.join(', ')}${didYouMean(sub, subs)}; see "hyperstream ${groupName} --help"`,
            );
          });
        groups.set(groupName, group);
      }
      parent = group;
    }
    const leaf = parent
      .command(words.at(-1)!)
      .usage(command.usage.split(' ').slice(words.length).join(' '))
      .summary(brief(command.summary))
      .description(command.summary)
      .helpOption('-h, --help', 'show help')
      .argument('[arguments...]')
      .allowExcessArguments(true);
    if (command.positionals?.length) {
      leaf.addHelpText(
        'after',
        `\nArguments:\n${command.positionals.map((p) => `  ${p.name.padEnd(22)}${p.description}`).join('\n')}`,
      );
    }
    for (const [name, spec] of Object.entries(command.options ?? {}))
      leaf.addOption(toOption(name, spec));
    if (command.details) leaf.addHelpText('after', `\n${command.details}`);
    leaf.action((positionals: string[], _opts: unknown, self: Commander) => {
      const all = self.optsWithGlobals<Record<string, unknown>>();
      const input: Record<string, unknown> = { positionals };
      for (const name of Object.keys(command.options ?? {})) {
        const value = all[camel(name)];
        if (value !== undefined) input[name] = value;
      }
      found({
        kind: 'command',
        command,
        input,
        globals: {
          config: typeof all.config === 'string' ? all.config : undefined,
          json: all.json === true,
        },
      });
    });
  }
  return program;
}

const VERSION_OPTION = new Option('-V, --version', 'print the version (first argument only)');

function toOption(name: string, spec: OptionSpec): Option {
  const flags = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${spec.value ?? '<value>'}` : ''}`;
  const option = new Option(flags, spec.description);
  if (spec.type === 'string') {
    option.argParser((value: string, previous: unknown) => {
      if (spec.multiple) return [...((previous as string[] | undefined) ?? []), value];
      if (previous !== undefined) {
        throw new InvalidArgumentError(
          `option --${name} is given twice ("${previous as string}" and "${value}"): give it once`,
          { option: name },
        );
      }
      return value;
    });
  }
  return option;
}

function usageError(
  error: CommanderError,
  argv: readonly string[],
  commands: readonly Command[],
): InvalidArgumentError {
  const text = error.message.replace(/^error: /, '');
  const [first, ...rest] = text.split('\n');
  const hint = rest.join(' ').replace(/^\(Did you mean (.*)\?\)$/, '; did you mean $1?');
  const commandWords = argv.filter((a) => !a.startsWith('-')).slice(0, 2);
  const command =
    commands.find((c) => c.name === commandWords.join(' ')) ??
    commands.find((c) => c.name === commandWords[0]);
  const help = command ? `hyperstream ${command.name} --help` : 'hyperstream --help';
  if (error.code === 'commander.unknownCommand') {
    const name = /unknown command '([^']*)'/.exec(first!)?.[1] ?? '';
    const tops = [...new Set(commands.map((c) => c.name.split(' ')[0]!))];
    return new InvalidArgumentError(
      `unknown command "${name}": expected one of ${tops.join(', ')}${didYouMean(name, tops)}; see "hyperstream --help"`,
    );
  }
  return new InvalidArgumentError(`${first!}${hint}; see "${help}"`, { code: error.code });
}

/** `; did you mean "x"?` for the closest of `choices` (edit distance at most 2), or nothing. */
export function didYouMean(word: string, choices: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const choice of choices) {
    const d = editDistance(word, choice);
    if (d < bestDistance) [best, bestDistance] = [choice, d];
  }
  return best === undefined ? '' : `; did you mean "${best}"?`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function brief(summary: string): string {
  return summary.split(/\. |: |; /)[0]!.replace(/\.$/, '');
}
