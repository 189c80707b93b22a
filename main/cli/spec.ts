/**
 * How a `kyso` command declares itself: its options (type, short flag, one-line help text
 * from the locale bundles), positionals, examples and subcommands. One declaration drives the
 * parser (args.ts, over node:util.parseArgs), the help text (help.ts) and the help walk test.
 */
import type { ErrorCode } from '../api/errors.js';
import type { CliIo } from './io.js';

/** One option of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One-letter alias, e.g. 'o' for `-o`. */
  short?: string;
  /** May be given several times; the values are collected in order. */
  multiple?: boolean;
  /** Placeholder of the value in the help (FILE, N, B-B|B-T...); a word with a `cli.value.<WORD>` message is translated. */
  value?: string;
  /** Message key of the one-line description (resources/locales/cli-help.ts). */
  help: string;
  /**
   * The value names an environment variable holding a secret (`--pin-env VAR`): the variable
   * is kept out of every token-bridge process this command starts, from the moment of parsing
   * (a bridge may start before the PIN is read).
   */
  secretEnv?: boolean;
}

/** The options of a command, by long name (without `--`). */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** Parsed arguments: option values by long name, then the positionals in order. */
export interface ParsedArgs {
  options: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** A command or subcommand of `kyso`. */
export interface CommandSpec {
  /** The word typed after its parent: 'sign', 'user', 'add'. */
  name: string;
  /** Message key of the one-line summary (shown in its parent's help and its own). */
  summaryKey: string;
  /**
   * The positionals in the synopsis, e.g. 'FILE.pdf...' (upper-case words with a
   * `cli.value.<WORD>` message are translated). Without it the command takes no positional.
   */
  args?: string;
  options?: OptionSpecs;
  /** Message key of a paragraph shown after the options (e.g. how PINs are given). */
  noteKey?: string;
  /** Complete example command lines, each starting with `kyso`. */
  examples?: readonly string[];
  /** Subcommands, chosen by the first argument. */
  subcommands?: readonly CommandSpec[];
  /** Runs the command with its parsed arguments; resolves to the exit status. A pure group has none. */
  run?(args: ParsedArgs, io: CliIo): Promise<number>;
  /** Exit status for errors this command reports specially (see exit-codes.ts for the defaults). */
  exitCodes?: Readonly<Partial<Record<ErrorCode, number>>>;
}

/** A top-level command (what a module in commands/ exports). */
export type Command = CommandSpec;

/** Declares a command; only for type inference and a single place to look for them. */
export function defineCommand(spec: CommandSpec): CommandSpec {
  return spec;
}

/** A string option or undefined. */
export function str(o: ParsedArgs['options'], name: string): string | undefined {
  const v = o[name];
  return typeof v === 'string' ? v : undefined;
}

/** The values of a repeatable option (empty when absent). */
export function strs(o: ParsedArgs['options'], name: string): string[] {
  const v = o[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
