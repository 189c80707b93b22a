/** Small configuration files of the service (certificates, keys), written whole or not at all. */
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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

/**
 * Makes `dir` (and its parents) with `mode`, or throws diskFull / fileWrite naming the folder
 * that cannot be written: Node's own error names the deepest folder with a misleading ENOENT
 * when the home is read-only, and a raw EACCES when a parent is root's.
 */
export function ensureDir(dir: string, mode = 0o700): void {
  try {
    mkdirSync(dir, { recursive: true, mode });
  } catch (e) {
    let parent = path.dirname(dir);
    while (!existsSync(parent) && path.dirname(parent) !== parent) parent = path.dirname(parent);
    try {
      accessSync(parent, constants.W_OK);
    } catch (denied) {
      throw writeError(denied, parent);
    }
    throw writeError(e, dir);
  }
}
