/** Small configuration files of the service (certificates, keys), written whole or not at all. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { tempPathFor, writeError } from '../../signing/atomic.js';

/** Writes `data` to a temp file with `mode`, then renames it over `file`. */
export function writeFileAtomic(file: string, data: string | Buffer, mode: number): void {
  const tmp = tempPathFor(file);
  try {
    writeFileSync(tmp, data, { mode, flush: true });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw writeError(e, file);
  }
}
