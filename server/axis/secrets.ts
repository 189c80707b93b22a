/**
 * Axis credentials are referenced, never stored: a link keeps the NAME of an environment
 * variable of the server process, or the PATH of a file outside the data directory, and the
 * value is read when a call needs it (so rotating a secret needs no Kyso command, and a copy
 * or backup of the data directory carries no secret). Chosen over encrypting the secret into
 * the database: the key would have to live next to the server anyway, outside the data
 * directory, which is exactly what a secret file or the service manager's environment
 * (systemd `LoadCredential=`/`Environment=`, a vault agent) already is. Values never reach
 * logs, audit rows or error messages: errors name the reference only.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { KysoError } from '../../main/api/errors.js';
import type { SecretRef } from './types.js';

/** The printable name of a reference (`env:NAME`, `file:/path`): never the value. */
export function describeRef(ref: SecretRef): string {
  return 'env' in ref ? `env:${ref.env}` : `file:${ref.file}`;
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * Checks a reference when a link is added: a file must be absolute, readable, outside the data
 * directory and not readable by group or others (like ssh with its keys); a variable must be
 * named correctly. Returns a warning key when the variable is not set in this shell (the
 * server's environment may differ).
 */
export function vetRef(ref: SecretRef, dataDir: string): 'unsetInThisShell' | null {
  if ('env' in ref) return process.env[ref.env] ? null : 'unsetInThisShell';
  if (!path.isAbsolute(ref.file)) throw new KysoError('axisSecretPath', { path: ref.file });
  if (inside(real(ref.file), real(dataDir))) throw new KysoError('axisSecretInDataDir', { path: ref.file });
  let mode: number;
  try {
    mode = statSync(ref.file).mode;
  } catch (e) {
    throw new KysoError('axisSecretMissing', { ref: describeRef(ref), detail: (e as NodeJS.ErrnoException).code ?? 'unreadable' });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) throw new KysoError('axisSecretFileOpen', { path: ref.file, mode: (mode & 0o777).toString(8) });
  readSecret(ref);
  return null;
}

/** The secret's value now (a file's trailing newline removed); a clear error naming only the reference. */
export function readSecret(ref: SecretRef): string {
  let v: string | undefined;
  if ('env' in ref) v = process.env[ref.env];
  else {
    try {
      v = readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new KysoError('axisSecretMissing', { ref: describeRef(ref), detail: (e as NodeJS.ErrnoException).code ?? 'unreadable' });
    }
  }
  if (!v) throw new KysoError('axisSecretMissing', { ref: describeRef(ref), detail: 'empty or not set' });
  return v;
}
