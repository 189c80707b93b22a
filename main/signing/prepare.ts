/**
 * Writes an incremental update that contains a /Contents hole into a temp file and hashes the
 * byte ranges, in one pass over the original: the prefix is copied by the kernel
 * (fs.copyFile, reflink when possible) while it is hashed from the source in parallel; the
 * appended bytes are hashed from memory. Memory stays constant whatever the file size.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { KysoError } from '../api/errors.js';
import type { HashAlgorithm } from '../pki/signer.js';
import type { IncrementalUpdate, PdfPlaceholder } from '../pdf/writer.js';
import { byteRangeText } from '../pdf/writer.js';
import { nodeHashName } from './algorithms.js';
import { hashRanges, type ContentsHole } from './byte-range.js';
import { writeError } from './atomic.js';
import { copyForUpdate, writeFully } from '../pdf/file-writes.js';

/** fdatasync of a file written so far (the caller fsyncs again when it is complete). */
async function flushEarly(file: string): Promise<void> {
  // 'r+', not 'r': Windows flushes (FlushFileBuffers) only through a handle opened for writing.
  const fh = await open(file, 'r+');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** A temp file with an update whose /Contents is still zeros, and the digest of its ranges. */
export interface PreparedUpdate {
  temp: string;
  hole: ContentsHole;
  size: number;
  digest: Buffer;
}

/**
 * Builds the update, places it after `prefixSource`'s bytes in `temp` (copying them first
 * unless `temp` already is that file), fills /ByteRange and hashes everything but the hole.
 */
export async function writeAndHash(
  up: IncrementalUpdate,
  contents: PdfPlaceholder,
  byteRange: PdfPlaceholder,
  temp: string,
  hash: HashAlgorithm,
  options: { copyFrom?: string; signal?: AbortSignal } = {},
): Promise<PreparedUpdate> {
  const bytes = await up.build();
  const hole = bytes.spans.get(contents);
  const br = bytes.spans.get(byteRange);
  if (!hole || !br) throw new KysoError('internal', { detail: 'signature placeholders missing from the update' });
  const range: [number, number, number, number] = [0, hole.start, hole.end, bytes.size - hole.end];
  const text = byteRangeText(range, br.end - br.start);
  bytes.appendix.write(text, br.start - bytes.prefixLength, 'latin1');

  const h = createHash(nodeHashName[hash]);
  const prefixHash = (async () => {
    // The prefix lies wholly before the hole (the hole is in the appendix). One reused 1 MB
    // buffer keeps memory flat (per-chunk buffers pile up as external memory until a GC).
    const src = await open(options.copyFrom ?? temp, 'r');
    try {
      await hashRanges(src, [[0, bytes.prefixLength]], hash, options.signal, h);
    } finally {
      await src.close();
    }
  })();
  try {
    // The kernel copy ends well before the hash of a large file: flush the copied prefix to
    // disk meanwhile, so the final fsync (after the signature) has only the update left.
    const copy = options.copyFrom ? copyForUpdate(options.copyFrom, temp).then(() => flushEarly(temp)) : Promise.resolve();
    await Promise.all([copy, prefixHash]);
    const fh = await open(temp, 'r+');
    try {
      await writeFully(fh, bytes.appendix, bytes.prefixLength);
      await fh.truncate(bytes.size);
    } finally {
      await fh.close();
    }
  } catch (e) {
    await prefixHash.catch(() => undefined);
    if (e instanceof KysoError) throw e;
    throw writeError(e, temp);
  }
  const rel = hole.start - bytes.prefixLength;
  h.update(bytes.appendix.subarray(0, rel));
  h.update(bytes.appendix.subarray(rel + (hole.end - hole.start)));
  return { temp, hole, size: bytes.size, digest: h.digest() };
}
