// Every `kyso` command and subcommand answers --help and -h, in Vietnamese and English: each
// option it accepts is listed with its one-line description, each option listed is one the
// parser accepts, and every example parses. The commands are walked from the registry, so a
// new command or subcommand is covered without touching this file.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../main/cli/args.js';
import { commands } from '../../../main/cli/commands/index.js';
import { globalOptions } from '../../../main/cli/help.js';
import { runCli } from '../../../main/cli/run.js';
import type { CommandSpec } from '../../../main/cli/spec.js';
import { hasMessage, t, type Lang } from '../../../resources/locales/index.js';

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { env: {}, out: (s) => (out += s), err: (s) => (err += s), isTty: false });
  return { code, out, err };
}

/** Every command and subcommand, with the words that reach it. */
async function walk(): Promise<Array<{ path: string[]; spec: CommandSpec }>> {
  const all: Array<{ path: string[]; spec: CommandSpec }> = [];
  const visit = (path: string[], spec: CommandSpec) => {
    all.push({ path, spec });
    for (const sub of spec.subcommands ?? []) visit([...path, sub.name], sub);
  };
  for (const entry of commands) {
    const spec = await entry.load();
    expect(spec.name, `registry entry ${entry.name}`).toBe(entry.name);
    expect(spec.summaryKey, `registry entry ${entry.name}`).toBe(entry.summaryKey);
    visit([entry.name], spec);
  }
  return all;
}

/** Splits an example command line into words (double quotes group). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** The long option names on the option lines of a help text. */
function listedOptions(help: string): string[] {
  return [...help.matchAll(/^ {2}(?:-\w, | {4})--([a-z][a-z0-9-]*)/gm)].map((m) => m[1]!);
}

const langs: Lang[] = ['vi', 'en'];

describe('kyso help on every command and subcommand', () => {
  it('the walk finds the commands and their subcommands', async () => {
    const paths = (await walk()).map((c) => c.path.join(' '));
    // A few known ones, so a broken walk cannot pass by finding nothing.
    for (const p of ['sign', 'extend', 'inbox', 'inbox reject', 'server user add', 'token keygen', 'trust remove']) expect(paths).toContain(p);
    expect(paths.length).toBeGreaterThan(35);
  });

  it('lists every option with its description and every subcommand with its summary, in vi and en', { timeout: 60_000 }, async () => {
    const problems: string[] = [];
    for (const { path, spec } of await walk()) {
      const own = spec.run ? Object.entries(spec.options ?? {}) : [];
      for (const lang of langs) {
        const r = await cli([...path, lang === 'vi' ? '--help' : '-h', '--lang', lang]);
        const where = `kyso ${path.join(' ')} (${lang})`;
        if (r.code !== 0) problems.push(`${where}: exit ${r.code} ${r.err}`);
        if (!r.out.includes(`kyso ${path.join(' ')}`)) problems.push(`${where}: no usage line`);
        for (const key of [spec.summaryKey, ...(spec.noteKey ? [spec.noteKey] : [])]) {
          if (!hasMessage(lang, key)) problems.push(`${where}: no message ${key}`);
          else if (!r.out.includes(t(lang, key))) problems.push(`${where}: ${key} not shown`);
        }
        for (const [name, o] of [...own, ...Object.entries(globalOptions)]) {
          if (!hasMessage(lang, o.help)) problems.push(`${where}: --${name} has no description (${o.help})`);
          const text = t(lang, o.help);
          if (text.includes('\n')) problems.push(`${where}: --${name} description is not one line`);
          const line = r.out.split('\n').findIndex((l) => new RegExp(`^ {2}(-${o.short ?? '\\w'}, | {4})--${name}\\b`).test(l));
          if (line < 0) problems.push(`${where}: --${name} not listed`);
          else if (!r.out.split('\n').slice(line, line + 2).join(' ').includes(text)) problems.push(`${where}: --${name} listed without its description`);
        }
        for (const sub of spec.subcommands ?? []) {
          if (!hasMessage(lang, sub.summaryKey)) problems.push(`${where}: subcommand ${sub.name} has no summary`);
          else if (!new RegExp(`^ {2}${sub.name} +${t(lang, sub.summaryKey).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm').test(r.out)) problems.push(`${where}: subcommand ${sub.name} not listed with its summary`);
        }
        // Every option the help lists is one the parser accepts.
        for (const name of listedOptions(r.out)) {
          if (name in globalOptions) continue;
          const o = spec.options?.[name];
          if (!o || !spec.run) problems.push(`${where}: lists --${name}, which it does not take`);
          else parseArgs(o.type === 'string' ? [`--${name}`, 'x'] : [`--${name}`], spec.options!);
        }
      }
      if (spec.run && !spec.examples?.length) problems.push(`kyso ${path.join(' ')}: no example`);
    }
    expect(problems).toEqual([]);
  });

  it('every example is a command line the parser accepts for that command', async () => {
    const problems: string[] = [];
    for (const { path, spec } of await walk()) {
      for (const example of spec.examples ?? []) {
        const w = words(example);
        if (w.slice(0, path.length + 1).join(' ') !== ['kyso', ...path].join(' ')) {
          problems.push(`${example}: not an example of kyso ${path.join(' ')}`);
          continue;
        }
        try {
          parseArgs(w.slice(path.length + 1), spec.options ?? {}, spec.args !== undefined);
        } catch (e) {
          problems.push(`${example}: ${(e as Error).message}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('kyso usage errors', () => {
  it('an unknown option, a missing value or a stray argument: exit 2, in the user\'s language, with a pointer to the help', async () => {
    const vi = await cli(['sign', 'a.pdf', '--bogus', '--lang', 'vi']);
    expect(vi).toMatchObject({ code: 2, out: '' });
    expect(vi.err).toContain('Tùy chọn không hợp lệ: --bogus');
    expect(vi.err).toContain('kyso sign --help');
    const en = await cli(['server', 'user', 'add', '--data', '--lang', 'en']);
    expect(en.code).toBe(2);
    expect(en.err).toContain('Missing value for --data');
    expect(en.err).toContain('kyso server user add --help');
    const flag = await cli(['verify', 'a.pdf', '--json=yes', '--lang', 'en']);
    expect([flag.code, flag.err]).toEqual([2, expect.stringContaining('Option --json does not take a value')]);
    const stray = await cli(['inbox', 'sync', 'extra', '--lang', 'en']);
    expect([stray.code, stray.err]).toEqual([2, expect.stringContaining('takes no further arguments')]);
    const dash = await cli(['sign', 'a.pdf', '--reason', '-x', '--lang', 'en']);
    expect([dash.code, dash.err]).toEqual([2, expect.stringContaining('write --reason=VALUE')]);
  });

  it('an unknown option never repeats an inline value (a PIN typed as --pin=...)', async () => {
    const r = await cli(['token', 'list', '--pin=842913', '--lang', 'en']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Unknown option: --pin');
    expect(r.err).not.toContain('842913');
  });

  it('a group without a subcommand shows its help with status 2; an unknown subcommand is a usage error', async () => {
    for (const group of [['token'], ['inbox'], ['outbox'], ['register'], ['trust'], ['server', 'org'], ['server', 'user']]) {
      const r = await cli([...group, '--lang', 'en']);
      expect([group, r.code]).toEqual([group, 2]);
      expect(r.out).toContain(`Usage: kyso ${group.join(' ')} <command>`);
    }
    const r = await cli(['server', 'user', 'frobnicate', '--lang', 'en']);
    expect([r.code, r.err]).toEqual([2, expect.stringContaining('Unknown command: server user frobnicate')]);
  });
});
