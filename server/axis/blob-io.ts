/**
 * The gateway's only contact with the blob store (server/blobs/store.ts), in a few
 * operations, so a change of the store's interface is a change here only.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../blobs/store.js';

/** A scratch path on this instance's local disk. */
export function scratch(blobs: BlobStore): string {
  return blobs.scratchPath();
}

/** Stores a verified scratch file under its SHA-256 (the file stays; the caller removes it). */
export async function storeFile(blobs: BlobStore, file: string, sha256: string): Promise<void> {
  await blobs.putFile(file, sha256);
}

/** Stores small bytes (status messages). */
export async function storeBytes(blobs: BlobStore, data: Buffer, sha256: string): Promise<void> {
  await blobs.put(data, sha256);
}

/**
 * A local file holding the blob for the duration of `fn` (the axis clients send files with a
 * length and hash them first): copied from the store to scratch, removed after.
 */
export async function withBlobFile<T>(blobs: BlobStore, sha256: string, fn: (file: string) => Promise<T>): Promise<T> {
  const file = blobs.scratchPath();
  try {
    await pipeline(await blobs.get(sha256), createWriteStream(file));
    return await fn(file);
  } finally {
    await drop(file);
  }
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
