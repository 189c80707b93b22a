/**
 * Argument parsing for every `kyso` command: node:util.parseArgs in strict mode over the
 * command's OptionSpecs, its failures turned into localized usage errors (exit status 2).
 */
import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'node:util';
import { KysoError } from '../api/errors.js';
import { hideFromWorkers } from '../../native/bridge/secret-env.js';
import type { OptionSpecs, ParsedArgs } from './spec.js';

export type { OptionSpec, OptionSpecs, ParsedArgs } from './spec.js';

/** The parseArgs option table of a spec. */
function nodeOptions(spec: OptionSpecs): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, s] of Object.entries(spec)) {
    options[name] = { type: s.type, ...(s.short ? { short: s.short } : {}), ...(s.multiple ? { multiple: true } : {}) };
  }
  return options;
}

/**
 * The usage error for arguments strict parsing refused. The offending option is found by a
 * lenient pass over the same arguments (parseArgs' tokens), so the error names it in the
 * user's language; an inline value (`--pin=1234`) is never repeated back.
 */
function usageError(e: unknown, argv: string[], spec: OptionSpecs, positionals: boolean): KysoError {
  const { tokens } = nodeParseArgs({ args: argv, options: nodeOptions(spec), strict: false, allowPositionals: true, tokens: true });
  for (const tk of tokens) {
    if (tk.kind !== 'option') continue;
    const s = spec[tk.name];
    if (!s) return new KysoError('cliUnknownOption', { option: tk.rawName });
    if (s.type === 'boolean' && tk.value !== undefined) return new KysoError('cliOptionTakesNoValue', { option: tk.rawName });
    if (s.type === 'string' && tk.value === undefined) return new KysoError('cliMissingValue', { option: tk.rawName });
    if (s.type === 'string' && !tk.inlineValue && tk.value?.startsWith('-')) return new KysoError('cliValueLooksLikeOption', { option: tk.rawName });
  }
  if (!positionals && tokens.some((tk) => tk.kind === 'positional')) return new KysoError('cliUnexpectedArgument');
  return new KysoError('cliBadArguments', { detail: e instanceof Error ? e.message.split('\n')[0]! : String(e) });
}

/**
 * Parses argv against the spec (strict: unknown options, missing values and values given to
 * flags are usage errors). `positionals: false` also refuses stray arguments.
 */
export function parseArgs(argv: string[], spec: OptionSpecs, positionals = true): ParsedArgs {
  try {
    const { values, positionals: rest } = nodeParseArgs({ args: argv, options: nodeOptions(spec), strict: true, allowPositionals: positionals });
    // Variables that hold a PIN are kept out of the token bridge before any bridge starts.
    for (const [name, s] of Object.entries(spec)) {
      const v = values[name];
      if (s.secretEnv) for (const n of Array.isArray(v) ? v : [v]) if (typeof n === 'string') hideFromWorkers(n);
    }
    return { options: { ...values } as ParsedArgs['options'], positionals: rest };
  } catch (e) {
    throw usageError(e, argv, spec, positionals);
  }
}

/** True when argv asks for help (`--help` or `-h` before any `--`). */
export function wantsHelp(argv: string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** An integer option within [min, max], or undefined when absent; a clear error otherwise. */
export function intOption(options: ParsedArgs['options'], name: string, min: number, max: number): number | undefined {
  const raw = options[name];
  if (raw === undefined) return undefined;
  const n = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new KysoError('cliInvalidValue', { option: `--${name}`, value: String(raw), allowed: `${min}-${max}` });
  return n;
}
