/**
 * The gateway's only contact with the blob store (server/blobs.ts), in four operations, so a
 * change of the store's interface (an S3 store is coming) is a change here only.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { Blobs } from '../blobs.js';

/** A scratch path on the blob store's filesystem. */
export function scratch(blobs: Blobs): string {
  return blobs.tmpPath();
}

/** Moves a verified scratch file into the store under its SHA-256 (the file is consumed). */
export async function storeFile(blobs: Blobs, file: string, sha256: string): Promise<void> {
  await blobs.commit(file, sha256);
}

/** Stores small bytes (status messages). */
export async function storeBytes(blobs: Blobs, data: Buffer, sha256: string): Promise<void> {
  if (!blobs.has(sha256)) await blobs.put(data, sha256);
}

/** A file holding the blob for the duration of `fn` (the store's own file on a local store). */
export async function withBlobFile<T>(blobs: Blobs, sha256: string, fn: (file: string) => Promise<T>): Promise<T> {
  return fn(blobs.pathOf(sha256));
}

/** SHA-256 (hex) of a file. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Removes a scratch file (no error when it is gone). */
export async function drop(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}
