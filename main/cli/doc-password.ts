/**
 * The password of encrypted PDFs for `kyso verify`, `kyso sign` and `kyso extend`: from an
 * environment variable (`--password-env VAR`), a file (`--password-file F`, first line) or,
 * with `--password`, a hidden prompt on the terminal. Never a plain argument value (it would
 * show in `ps` and the shell history); never logged. Without any, only documents that open
 * with the empty user password (the common "restrict editing" case) are read.
 */
import { readFileSync } from 'node:fs';
import { KysoError } from '../api/errors.js';
import type { OptionSpecs, ParsedArgs } from './spec.js';
import { tr, type CliIo } from './io.js';
import { hiddenPrompt, type HiddenPrompt } from './pin.js';

/** parseArgs entries: --password (ask), --password-env VAR, --password-file FILE. */
export const passwordOptions: OptionSpecs = {
  password: { type: 'boolean', help: 'cli.opt.password' },
  'password-env': { type: 'string', value: 'VAR', help: 'cli.opt.password-env' },
  'password-file': { type: 'string', value: 'FILE', help: 'cli.opt.password-file' },
};

/** The document password the options name, or undefined when none was asked for. */
export async function documentPassword(io: CliIo, o: ParsedArgs['options'], prompt: HiddenPrompt = hiddenPrompt): Promise<string | undefined> {
  const env = o['password-env'];
  if (typeof env === 'string') {
    const v = io.env[env];
    if (v === undefined) throw new KysoError('cliPasswordEnvMissing', { name: env });
    return v;
  }
  const file = o['password-file'];
  if (typeof file === 'string') {
    try {
      return readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
    } catch {
      throw new KysoError('cliPasswordFileUnreadable', { path: file });
    }
  }
  if (o.password !== true) return undefined;
  if (!io.isTty) throw new KysoError('pdfPasswordRequired');
  return prompt(tr(io, 'pdf.passwordPrompt'));
}
