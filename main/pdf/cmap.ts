/** ToUnicode CMaps: code -> Unicode text (bfchar and bfrange, incl. array destinations). */
import { PdfString, type PdfObject } from './objects.js';
import { Keyword, Parser } from './parser.js';

/** A parsed ToUnicode map plus the code byte lengths seen in its codespace ranges. */
export interface ToUnicode {
  map: Map<number, string>;
  /** Byte length of codes (1 for simple fonts, usually 2 for Identity-H). */
  codeLength: number;
}

const MAX_RANGE = 65536;

const bytesToInt = (b: Uint8Array): number => b.reduce((v, x) => v * 256 + x, 0);

/** UTF-16BE bytes to a JS string. */
function utf16(b: Uint8Array): string {
  if (b.length % 2) return Buffer.from(b).toString('latin1');
  return Buffer.from(b).swap16().toString('utf16le');
}

/** Parses CMap program text. Unknown constructs are skipped; never throws on bad input. */
export function parseToUnicode(data: Uint8Array): ToUnicode {
  const map = new Map<number, string>();
  let codeLength = 0;
  const p = new Parser(data, 0, 0, true);
  const stack: PdfObject[] = [];
  let mode: 'none' | 'char' | 'range' | 'space' = 'none';
  for (let guard = 0; guard < 2_000_000; guard++) {
    let t: PdfObject | Keyword;
    try {
      if (p.peek() < 0) break;
      t = p.parseAny();
    } catch {
      p.pos++;
      continue;
    }
    if (t instanceof Keyword) {
      const k = t.value;
      if (k === 'beginbfchar') mode = 'char';
      else if (k === 'beginbfrange') mode = 'range';
      else if (k === 'begincodespacerange') mode = 'space';
      else if (k.startsWith('end')) mode = 'none';
      stack.length = 0;
      continue;
    }
    if (mode === 'none') continue;
    stack.push(t);
    if (mode === 'space' && stack.length === 2) {
      const a = stack[0];
      if (a instanceof PdfString) codeLength = Math.max(codeLength, a.bytes.length);
      stack.length = 0;
    } else if (mode === 'char' && stack.length === 2) {
      const [src, dst] = stack;
      if (src instanceof PdfString && dst instanceof PdfString) map.set(bytesToInt(src.bytes), utf16(dst.bytes));
      if (src instanceof PdfString) codeLength ||= src.bytes.length;
      stack.length = 0;
    } else if (mode === 'range' && stack.length === 3) {
      const [lo, hi, dst] = stack;
      stack.length = 0;
      if (!(lo instanceof PdfString) || !(hi instanceof PdfString)) continue;
      codeLength ||= lo.bytes.length;
      const a = bytesToInt(lo.bytes);
      const b = Math.min(bytesToInt(hi.bytes), a + MAX_RANGE);
      if (Array.isArray(dst)) {
        for (let c = a; c <= b; c++) {
          const d = dst[c - a];
          if (d instanceof PdfString) map.set(c, utf16(d.bytes));
        }
      } else if (dst instanceof PdfString && dst.bytes.length >= 1) {
        // The last byte of the destination is incremented across the range.
        const base = Buffer.from(dst.bytes);
        for (let c = a; c <= b; c++) {
          const cur = Buffer.from(base);
          const last = cur.length - 1;
          const v = cur[last]! + (c - a);
          cur[last] = v & 0xff;
          if (last > 0 && v > 0xff) cur[last - 1] = (cur[last - 1]! + (v >> 8)) & 0xff;
          map.set(c, utf16(cur));
        }
      }
    }
  }
  return { map, codeLength: codeLength || 1 };
}
