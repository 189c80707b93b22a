/**
 * A minimal BER/DER element reader over bytes: where each element's tag, content and end are,
 * without building objects for every node. The validator reads the CMS envelope of every
 * signature with it (cms-parse.ts): asn1js and pkijs build and compare a full schema tree for
 * each SignedData, which was most of a signature's validation time. Definite and indefinite
 * lengths, multi-byte tags and constructed strings are read; malformed input throws.
 */

/** One element: offsets into the bytes it was read from. */
export interface Tlv {
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the content. */
  content: number;
  /** End of the content (before the end-of-contents octets of an indefinite length). */
  contentEnd: number;
  /** End of the element. */
  end: number;
  /** Class (0 universal, 1 application, 2 context, 3 private). */
  cls: number;
  constructed: boolean;
  /** Tag number. */
  num: number;
  /** The first identifier octet (class, constructed bit and a low tag number: 0x30 for SEQUENCE). */
  tag: number;
}

/** Deepest nesting walked (indefinite lengths are found by walking their children). */
const MAX_DEPTH = 64;

/** Universal tag numbers used by the callers. */
export const UNIVERSAL = { integer: 2, octetString: 4, null: 5, oid: 6, sequence: 16, set: 17, utcTime: 23, generalizedTime: 24 } as const;

/** Reads the element at `pos` of `b` (throws on malformed or truncated input). */
export function readTlv(b: Uint8Array, pos: number, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw new Error('BER nested too deeply');
  if (pos + 2 > b.length) throw new Error('BER truncated');
  const tag = b[pos]!;
  const cls = tag >> 6;
  const constructed = (tag & 0x20) !== 0;
  let num = tag & 0x1f;
  let p = pos + 1;
  if (num === 0x1f) {
    num = 0;
    for (let i = 0; ; i++) {
      if (p >= b.length || i > 3) throw new Error('BER tag too long');
      const c = b[p++]!;
      num = num * 128 + (c & 0x7f);
      if (!(c & 0x80)) break;
    }
  }
  if (p >= b.length) throw new Error('BER truncated');
  const l = b[p++]!;
  if (l === 0x80) {
    if (!constructed) throw new Error('BER indefinite length on a primitive');
    let q = p;
    for (;;) {
      if (q + 2 > b.length) throw new Error('BER truncated');
      if (b[q] === 0 && b[q + 1] === 0) break;
      q = readTlv(b, q, depth + 1).end;
    }
    return { start: pos, content: p, contentEnd: q, end: q + 2, cls, constructed, num, tag };
  }
  let len = l;
  if (l & 0x80) {
    const n = l & 0x7f;
    if (n === 0 || n > 4) throw new Error('BER bad length');
    len = 0;
    for (let i = 0; i < n; i++) {
      if (p >= b.length) throw new Error('BER truncated');
      len = len * 256 + b[p++]!;
    }
  }
  if (p + len > b.length) throw new Error('BER length past the end');
  return { start: pos, content: p, contentEnd: p + len, end: p + len, cls, constructed, num, tag };
}

/** The elements inside a constructed element. */
export function childrenOf(b: Uint8Array, t: Tlv, depth = 0): Tlv[] {
  if (!t.constructed) throw new Error('BER primitive has no children');
  const out: Tlv[] = [];
  for (let p = t.content; p < t.contentEnd; ) {
    const c = readTlv(b, p, depth + 1);
    out.push(c);
    p = c.end;
  }
  return out;
}

/** True when `t` is the universal type `num` (any encoding form). */
export function isUniversal(t: Tlv | undefined, num: number): t is Tlv {
  return !!t && t.cls === 0 && t.num === num;
}

/** The element's bytes, tag to end. */
export function bytesOf(b: Uint8Array, t: Tlv): Buffer {
  return Buffer.from(b.buffer, b.byteOffset + t.start, t.end - t.start);
}

/** The content octets of a primitive element. */
export function contentOf(b: Uint8Array, t: Tlv): Buffer {
  if (t.constructed) throw new Error('BER constructed where primitive expected');
  return Buffer.from(b.buffer, b.byteOffset + t.content, t.contentEnd - t.content);
}

/** The bytes of a string type, primitive or constructed from chunks (BER). */
export function stringOf(b: Uint8Array, t: Tlv, depth = 0): Buffer {
  if (!t.constructed) return contentOf(b, t);
  if (depth > MAX_DEPTH) throw new Error('BER nested too deeply');
  return Buffer.concat(childrenOf(b, t, depth).map((c) => stringOf(b, c, depth + 1)));
}

/** The dotted form of an OBJECT IDENTIFIER element. */
export function oidOf(b: Uint8Array, t: Tlv): string {
  if (!isUniversal(t, UNIVERSAL.oid) || t.constructed || t.contentEnd === t.content) throw new Error('BER OID expected');
  const arcs: number[] = [];
  let v = 0;
  for (let p = t.content; p < t.contentEnd; p++) {
    const c = b[p]!;
    if (v === 0 && c === 0x80) throw new Error('BER OID padded');
    v = v * 128 + (c & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) throw new Error('BER OID arc too large');
    if (!(c & 0x80)) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    } else if (p + 1 === t.contentEnd) throw new Error('BER OID truncated');
  }
  return arcs.join('.');
}

/** The value of a small INTEGER element (a version number). */
export function smallIntOf(b: Uint8Array, t: Tlv): number {
  if (!isUniversal(t, UNIVERSAL.integer) || t.constructed) throw new Error('BER INTEGER expected');
  const n = t.contentEnd - t.content;
  if (n < 1 || n > 4) throw new Error('BER INTEGER out of range');
  let v = b[t.content]! & 0x80 ? -1 : 0;
  for (let p = t.content; p < t.contentEnd; p++) v = v * 256 + b[p]!;
  return v;
}
