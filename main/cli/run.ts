/** Top level of the `kyso` command line: global options, help, version, dispatch. */
import { errorKind } from '../api/error-kinds.js';
import { isKysoError } from '../api/errors.js';
import { resolveLang, t } from '../../resources/locales/index.js';
import { appVersion } from '../services/paths.js';
import { commands } from './commands/index.js';
import { runSpec, type DispatchTrail } from './dispatch.js';
import { EXIT, exitStatusFor } from './exit-codes.js';
import { globalOptions } from './help.js';
import type { CliIo } from './io.js';

/** Extracts a global `--lang X` from anywhere in argv before `--`. */
export function takeLang(argv: string[]): { lang?: string; rest: string[] } {
  const rest: string[] = [];
  let lang: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--lang') lang = argv[++i];
    else if (a.startsWith('--lang=')) lang = a.slice(7);
    else rest.push(a);
  }
  return { lang, rest };
}

/** Builds the top-level help text in the given language. */
export function helpText(io: Pick<CliIo, 'lang'>): string {
  const lines = [t(io.lang, 'cli.usage'), '', t(io.lang, 'cli.commands')];
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  for (const c of commands) lines.push(`  ${c.name.padEnd(width)}${t(io.lang, c.summaryKey)}`);
  lines.push('', t(io.lang, 'cli.options'));
  lines.push(`  --help, -h      ${t(io.lang, globalOptions.help!.help)}`);
  lines.push(`  --version, -v   ${t(io.lang, 'cli.opt.version')}`);
  lines.push(`  --lang vi|en    ${t(io.lang, globalOptions.lang!.help)}`);
  lines.push('', t(io.lang, 'cli.help.more', { command: 'kyso' }));
  return lines.join('\n') + '\n';
}

/** Runs the CLI with the given argv (without node and script); resolves to the exit status. */
export async function runCli(argv: string[], base: Omit<CliIo, 'lang'>): Promise<number> {
  const { lang, rest } = takeLang(argv);
  const io: CliIo = { ...base, lang: resolveLang(lang, base.env) };
  const [name, ...args] = rest;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(helpText(io));
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v') {
    io.out(`kyso ${appVersion()}\n`);
    return EXIT.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.err(t(io.lang, 'cli.error', { message: t(io.lang, 'error.unknownCommand', { command: name }) }) + '\n');
    io.err(helpText(io));
    return EXIT.usage;
  }
  const trail: DispatchTrail = { path: [name] };
  let top;
  try {
    top = await entry.load();
    return await runSpec(top, args, io, trail);
  } catch (e) {
    const message = isKysoError(e) ? t(io.lang, `error.${e.code}`, e.params) : e instanceof Error ? e.message : String(e);
    io.err(t(io.lang, 'cli.error', { message }) + '\n');
    // A usage error points at the help of the command it was typed for.
    if (isKysoError(e) && errorKind(e.code) === 'usage') io.err(t(io.lang, 'cli.help.see', { command: `kyso ${trail.path.join(' ')} --help` }) + '\n');
    return exitStatusFor(e, [trail.spec, top]);
  }
}
