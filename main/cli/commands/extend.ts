/** `kyso extend FILE --level B-LT|B-LTA [--tsa URL] [-o OUT] [--json]`: adds validation data / a document timestamp. */
import { KysoError } from '../../api/errors.js';
import { tr, type CliIo } from '../io.js';
import { defineCommand, type ParsedArgs } from '../spec.js';
import { documentPassword, passwordOptions } from '../doc-password.js';
import { tsaConfig } from '../../services/sign-plan.js';

async function run({ options: o, positionals }: ParsedArgs, io: CliIo): Promise<number> {
  const [file, ...extra] = positionals;
  if (!file) throw new KysoError('cliMissingInput');
  if (extra.length) throw new KysoError('cliOutNeedsOneFile');
  const level = o.level;
  if (level !== 'B-LT' && level !== 'B-LTA') throw new KysoError('cliInvalidValue', { option: '--level', value: String(level ?? ''), allowed: 'B-LT|B-LTA' });
  const tsa = tsaConfig(typeof o.tsa === 'string' ? o.tsa : undefined, io.env);
  const output = typeof o.out === 'string' ? o.out : file;
  const { extendFile } = await import('../../services/sign.js');
  const password = await documentPassword(io, o);
  const r = await extendFile(file, { output, level, ...(tsa ? { tsa } : {}), ...(password !== undefined ? { password } : {}) });
  if (o.json) io.out(JSON.stringify({ input: file, output: r.output, status: 'extended', level: r.level, size: r.size }) + '\n');
  else io.out(tr(io, 'sign.cli.extended', { input: file, output: r.output, level: r.level }) + '\n');
  return 0;
}

/** The `extend` subcommand. */
export const extendCommand = defineCommand({
  name: 'extend',
  summaryKey: 'cli.cmd.extend',
  args: 'FILE.pdf',
  options: {
    level: { type: 'string', value: 'B-LT|B-LTA', help: 'cli.opt.extend.level' },
    tsa: { type: 'string', value: 'URL', help: 'cli.opt.extend.tsa' },
    out: { type: 'string', short: 'o', value: 'FILE', help: 'cli.opt.extend.out' },
    json: { type: 'boolean', help: 'cli.opt.json' },
    ...passwordOptions,
  },
  examples: ['kyso extend da-ky.pdf --level B-LT -o da-ky-lt.pdf', 'kyso extend da-ky.pdf --level B-LTA --tsa http://tsa.example.vn'],
  run,
});
