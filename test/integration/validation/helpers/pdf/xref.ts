/** Cross-reference sections (classic tables and xref streams) and the /Prev chain between them. */
import { decodeStream } from './filters.js';
import { nameOf, numOf, PdfDict, PdfFormatError, PdfStream, type PdfValue } from './objects.js';
import { Lexer, parseIndirect, type LengthResolver } from './parser.js';

/** Where an object lives according to one xref section. */
export type XrefEntry =
  | { type: 'free' }
  | { type: 'offset'; offset: number; gen: number }
  | { type: 'compressed'; stream: number; index: number };

/** One cross-reference section with its trailer. */
export interface XrefSection {
  offset: number;
  kind: 'table' | 'stream';
  trailer: PdfDict;
  entries: Map<number, XrefEntry>;
}

const MAX_SECTIONS = 4096;
const MAX_OBJECTS = 10_000_000;

/** Offset named by the last `startxref` before `limit`. */
export function findStartXref(buf: Buffer, limit: number): number {
  const at = buf.lastIndexOf('startxref', limit - 9, 'latin1');
  if (at < 0) throw new PdfFormatError('no startxref');
  const lx = new Lexer(buf, at + 9, limit);
  const tok = lx.regularToken();
  if (!/^\d+$/.test(tok)) throw new PdfFormatError('startxref without offset');
  return Number(tok);
}

/** Reads the chain of sections starting at `start`, newest first; loops and bad offsets throw. */
export function readXrefChain(buf: Buffer, start: number, limit: number, resolveLength: LengthResolver): XrefSection[] {
  const sections: XrefSection[] = [];
  const seen = new Set<number>();
  let offset: number | undefined = start;
  while (offset !== undefined) {
    if (seen.has(offset)) throw new PdfFormatError(`xref /Prev loop at ${offset}`);
    if (sections.length >= MAX_SECTIONS) throw new PdfFormatError('too many xref sections');
    seen.add(offset);
    let sec: XrefSection;
    try {
      sec = readSection(buf, offset, limit, resolveLength);
    } catch (e) {
      // A fixture producer that writes a broken /Prev still reads its own newest section.
      if (!sections.length) throw e;
      break;
    }
    sections.push(sec);
    // A hybrid file's table trailer points at an xref stream holding the compressed objects.
    const stm = numOf(sec.trailer.get('XRefStm'));
    if (sec.kind === 'table' && stm !== undefined && !seen.has(stm)) {
      try {
        const extra = readSection(buf, stm, limit, resolveLength);
        for (const [n, e] of extra.entries) if (!sec.entries.has(n)) sec.entries.set(n, e);
      } catch {
        // The table alone still describes the file for readers that ignore XRefStm.
      }
    }
    offset = numOf(sec.trailer.get('Prev'));
  }
  return sections;
}

function readSection(buf: Buffer, offset: number, limit: number, resolveLength: LengthResolver): XrefSection {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= limit) throw new PdfFormatError(`xref offset ${offset} out of range`);
  const lx = new Lexer(buf, offset, limit);
  const save = lx.pos;
  if (lx.regularToken() === 'xref') return readTable(lx, offset);
  lx.pos = save;
  const obj = parseIndirect(buf, offset, resolveLength, limit);
  if (!(obj.value instanceof PdfStream) || nameOf(obj.value.dict.get('Type')) !== 'XRef') throw new PdfFormatError(`no xref at ${offset}`);
  return readStreamSection(obj.value, offset);
}

function readTable(lx: Lexer, offset: number): XrefSection {
  const entries = new Map<number, XrefEntry>();
  for (;;) {
    const save = lx.pos;
    const tok = lx.regularToken();
    if (tok === 'trailer') break;
    const countTok = lx.regularToken();
    if (!/^\d+$/.test(tok) || !/^\d+$/.test(countTok)) {
      lx.pos = save;
      throw new PdfFormatError(`bad xref subsection at ${save}`);
    }
    const first = Number(tok);
    const count = Number(countTok);
    if (first + count > MAX_OBJECTS) throw new PdfFormatError('xref subsection too large');
    for (let i = 0; i < count; i++) {
      const off = lx.regularToken();
      const gen = lx.regularToken();
      const kind = lx.regularToken();
      if (!/^\d+$/.test(off) || !/^\d+$/.test(gen) || (kind !== 'n' && kind !== 'f')) throw new PdfFormatError(`bad xref entry near ${lx.pos}`);
      const num = first + i;
      // Within one section the first entry for a number wins.
      if (entries.has(num)) continue;
      entries.set(num, kind === 'f' ? { type: 'free' } : { type: 'offset', offset: Number(off), gen: Number(gen) });
    }
  }
  const trailer = lx.value();
  if (!(trailer instanceof PdfDict)) throw new PdfFormatError('trailer is not a dictionary');
  return { offset, kind: 'table', trailer, entries };
}

function readStreamSection(s: PdfStream, offset: number): XrefSection {
  const w = s.dict.get('W');
  if (!Array.isArray(w) || w.length !== 3 || !w.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 8)) {
    throw new PdfFormatError('bad xref stream /W');
  }
  const [w0, w1, w2] = w as [number, number, number];
  const size = numOf(s.dict.get('Size')) ?? 0;
  const indexRaw: PdfValue | undefined = s.dict.get('Index');
  const index = Array.isArray(indexRaw) ? indexRaw.map((x) => (typeof x === 'number' ? x : -1)) : [0, size];
  const data = decodeStream(s);
  const rowLen = w0 + w1 + w2;
  if (rowLen === 0) throw new PdfFormatError('empty xref stream rows');
  const entries = new Map<number, XrefEntry>();
  let row = 0;
  for (let k = 0; k + 1 < index.length; k += 2) {
    const first = index[k]!;
    const count = index[k + 1]!;
    if (first < 0 || count < 0 || first + count > MAX_OBJECTS) throw new PdfFormatError('bad xref stream /Index');
    for (let i = 0; i < count; i++, row++) {
      const at = row * rowLen;
      if (at + rowLen > data.length) throw new PdfFormatError('xref stream shorter than its /Index');
      const field = (o: number, n: number, dflt: number): number => {
        if (n === 0) return dflt;
        let v = 0;
        for (let j = 0; j < n; j++) v = v * 256 + data[at + o + j]!;
        return v;
      };
      const type = field(0, w0, 1);
      const f1 = field(w0, w1, 0);
      const f2 = field(w0 + w1, w2, 0);
      const num = first + i;
      if (entries.has(num)) continue;
      if (type === 0) entries.set(num, { type: 'free' });
      else if (type === 1) entries.set(num, { type: 'offset', offset: f1, gen: f2 });
      else if (type === 2) entries.set(num, { type: 'compressed', stream: f1, index: f2 });
    }
  }
  return { offset, kind: 'stream', trailer: s.dict, entries };
}
