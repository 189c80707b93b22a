/** The help text of a `kyso` command, built from its CommandSpec in the user's language. */
import { hasMessage, t, type Lang } from '../../resources/locales/index.js';
import type { CommandSpec, OptionSpec } from './spec.js';

/** Options every command accepts (handled by the frame, listed in every help). */
export const globalOptions: Readonly<Record<string, OptionSpec>> = {
  help: { type: 'boolean', short: 'h', help: 'cli.opt.help' },
  lang: { type: 'string', value: 'vi|en', help: 'cli.opt.lang' },
};

/** Widest option column before the description moves to its own line. */
const MAX_COLUMN = 30;

/** Translates the upper-case placeholder words that have a `cli.value.<WORD>` message (FILE -> TỆP). */
export function placeholders(lang: Lang, text: string): string {
  return text.replace(/\b[A-Z][A-Z0-9_]*\b/g, (w) => (hasMessage(lang, `cli.value.${w}`) ? t(lang, `cli.value.${w}`) : w));
}

/** The left column of one option: `-o, --out FILE`. */
function optionLabel(lang: Lang, name: string, s: OptionSpec): string {
  const flag = `${s.short ? `-${s.short}, ` : '    '}--${name}`;
  return s.type === 'string' ? `${flag} ${placeholders(lang, s.value ?? 'VALUE')}` : flag;
}

/** Two aligned columns; a left part too wide puts its text on the next line. */
function columns(rows: Array<[string, string]>): string[] {
  const width = Math.min(MAX_COLUMN, Math.max(0, ...rows.map(([l]) => l.length))) + 2;
  return rows.flatMap(([l, r]) => (l.length + 2 > width ? [`  ${l}`, `  ${' '.repeat(width)}${r}`] : [`  ${l.padEnd(width)}${r}`]));
}

/** The help of a command; `path` is the words after `kyso` ('server user add'). */
export function commandHelp(lang: Lang, path: string, spec: CommandSpec): string {
  const lines: string[] = [];
  const usage: string[] = [];
  if (spec.run) usage.push(`kyso ${path}${spec.args ? ` ${placeholders(lang, spec.args)}` : ''} [${t(lang, 'cli.help.optionsWord')}]`);
  if (spec.subcommands?.length) usage.push(`kyso ${path} <${t(lang, 'cli.help.subcommandWord')}> [${t(lang, 'cli.help.optionsWord')}]`);
  lines.push(t(lang, 'cli.help.usage', { usage: usage[0] ?? `kyso ${path}` }));
  for (const u of usage.slice(1)) lines.push(`${' '.repeat(t(lang, 'cli.help.usage', { usage: '' }).length)}${u}`);
  lines.push('', t(lang, spec.summaryKey));
  if (spec.subcommands?.length) {
    lines.push('', t(lang, 'cli.help.subcommands'));
    lines.push(...columns(spec.subcommands.map((s) => [s.name, t(lang, s.summaryKey)])));
  }
  const own = Object.entries(spec.run ? (spec.options ?? {}) : {});
  lines.push('', t(lang, 'cli.help.options'));
  const rows: Array<[string, string]> = own.map(([name, s]) => [optionLabel(lang, name, s), t(lang, s.help) + (s.multiple ? ` ${t(lang, 'cli.help.repeatable')}` : '')]);
  rows.push(...Object.entries(globalOptions).map(([name, s]): [string, string] => [optionLabel(lang, name, s), t(lang, s.help)]));
  lines.push(...columns(rows));
  if (spec.noteKey) lines.push('', t(lang, spec.noteKey));
  if (spec.examples?.length) lines.push('', t(lang, 'cli.help.examples'), ...spec.examples.map((e) => `  ${e}`));
  if (spec.subcommands?.length) lines.push('', t(lang, 'cli.help.more', { command: `kyso ${path}` }));
  return lines.join('\n') + '\n';
}
