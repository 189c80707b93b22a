/** /ByteRange arithmetic, streaming hashing over the ranges, and in-place patching. */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { KysoError } from '../api/errors.js';
import type { HashAlgorithm } from '../pki/signer.js';
import { nodeHashName } from './algorithms.js';
import { writeFully } from '../pdf/file-writes.js';

/** Position of the /Contents hex string: `start` at '<', `end` just after '>'. */
export interface ContentsHole {
  start: number;
  end: number;
}

/** The four /ByteRange numbers for a file of `size` bytes with the hole excluded. */
export function byteRangeFor(hole: ContentsHole, size: number): [number, number, number, number] {
  return [0, hole.start, hole.end, size - hole.end];
}


const CHUNK = 1 << 20;

/**
 * Hashes the bytes of `ranges` ([offset, length] pairs) from an open file in 1 MB reads. With
 * `into`, updates that hash and returns an empty buffer (the caller continues and digests).
 */
export async function hashRanges(fh: FileHandle, ranges: Array<[number, number]>, hash: HashAlgorithm, signal?: AbortSignal, into?: Hash): Promise<Buffer> {
  const h = into ?? createHash(nodeHashName[hash]);
  const buf = Buffer.allocUnsafe(CHUNK);
  for (const [offset, length] of ranges) {
    let done = 0;
    while (done < length) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, length - done), offset + done);
      if (bytesRead === 0) throw new KysoError('internal', { detail: 'file shorter than its ByteRange' });
      h.update(buf.subarray(0, bytesRead));
      done += bytesRead;
    }
  }
  return into ? Buffer.alloc(0) : h.digest();
}

/** Writes the CMS as upper-case hex into the hole, zero-padded; errors if it does not fit. */
export async function writeContents(fh: FileHandle, hole: ContentsHole, der: Uint8Array): Promise<void> {
  const capacity = (hole.end - hole.start - 2) / 2;
  if (der.length > capacity) throw new KysoError('signContentsTooSmall', { needed: der.length, capacity });
  const hex = Buffer.from(der).toString('hex').toUpperCase().padEnd(capacity * 2, '0');
  await writeFully(fh, Buffer.from(hex, 'latin1'), hole.start + 1);
}
