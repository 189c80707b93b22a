/**
 * Cross-reference sections: classic tables, xref streams (/W /Index, predictors) and hybrid
 * files (/XRefStm). One section is what one `startxref` or `/Prev` points to.
 */
import { KysoError } from '../api/errors.js';
import { decodeFilters } from './filters.js';
import { readIndirectAt, parseWindow } from './object-at.js';
import { PdfDict, PdfStream, type PdfObject } from './objects.js';
import { Keyword, NeedMoreData, type Parser } from './parser.js';
import type { FileSource } from './source.js';

/** Where an object lives: free, at a byte offset, or inside an object stream. */
export type XrefEntry =
  | { type: 'free'; gen: number }
  | { type: 'offset'; offset: number; gen: number }
  | { type: 'compressed'; stream: number; index: number; gen: 0 };

/** One parsed xref section with its trailer. */
export interface XrefSection {
  /** Offset the section starts at (the `startxref` / `/Prev` value). */
  offset: number;
  kind: 'table' | 'stream';
  entries: Map<number, XrefEntry>;
  trailer: PdfDict;
  /** Offset just after the trailer dict (table) or after `endobj` (stream). */
  end: number;
  /** Object number of the xref stream itself (kind 'stream'). */
  streamObject?: number;
  /** True when the section was unreadable and rebuilt from the objects of its revision. */
  rebuilt?: boolean;
}

/** Largest object number accepted (PDF's practical limit is 8,388,607). */
export const MAX_OBJECTS = 8_388_607;

const bad = (offset: number, detail: string): KysoError => new KysoError('pdfMalformed', { offset, detail });

/** Parses the xref section at `offset` (table or stream), merging a hybrid /XRefStm. */
export async function readXrefSection(src: FileSource, offset: number): Promise<XrefSection> {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= src.size) throw bad(offset, 'xref offset outside the file');
  const head = (await src.read(offset, 32)).toString('latin1');
  if (/^\s*xref/.test(head)) {
    const sec = await readTable(src, offset);
    const stm = sec.trailer.getNumber('XRefStm');
    if (stm !== undefined) {
      // Hybrid file: compressed objects are listed in the stream and free in the table.
      const extra = await readStream(src, stm);
      for (const [num, e] of extra.entries) {
        const cur = sec.entries.get(num);
        if (!cur || cur.type === 'free') sec.entries.set(num, e);
      }
    }
    return sec;
  }
  return readStream(src, offset);
}

async function readTable(src: FileSource, offset: number): Promise<XrefSection> {
  return parseWindow(src, offset, (p: Parser): XrefSection => {
    if (!p.acceptKeyword('xref')) p.fail('expected xref');
    const entries = new Map<number, XrefEntry>();
    for (;;) {
      if (p.acceptKeyword('trailer')) break;
      const start = p.expectInt('subsection start');
      const count = p.expectInt('subsection count');
      if (start + count > MAX_OBJECTS) p.fail('too many objects');
      // Ask for the whole subsection at once rather than growing the window step by step.
      const need = p.pos + count * 20 + 32;
      if (need > p.buf.length && !p.atEof) throw new NeedMoreData(need);
      for (let i = 0; i < count; i++) {
        const num = start + i;
        // Fast path: the standard fixed 20-byte entry "oooooooooo ggggg n\r\n".
        const fast = fixedEntry(p.buf, p.pos + leadingWs(p.buf, p.pos));
        let off: number, gen: number, used: boolean;
        if (fast) {
          p.pos += leadingWs(p.buf, p.pos) + 18;
          ({ off, gen, used } = fast);
        } else {
          off = p.expectInt('entry offset');
          gen = p.expectInt('entry generation');
          const t = p.parseAny();
          if (!(t instanceof Keyword) || (t.value !== 'n' && t.value !== 'f')) p.fail('bad xref entry type');
          used = t.value === 'n';
        }
        // First subsection wins on duplicates, as in common readers.
        if (entries.has(num)) continue;
        entries.set(num, used ? { type: 'offset', offset: off, gen } : { type: 'free', gen });
      }
    }
    const trailer = p.parseObject();
    if (!(trailer instanceof PdfDict)) p.fail('trailer is not a dictionary');
    return { offset, kind: 'table' as const, entries, trailer, end: p.offset };
  });
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

function leadingWs(b: Uint8Array, pos: number): number {
  let i = pos;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d)) i++;
  return i - pos;
}

