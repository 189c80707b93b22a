/**
 * Paths that stay inside a folder. Every path Kyso builds from a name it did not choose (a
 * message id or file name from a server or another organization) goes through joinInside:
 * `..`, absolute parts, drive letters and NUL bytes never lead out of the folder, whatever
 * checks came before. isInside answers the same question for a path someone hands us.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { KysoError } from '../api/errors.js';

/** True when `p` is `root` itself or below it (both resolved; no file system access). */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(p));
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel));
}

/**
 * `root` joined with `parts`, refused (KysoError `pathOutside`) unless the result is strictly
 * below `root`: each part must be a plain name or relative path that does not climb out.
 */
export function joinInside(root: string, ...parts: string[]): string {
  const base = path.resolve(root);
  for (const part of parts) {
    if (!part || part.includes('\0') || path.isAbsolute(part) || path.win32.isAbsolute(part)) throw new KysoError('pathOutside', { path: part, root: base });
  }
  const out = path.resolve(base, ...parts);
  if (out === base || !isInside(base, out)) throw new KysoError('pathOutside', { path: parts.join('/'), root: base });
  return out;
}

/** The real path of `p` when it exists (symbolic links followed), else `p` resolved. */
export function realOrResolved(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

/** True when the existing file `p`, links followed, is below the folder `root` (links followed too). */
export function isReallyInside(root: string, p: string): boolean {
  return isInside(realOrResolved(root), realOrResolved(p));
}
