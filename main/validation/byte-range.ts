/**
 * /ByteRange structure: exactly two ranges, starting at 0, whose single gap is exactly this
 * signature's /Contents string, with the signature dictionary itself inside the signed bytes
 * and the signed part ending at an %%EOF. This is what defeats signature wrapping.
 */
import { createHash } from 'node:crypto';
import type { FoundSignature } from './fields.js';

/** Outcome of the byte range check. */
export type ByteRangeCheck =
  | { ok: true; range: [number, number, number, number]; signedEnd: number }
  | { ok: false; code: string; params: Record<string, string | number>; range: number[] | null };

/** Checks the byte range of a found signature against the file bytes. */
export function checkByteRange(buf: Buffer, s: FoundSignature): ByteRangeCheck {
  const br = s.byteRange;
  if (!Array.isArray(br)) return { ok: false, code: 'byteRangeMissing', params: {}, range: null };
  const nums = br.filter((x): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0);
  if (nums.length !== br.length) return { ok: false, code: 'byteRangeInvalid', params: {}, range: null };
  if (nums.length !== 4) return { ok: false, code: 'byteRangeOdd', params: { count: nums.length }, range: nums };
  const [a, b, c, d] = nums as [number, number, number, number];
  if (a !== 0) return { ok: false, code: 'byteRangeNotFromStart', params: { start: a }, range: nums };
  if (c < b) return { ok: false, code: 'byteRangeOverlap', params: {}, range: nums };
  if (c + d > buf.length) return { ok: false, code: 'byteRangeOutOfBounds', params: { end: c + d, size: buf.length }, range: nums };
  if (!s.contents || !s.contents.hex) return { ok: false, code: 'contentsMissing', params: {}, range: nums };
  if (s.objStart < 0) return { ok: false, code: 'sigDictInObjectStream', params: {}, range: nums };
  if (s.contents.start !== b || s.contents.end !== c) {
    return { ok: false, code: 'byteRangeNotContents', params: { gapStart: b, gapEnd: c, contentsStart: s.contents.start, contentsEnd: s.contents.end }, range: nums };
  }
  if (s.objStart >= b || s.objEnd > c + d) return { ok: false, code: 'sigDictOutsideRange', params: {}, range: nums };
  const tail = buf.toString('latin1', Math.max(0, c + d - 16), c + d).replace(/[\r\n\s]+$/, '');
  if (!tail.endsWith('%%EOF')) return { ok: false, code: 'signedRangeNotRevision', params: { end: c + d }, range: nums };
  return { ok: true, range: [a, b, c, d], signedEnd: c + d };
}

/** Hashes the two signed ranges. */
export function hashRanges(buf: Buffer, range: readonly number[], hash: string): Buffer {
  const h = createHash(hash);
  for (let i = 0; i + 1 < range.length; i += 2) h.update(buf.subarray(range[i]!, range[i]! + range[i + 1]!));
  return h.digest();
}