/** Decodes a fixed-format entry at `at`, or null when the bytes do not match it exactly. */
function fixedEntry(b: Uint8Array, at: number): { off: number; gen: number; used: boolean } | null {
  // Needs the 18 significant bytes plus one following byte to know the token ended.
  if (at + 19 > b.length) return null;
  let off = 0;
  for (let i = 0; i < 10; i++) {
    const c = b[at + i];
    if (!isDigit(c)) return null;
    off = off * 10 + (c! - 0x30);
  }
  if (b[at + 10] !== 0x20) return null;
  let gen = 0;
  for (let i = 11; i < 16; i++) {
    const c = b[at + i];
    if (!isDigit(c)) return null;
    gen = gen * 10 + (c! - 0x30);
  }
  const t = b[at + 17];
  const after = b[at + 18]!;
  if (b[at + 16] !== 0x20 || (t !== 0x6e && t !== 0x66) || !(after === 0x20 || after === 0x0a || after === 0x0d)) return null;
  return { off, gen, used: t === 0x6e };
}

async function readStream(src: FileSource, offset: number): Promise<XrefSection> {
  const h = await readIndirectAt(src, offset);
  const d = h.value;
  if (!(d instanceof PdfDict) || h.streamOffset === undefined || d.getName('Type') !== 'XRef') throw bad(offset, 'expected an xref stream');
  const length = d.get('Length');
  if (typeof length !== 'number' || length < 0 || h.streamOffset + length > src.size) throw bad(offset, 'bad xref stream /Length');
  const raw = await src.read(h.streamOffset, length);
  const data = decodeFilters(raw, d.get('Filter'), d.get('DecodeParms'));
  const w = d.get('W');
  if (!Array.isArray(w) || w.length < 3 || !w.every((x) => typeof x === 'number' && x >= 0 && x <= 8)) throw bad(offset, 'bad /W');
  const [w0, w1, w2] = w as number[] as [number, number, number];
  const size = d.getNumber('Size');
  if (size === undefined || size < 0 || size > MAX_OBJECTS) throw bad(offset, 'bad /Size');
  const indexObj: PdfObject = d.get('Index') ?? [0, size];
  if (!Array.isArray(indexObj) || indexObj.length % 2 || !indexObj.every((x) => typeof x === 'number' && x >= 0)) throw bad(offset, 'bad /Index');
  const rowLen = w0 + w1 + w2;
  if (rowLen === 0) throw bad(offset, 'bad /W');
  const entries = new Map<number, XrefEntry>();
  let pos = 0;
  const field = (width: number, def: number): number => {
    if (width === 0) return def;
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 256 + data[pos++]!;
    return v;
  };
  for (let k = 0; k < indexObj.length; k += 2) {
    const start = indexObj[k] as number;
    const count = indexObj[k + 1] as number;
    if (start + count > MAX_OBJECTS) throw bad(offset, 'too many objects');
    for (let i = 0; i < count; i++) {
      if (pos + rowLen > data.length) throw bad(offset, 'xref stream data too short');
      const type = field(w0, 1);
      const f2 = field(w1, 0);
      const f3 = field(w2, 0);
      const num = start + i;
      if (entries.has(num)) continue;
      if (type === 0) entries.set(num, { type: 'free', gen: f3 });
      else if (type === 1) entries.set(num, { type: 'offset', offset: f2, gen: f3 });
      else if (type === 2) entries.set(num, { type: 'compressed', stream: f2, index: f3, gen: 0 });
      // Unknown types are to be ignored (treated as null objects) per ISO 32000.
    }
  }
  const trailer = d.clone();
  return { offset, kind: 'stream', entries, trailer, end: h.streamOffset + length, streamObject: h.num };
}

/** True for a stream whose dict says /Type /XRef (not an ordinary object). */
export function isXrefStream(o: PdfObject): boolean {
  return o instanceof PdfStream && o.dict.getName('Type') === 'XRef';
}
