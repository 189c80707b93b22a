/**
 * Atomic outputs: every file is built under a temp name in the output's own directory (so the
 * final rename cannot cross file systems), fsynced, then renamed. On any error the temp file
 * is removed, so a reader never sees a half-signed PDF.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isKysoError, KysoError } from '../api/errors.js';

/** A fresh temp path next to `finalPath` (hidden, recognisable, never a .pdf). */
export function tempPathFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  return path.join(dir, `.${path.basename(finalPath)}.kyso-${randomBytes(6).toString('hex')}.tmp`);
}

/** Flushes a file's data to disk. */
export async function fsyncFile(p: string): Promise<void> {
  const fh = await open(p, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Fsyncs `tempPath` (unless the caller already did), renames it to `finalPath` and fsyncs the directory (best effort). */
export async function commitTemp(tempPath: string, finalPath: string, options: { synced?: boolean } = {}): Promise<void> {
  if (!options.synced) await fsyncFile(tempPath);
  await rename(tempPath, finalPath);
  try {
    const dh = await open(path.dirname(finalPath), 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is already atomic.
  }
}

/** Removes temp files, ignoring those already gone (and failures: the caller's error matters more). */
export async function removeTemps(paths: Iterable<string>): Promise<void> {
  for (const p of paths) await rm(p, { force: true }).catch(() => undefined);
}

/** Maps low-level write errors to the shared user-facing codes. */
export function writeError(e: unknown, p: string): KysoError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC') return new KysoError('diskFull', { path: p });
  return new KysoError('fileWrite', { path: p, detail: code ?? (e instanceof Error ? e.message : String(e)) });
}

const TEMP_NAME = /\.kyso-[0-9a-f]{12}\.tmp$/;

/**
 * The error a user should see for a failed output: file-system errors become diskFull /
 * fileWrite, and a message naming our hidden temp file names the output instead.
 */
export function outputError(e: unknown, output: string): unknown {
  if (isKysoError(e)) {
    const p = e.params.path;
    if (typeof p === 'string' && TEMP_NAME.test(p)) return new KysoError(e.code, { ...e.params, path: output }, { cause: e });
    return e;
  }
  const errno = e as NodeJS.ErrnoException | undefined;
  if (errno?.code && errno.syscall) return writeError(e, output);
  return e;
}

/** Writes a small text file (a CSR, a CSV), with diskFull/fileWrite instead of a raw Node error. */
export function writeFileOrFail(p: string, data: string): void {
  try {
    writeFileSync(p, data);
  } catch (e) {
    throw writeError(e, p);
  }
}

/** Reads a file the user named, with fileNotFound/fileNotRegular instead of a raw Node error. */
export function readFileOrFail(p: string): Buffer {
  try {
    return readFileSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KysoError('fileNotFound', { path: p });
    if (code === 'EISDIR') throw new KysoError('fileNotRegular', { path: p });
    throw new KysoError('pdfRead', { path: p, detail: code ?? String(e) });
  }
}
