/** A small, strict argument parser: long options, repeatable options, positionals. */
import { KysoError } from '../api/errors.js';
import { hideFromWorkers } from '../../native/bridge/secret-env.js';

/** Declares one option: takes a value or is a flag; may repeat. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /**
   * The value names an environment variable holding a secret (`--pin-env VAR`): the variable
   * is kept out of every token-bridge process this command starts, from the moment of parsing
   * (a bridge may start before the PIN is read).
   */
  secretEnv?: boolean;
}

/** Parsed arguments. */
export interface ParsedArgs {
  options: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses argv against the spec; unknown options throw a clear error. */
export function parseArgs(argv: string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const options: ParsedArgs['options'] = {};
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([k, s]) => [s.short!, k]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      if (name.startsWith('no-') && spec[name.slice(3)]?.type === 'boolean') {
        options[name.slice(3)] = false;
        continue;
      }
    } else if (arg.startsWith('-') && arg.length === 2) {
      name = byShort.get(arg.slice(1));
      if (!name) throw new KysoError('cliUnknownOption', { option: arg });
    } else {
      positionals.push(arg);
      continue;
    }
    const s = spec[name];
    if (!s) throw new KysoError('cliUnknownOption', { option: arg });
    let value: string | boolean;
    if (s.type === 'boolean') value = true;
    else {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new KysoError('cliMissingValue', { option: `--${name}` });
      value = v;
    }
    if (s.multiple) ((options[name] ??= []) as string[]).push(value as string);
    else options[name] = value;
    if (s.secretEnv && typeof value === 'string') hideFromWorkers(value);
  }
  return { options, positionals };
}

/** An integer option within [min, max], or undefined when absent; a clear error otherwise. */
export function intOption(options: ParsedArgs['options'], name: string, min: number, max: number): number | undefined {
  const raw = options[name];
  if (raw === undefined) return undefined;
  const n = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new KysoError('cliInvalidValue', { option: `--${name}`, value: String(raw), allowed: `${min}-${max}` });
  return n;
}
