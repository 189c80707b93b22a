/**
 * Takes the certificates out of a CMS ContentInfo(SignedData) at the byte level, before any
 * ASN.1 library sees it: asn1js parses every node of every certificate (most of a signature's
 * validation time), while the validator needs each distinct certificate once (cached by
 * content). Definite (DER) and indefinite (BER) lengths are walked; the result is the same
 * ContentInfo without its [0] certificates and [1] CRLs, rewritten with definite lengths.
 */

interface Tlv {
  /** Offset of the tag. */
  start: number;
  /** Offset of the content. */
  content: number;
  /** End of the element (after the end-of-contents octets for indefinite lengths). */
  end: number;
  /** End of the content (before end-of-contents). */
  contentEnd: number;
  tag: number;
}

/** Reads one element at `pos` (single-byte tags only: enough for the CMS envelope). */
function tlv(b: Uint8Array, pos: number, depth = 0): Tlv {
  if (depth > 64 || pos + 2 > b.length) throw new Error('bad BER');
  const tag = b[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('multi-byte tag');
  let p = pos + 1;
  const l = b[p++]!;
  if (l === 0x80) {
    if (!(tag & 0x20)) throw new Error('indefinite primitive');
    let q = p;
    while (!(b[q] === 0 && b[q + 1] === 0)) {
      if (q >= b.length) throw new Error('bad BER');
      q = tlv(b, q, depth + 1).end;
    }
    return { start: pos, content: p, contentEnd: q, end: q + 2, tag };
  }
  let len = l;
  if (l & 0x80) {
    const n = l & 0x7f;
    if (n > 4) throw new Error('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
  }
  if (p + len > b.length) throw new Error('bad length');
  return { start: pos, content: p, contentEnd: p + len, end: p + len, tag };
}

function children(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = t.content; p < t.contentEnd; ) {
    const c = tlv(b, p);
    out.push(c);
    p = c.end;
  }
  return out;
}

function header(tag: number, len: number): Buffer {
  if (len < 0x80) return Buffer.from([tag, len]);
  const bytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
}

const wrap = (tag: number, parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([header(tag, body.length), body]);
};

/** The ContentInfo without certificates and CRLs, and the certificates (DER), or null if not that shape. */
export function stripCertificates(der: Uint8Array): { cms: Buffer; certs: Buffer[] } | null {
  try {
    const b = der;
    const ci = tlv(b, 0);
    if (ci.tag !== 0x30) return null;
    const [oid, explicit] = children(b, ci);
    if (!oid || oid.tag !== 0x06 || !explicit || explicit.tag !== 0xa0) return null;
    const [sd] = children(b, explicit);
    if (!sd || sd.tag !== 0x30) return null;
    const certs: Buffer[] = [];
    const kept: Buffer[] = [];
    for (const c of children(b, sd)) {
      if (c.tag === 0xa0) {
        for (const x of children(b, c)) if (x.tag === 0x30) certs.push(Buffer.from(b.subarray(x.start, x.end)));
      } else if (c.tag !== 0xa1) kept.push(Buffer.from(b.subarray(c.start, c.end)));
    }
    const cms = wrap(0x30, [Buffer.from(b.subarray(oid.start, oid.end)), wrap(0xa0, [wrap(0x30, kept)])]);
    return { cms, certs };
  } catch {
    return null;
  }
}
