/** `kyso extend FILE --level B-LT|B-LTA [--tsa URL] [-o OUT] [--json]`: adds validation data / a document timestamp. */
import { KysoError } from '../../api/errors.js';
import { parseArgs } from '../args.js';
import { documentPassword, passwordOptions } from '../doc-password.js';
import { tr, type CliIo, type Command } from '../io.js';
import { tsaConfig } from '../../services/sign-plan.js';

async function run(argv: string[], io: CliIo): Promise<number> {
  const { options: o, positionals } = parseArgs(argv, {
    level: { type: 'string' },
    tsa: { type: 'string' },
    out: { type: 'string', short: 'o' },
    json: { type: 'boolean' },
    ...passwordOptions,
  });
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
export const extendCommand: Command = { name: 'extend', summaryKey: 'cli.cmd.extend', run };
