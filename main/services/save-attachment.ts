/**
 * "Lưu…" on a received file (issue 14.7, 15.2): a copy of one of a document's received files,
 * written where the user chose. The source is named by message id and index in that
 * document's files, never by a path from the renderer, and must still be Kyso's own file
 * under KYSO_HOME/inbox with the content it was received with. The copy takes the safe name
 * (format characters, trailing dots and spaces removed; the extension Kyso found in the
 * bytes), never overwrites without being asked, and is written under a temp name, fsynced
 * and renamed: a full disk leaves nothing half-written.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { KysoError } from '../api/errors.js';
import { safeFileName, storedKind } from '../files/doc-types.js';
import { isReallyInside } from '../files/inside.js';
import { writeFully } from '../pdf/file-writes.js';
import { commitTemp, removeTemps, tempPathFor, writeError } from '../signing/atomic.js';
import type { IncomingFile, Store } from '../store/index.js';

/** What to save: the document's file at `index` (as exchange:inboxShow lists them), to `path`. */
export interface SaveAttachmentRequest {
  messageId: string;
  index: number;
  /** A folder (the safe name is added), or a file path whose name is cleaned and given the file's real extension. */
  path: string;
  /** Replace an existing file (the user confirmed). */
  overwrite: boolean;
}

const CHUNK = 1024 * 1024;

/** The received file at `index`, checked to be Kyso's own copy under KYSO_HOME/inbox. */
function receivedFile(store: Store, home: string, messageId: string, index: number): IncomingFile {
  store.incoming.require(messageId);
  const file = store.incoming.files(messageId)[index];
  if (!file) throw new KysoError('saveNoSuchFile', { messageId, index: index + 1 });
  if (!isReallyInside(path.join(home, 'inbox'), file.path)) throw new KysoError('pathOutside', { path: file.path, root: path.join(home, 'inbox') });
  return file;
}

/** Where the copy goes: `target` itself when a folder (plus the safe name), else its folder and its cleaned name. */
async function targetPath(target: string, file: IncomingFile): Promise<string> {
  // A relative path would land in the core's working directory, not where the user chose.
  if (!path.isAbsolute(target)) throw new KysoError('savePathRelative', { path: target });
  const full = path.resolve(target);
  const kind = storedKind(file.path);
  const st = await stat(full).catch(() => null);
  if (st?.isDirectory()) return path.join(full, safeFileName(file.name, kind));
  // A trailing separator names a folder: never a file called after it.
  if (target.endsWith('/') || target.endsWith(path.sep)) throw new KysoError('saveFolderMissing', { folder: full });
  const folder = path.dirname(full);
  const dir = await stat(folder).catch(() => null);
  if (!dir?.isDirectory()) throw new KysoError('saveFolderMissing', { folder });
  const base = path.basename(full);
  // The name the user typed keeps its dots; the extension is always the one the bytes prove.
  const stem = base.toLowerCase().endsWith(`.${kind}`) ? base.slice(0, -kind.length - 1) : base;
  return path.join(folder, safeFileName(`${stem}.${kind}`, kind));
}

/** Flags to open a received file: never a symlink, never blocking on a FIFO or device put in its place. */
const READ_REGULAR = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/**
 * Copies `src` into the new file `dest` (created, never reused), returning the copy's SHA-256.
 * `src` must be a regular file (fileNotRegular otherwise: a FIFO would hold a libuv thread forever).
 */
async function copyInto(src: string, dest: string): Promise<string> {
  const hash = createHash('sha256');
  const input = await open(src, READ_REGULAR).catch((e: NodeJS.ErrnoException) => {
    // ELOOP: a symlink where Kyso keeps its own file.
    if (e.code === 'ELOOP') throw new KysoError('fileNotRegular', { path: src });
    throw new KysoError('fileNotFound', { path: src });
  });
  try {
    if (!(await input.stat()).isFile()) throw new KysoError('fileNotRegular', { path: src });
    const out = await open(dest, 'wx');
    try {
      const buf = Buffer.alloc(CHUNK);
      for (let pos = 0; ; ) {
        const { bytesRead } = await input.read(buf, 0, CHUNK, pos);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        hash.update(chunk);
        await writeFully(out, chunk, pos);
        pos += bytesRead;
      }
      await out.sync();
    } finally {
      await out.close();
    }
  } finally {
    await input.close();
  }
  return hash.digest('hex');
}

/** Renames `temp` to `dest` unless `dest` exists (a hard link fails on an existing name; file systems without links are checked first). */
async function commitNew(temp: string, dest: string): Promise<void> {
  try {
    await link(temp, dest);
    await rm(temp, { force: true });
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new KysoError('saveExists', { path: dest });
    // FAT/exFAT (USB sticks) and some network shares have no hard links.
  }
  if (await stat(dest).then(() => true, () => false)) throw new KysoError('saveExists', { path: dest });
  await commitTemp(temp, dest, { synced: true });
}

/** The user-facing error of a failed write to `dest`. */
function saveError(e: unknown, dest: string): unknown {
  if (e instanceof KysoError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new KysoError('saveDenied', { folder: path.dirname(dest) });
  return writeError(e, dest);
}

/** Saves a copy of a received file where the user chose; answers the path written. */
export async function saveAttachment(store: Store, home: string, req: SaveAttachmentRequest): Promise<{ path: string; name: string }> {
  const file = receivedFile(store, home, req.messageId, req.index);
  const dest = await targetPath(req.path, file);
  // Never into Kyso's own received folders (what is there is trusted as received).
  if (isReallyInside(path.join(home, 'inbox'), path.dirname(dest))) throw new KysoError('saveIntoInbox', { folder: path.dirname(dest) });
  const existing = await stat(dest).catch(() => null);
  if (existing?.isDirectory()) throw new KysoError('saveExists', { path: dest });
  if (existing && !req.overwrite) throw new KysoError('saveExists', { path: dest });
  const temp = tempPathFor(dest);
  try {
    const sha = await copyInto(file.path, temp);
    if (sha !== file.sha256) throw new KysoError('saveChanged', { path: file.path });
    if (req.overwrite) await commitTemp(temp, dest, { synced: true });
    else await commitNew(temp, dest);
  } catch (e) {
    await removeTemps([temp]);
    throw saveError(e, dest);
  }
  return { path: dest, name: path.basename(dest) };
}
