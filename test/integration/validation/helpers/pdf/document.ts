/**
 * A view of a PDF as of one revision: the file prefix up to `limit` read through its own xref
 * chain. The validator opens one view per signed revision and one for the whole file, which
 * is how it compares "what was signed" with "what is displayed now".
 */
import { decodeStream } from './filters.js';
import { dictOf, numOf, PdfDict, PdfFormatError, PdfRef, PdfStream, type PdfValue } from './objects.js';
import { Lexer, parseIndirect, type IndirectObject } from './parser.js';
import { findStartXref, readXrefChain, type XrefEntry, type XrefSection } from './xref.js';

const MAX_OBJSTM_OBJECTS = 100_000;

/** One revision's view of a PDF buffer. */
export class PdfView {
  /** Sections newest first. */
  readonly sections: XrefSection[];
  readonly entries = new Map<number, XrefEntry>();
  readonly trailer: PdfDict;
  readonly startXref: number;
  private readonly cache = new Map<number, IndirectObject | null>();
  private readonly loading = new Set<number>();
  private readonly objStms = new Map<number, { data: Buffer; offsets: Map<number, number> }>();

  constructor(
    readonly buf: Buffer,
    readonly limit: number = buf.length,
  ) {
    this.startXref = findStartXref(buf, limit);
    this.sections = readXrefChain(buf, this.startXref, limit, (r) => this.lengthOf(r));
    for (let i = this.sections.length - 1; i >= 0; i--) {
      for (const [n, e] of this.sections[i]!.entries) this.entries.set(n, e);
    }
    this.trailer = this.sections[0]!.trailer;
  }

  /** The indirect object `num` with its span, or null when free, missing or unreadable. */
  object(num: number): IndirectObject | null {
    if (this.cache.has(num)) return this.cache.get(num)!;
    if (this.loading.has(num)) throw new PdfFormatError(`circular reference through object ${num}`);
    this.loading.add(num);
    try {
      const obj = this.load(num);
      this.cache.set(num, obj);
      return obj;
    } finally {
      this.loading.delete(num);
    }
  }

  /** The value of object `num` (null when absent). */
  get(num: number): PdfValue {
    return this.object(num)?.value ?? null;
  }

  /** Follows references (bounded) to a direct value. */
  resolve(v: PdfValue | undefined): PdfValue | undefined {
    for (let i = 0; i < 32 && v instanceof PdfRef; i++) v = this.get(v.num);
    if (v instanceof PdfRef) throw new PdfFormatError('reference chain too long');
    return v;
  }

  /** Resolves and returns a dictionary (of a dict or stream), else undefined. */
  dict(v: PdfValue | undefined): PdfDict | undefined {
    return dictOf(this.resolve(v));
  }

  /** The document catalog. */
  catalog(): PdfDict {
    const root = this.dict(this.trailer.get('Root'));
    if (!root) throw new PdfFormatError('no document catalog');
    return root;
  }

  /** Object number of the catalog when it is indirect. */
  rootNum(): number | undefined {
    const r = this.trailer.get('Root');
    return r instanceof PdfRef ? r.num : undefined;
  }

  private lengthOf(r: PdfRef): number | undefined {
    try {
      return numOf(this.resolve(r));
    } catch {
      return undefined;
    }
  }

  private load(num: number): IndirectObject | null {
    const e = this.entries.get(num);
    if (!e || e.type === 'free') return null;
    if (e.type === 'offset') {
      const obj = parseIndirect(this.buf, e.offset, (r) => this.lengthOf(r), this.limit);
      // An xref entry pointing at another object's body is a redefinition, not that object.
      if (obj.num !== num) throw new PdfFormatError(`xref entry for ${num} points at object ${obj.num}`);
      return obj;
    }
    const stm = this.objStm(e.stream);
    const off = stm.offsets.get(num);
    if (off === undefined) return null;
    const lx = new Lexer(stm.data, off);
    const value = lx.value();
    return { num, gen: 0, value, start: -1, end: -1 };
  }

  private objStm(num: number): { data: Buffer; offsets: Map<number, number> } {
    const hit = this.objStms.get(num);
    if (hit) return hit;
    const s = this.get(num);
    if (!(s instanceof PdfStream)) throw new PdfFormatError(`object stream ${num} missing`);
    const data = decodeStream(s);
    const n = numOf(s.dict.get('N')) ?? 0;
    const first = numOf(s.dict.get('First')) ?? 0;
    if (n < 0 || n > MAX_OBJSTM_OBJECTS || first < 0 || first > data.length) throw new PdfFormatError('bad object stream header');
    const lx = new Lexer(data, 0, first);
    const offsets = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const a = lx.regularToken();
      const b = lx.regularToken();
      if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) break;
      offsets.set(Number(a), first + Number(b));
    }
    const entry = { data, offsets };
    this.objStms.set(num, entry);
    return entry;
  }
}

/** Offsets just after each `%%EOF` marker (and its end-of-line) in the buffer. */
export function eofOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  let at = buf.indexOf('%%EOF', 0, 'latin1');
  while (at >= 0) {
    let end = at + 5;
    if (buf[end] === 0x0d) end++;
    if (buf[end] === 0x0a) end++;
    out.push(end);
    at = buf.indexOf('%%EOF', at + 5, 'latin1');
  }
  return out;
}
