/** An NSS database (certutil) that trusts the test root, for `pdfsig -nssdir sql:DIR`. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { run } from './run.js';

/** Creates (or refreshes) an NSS db in `dir` trusting `rootPem` and knowing `intermediatePems`. */
export async function createNssDb(dir: string, rootPem: string, intermediatePems: string[] = []): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const db = `sql:${dir}`;
  // `certutil -N` on an existing db prompts for its password forever: create only once.
  if (!existsSync(path.join(dir, 'cert9.db'))) await run('certutil', ['-N', '-d', db, '--empty-password']);
  // "C,C,C": trusted CA for TLS, e-mail (which pdfsig uses for signatures) and object signing.
  await run('certutil', ['-A', '-d', db, '-n', 'Kyso Test Root CA', '-t', 'C,C,C', '-i', rootPem]);
  for (const [i, pem] of intermediatePems.entries()) {
    await run('certutil', ['-A', '-d', db, '-n', `Kyso Test CA ${i + 1}`, '-t', ',,', '-i', pem]);
  }
  return dir;
}
