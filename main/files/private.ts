/**
 * Files only the user may read: KYSO_HOME holds the registers (kyso.db), received documents
 * and outgoing packages of a public body, and an office PC has several accounts. The home and
 * its folders are 0700, the database and received files 0600, whatever the umask; a home made
 * by an older version (0755 folders, 0644 database) is tightened when it is next opened.
 * On Windows the modes are not used (the home is in the user's own profile).
 */
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Mode of Kyso's own folders: the owner only. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of Kyso's own files: the owner reads and writes, nobody else. */
export const PRIVATE_FILE_MODE = 0o600;

/** Sets `mode` unless it is already set (a folder we cannot change is left, not fatal). */
function restrict(p: string, mode: number): void {
  try {
    if ((statSync(p).mode & 0o777) !== mode) chmodSync(p, mode);
  } catch (e) {
    // Gone meanwhile, or not ours (KYSO_HOME pointed at a folder another account owns).
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EPERM') throw e;
  }
}

/** Creates a folder (and missing parents inside it) for the owner only; an existing one is made 0700. */
export function mkdirPrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  restrict(dir, PRIVATE_DIR_MODE);
}

/** Makes an existing file owner-only (0600). */
export function restrictFile(file: string): void {
  restrict(file, PRIVATE_FILE_MODE);
}

/** Creates an empty file for the owner only when it does not exist yet; an existing one is made 0600. */
export function touchPrivate(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  restrictFile(file);
}

/**
 * Makes a whole tree owner-only: folders 0700, files 0600 (symbolic links are not followed).
 * Used once on a home made by an older version; bounded by what the tree holds.
 */
export function restrictTree(root: string): void {
  let st;
  try {
    st = lstatSync(root);
  } catch {
    return;
  }
  if (st.isSymbolicLink()) return;
  if (!st.isDirectory()) return restrictFile(root);
  restrict(root, PRIVATE_DIR_MODE);
  for (const name of readdirSync(root)) restrictTree(path.join(root, name));
}

/**
 * The data directory for the owner only: created 0700 or tightened to 0700. Folders that an
 * older version made group/world-readable (`inbox`, `outbox`) are tightened with their content.
 */
export function ensurePrivateHome(home: string): void {
  mkdirPrivate(home);
  if (process.platform === 'win32') return;
  for (const sub of ['inbox', 'outbox']) {
    const dir = path.join(home, sub);
    let mode: number;
    try {
      mode = statSync(dir).mode & 0o777;
    } catch {
      continue;
    }
    // A tree made private once stays so (everything new is created private): walk it only then.
    if (mode !== PRIVATE_DIR_MODE) restrictTree(dir);
  }
}
