/**
 * Runs a command from its CommandSpec: picks the subcommand named by the first argument,
 * answers `--help`/`-h` (and `help` in a group) with the help text, parses the options
 * strictly and calls `run`. Every command and subcommand gets the same behaviour for free.
 */
import { KysoError } from '../api/errors.js';
import { parseArgs, wantsHelp } from './args.js';
import { commandHelp } from './help.js';
import type { CliIo } from './io.js';
import type { CommandSpec } from './spec.js';

/** Where the dispatch got to: the command path typed (for error hints) and the spec reached. */
export interface DispatchTrail {
  path: string[];
  spec?: CommandSpec;
}

/** Runs `spec` (reached by `trail.path`) with its arguments; resolves to the exit status. */
export async function runSpec(spec: CommandSpec, argv: string[], io: CliIo, trail: DispatchTrail): Promise<number> {
  trail.spec = spec;
  const [first, ...rest] = argv;
  const sub = first === undefined ? undefined : spec.subcommands?.find((s) => s.name === first);
  if (sub) {
    trail.path.push(sub.name);
    return runSpec(sub, rest, io, trail);
  }
  const help = () => io.out(commandHelp(io.lang, trail.path.join(' '), spec));
  // A group given nothing shows what it offers; 2 because nothing was done.
  if (spec.subcommands?.length && argv.length === 0) {
    help();
    return 2;
  }
  if (wantsHelp(argv) || (spec.subcommands?.length && first === 'help')) {
    help();
    return 0;
  }
  if (!spec.run) {
    parseArgs(argv, {}, true);
    throw new KysoError('unknownCommand', { command: [...trail.path, first ?? ''].join(' ').trim() });
  }
  return spec.run(parseArgs(argv, spec.options ?? {}, spec.args !== undefined), io);
}
