/**
 * /ByteRange structure: exactly two ranges, starting at 0, whose single gap is exactly this
 * signature's /Contents string, with the signature dictionary itself inside the signed bytes
 * and the signed part ending at an %%EOF. This is what defeats signature wrapping.
 */
import { createHash, createVerify, type KeyObject } from 'node:crypto';
import type { VerifyParams } from '../pki/algorithms.js';
import type { FileSource } from '../pdf/source.js';
import type { FoundSignature } from './fields.js';

/** Outcome of the byte range check. */
export type ByteRangeCheck =
  | { ok: true; range: [number, number, number, number]; signedEnd: number }
  | { ok: false; code: string; params: Record<string, string | number>; range: number[] | null };

/** Checks the byte range of a found signature against the file. */
export async function checkByteRange(src: FileSource, s: FoundSignature): Promise<ByteRangeCheck> {
  const br = s.byteRange;
  if (!Array.isArray(br)) return { ok: false, code: 'byteRangeMissing', params: {}, range: null };
  const nums = br.filter((x): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0);
  if (nums.length !== br.length) return { ok: false, code: 'byteRangeInvalid', params: {}, range: null };
  if (nums.length !== 4) return { ok: false, code: 'byteRangeOdd', params: { count: nums.length }, range: nums };
  const [a, b, c, d] = nums as [number, number, number, number];
  if (a !== 0) return { ok: false, code: 'byteRangeNotFromStart', params: { start: a }, range: nums };
  if (c < b) return { ok: false, code: 'byteRangeOverlap', params: {}, range: nums };
  if (c + d > src.size) return { ok: false, code: 'byteRangeOutOfBounds', params: { end: c + d, size: src.size }, range: nums };
  if (!s.contents || !s.contents.hex) return { ok: false, code: 'contentsMissing', params: {}, range: nums };
  if (s.objStart < 0) return { ok: false, code: 'sigDictInObjectStream', params: {}, range: nums };
  const cs = s.contentsSpan;
  if (!cs || cs.start !== b || cs.end !== c) {
    return { ok: false, code: 'byteRangeNotContents', params: { gapStart: b, gapEnd: c, contentsStart: cs?.start ?? -1, contentsEnd: cs?.end ?? -1 }, range: nums };
  }
  if (s.objStart >= b || s.objEnd > c + d) return { ok: false, code: 'sigDictOutsideRange', params: {}, range: nums };
  const tail = (await src.read(Math.max(0, c + d - 16), Math.min(16, c + d))).toString('latin1').replace(/[\r\n\s]+$/, '');
  if (!tail.endsWith('%%EOF')) return { ok: false, code: 'signedRangeNotRevision', params: { end: c + d }, range: nums };
  return { ok: true, range: [a, b, c, d], signedEnd: c + d };
}

/** Every digest a CMS or timestamp token may name (main/pki/algorithms.ts). */
export const RANGE_HASHES = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;

/** Calls `each` with the signed ranges' bytes in 1 MB reads. */
async function eachChunk(src: FileSource, range: readonly number[], each: (b: Buffer) => void): Promise<void> {
  const chunk = 1 << 20;
  for (let i = 0; i + 1 < range.length; i += 2) {
    const start = range[i]!;
    const end = start + range[i + 1]!;
    for (let pos = start; pos < end; pos += chunk) {
      const part = await src.read(pos, Math.min(chunk, end - pos));
      if (part.length === 0) break;
      each(part);
    }
  }
}

/**
 * Verifies a signature made directly over the signed ranges (CMS without signed attributes),
 * streamed like the digests.
 */
export async function verifyRanges(src: FileSource, range: readonly number[], p: VerifyParams, key: KeyObject, sig: Uint8Array): Promise<boolean> {
  const v = createVerify(p.hash);
  await eachChunk(src, range, (b) => v.update(b));
  try {
    return v.verify(p.padding === undefined ? key : { key, padding: p.padding, ...(p.saltLength !== undefined ? { saltLength: p.saltLength } : {}) }, sig);
  } catch {
    return false;
  }
}

/**
 * Digests of the signed ranges, streamed from the file in 1 MB reads (never the whole file in
 * memory); all algorithms in one pass, because the CMS checks ask for them synchronously.
 */
export async function hashRanges(src: FileSource, range: readonly number[], hashes: readonly string[] = RANGE_HASHES): Promise<Map<string, Buffer>> {
  const hs = hashes.map((n) => [n, createHash(n)] as const);
  await eachChunk(src, range, (part) => {
    for (const [, h] of hs) h.update(part);
  });
  return new Map(hs.map(([n, h]) => [n, h.digest()]));
}

/**
 * SHA-256 digests of every signature's byte ranges in one pass over the file. Each range is
 * `[0, b)` + `[c, e)`: one running hash goes through the file, is copied at each `b`, and each
 * copy only adds its own `[c, e)`. n signatures then read the file about once instead of n
 * times (25 signatures over a 1 MB scan: 25 MB hashed before). Other algorithms, and ranges
 * not announced, are hashed on request as before.
 */
export class RangeDigests {
  private done: Promise<Map<string, Buffer>> | null = null;

  constructor(
    private readonly src: FileSource,
    private readonly ranges: Array<readonly number[]>,
  ) {}

  /** Digests of `range` for `hashes`, from the shared pass when it has them. */
  async get(range: readonly number[], hashes: readonly string[] = RANGE_HASHES): Promise<Map<string, Buffer>> {
    const key = range.join(',');
    if (hashes.length === 1 && hashes[0] === 'sha256' && this.ranges.some((r) => r.join(',') === key)) {
      this.done ??= this.pass();
      const hit = (await this.done).get(key);
      if (hit) return new Map([['sha256', hit]]);
    }
    return hashRanges(this.src, range, hashes);
  }

  private async pass(): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const ok = this.ranges.filter((r): r is [number, number, number, number] => r.length === 4 && r[0] === 0 && r[1]! <= r[2]! && r[2]! + r[3]! <= this.src.size);
    const sorted = [...ok].sort((a, b) => a[1] - b[1]);
    const running = createHash('sha256');
    let pos = 0;
    for (const r of sorted) {
      await eachChunk(this.src, [pos, r[1] - pos], (b) => running.update(b));
      pos = r[1];
      const h = running.copy();
      await eachChunk(this.src, [r[2], r[3]], (b) => h.update(b));
      out.set(r.join(','), h.digest());
    }
    return out;
  }
}
