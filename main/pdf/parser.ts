/**
 * Lexer and parser for PDF objects over a byte window of the file. The window may end before
 * the object does: the parser then throws NeedMoreData and the reader retries with more bytes.
 */
import { KysoError } from '../api/errors.js';
import { PdfDict, PdfName, PdfRef, PdfString, type PdfObject } from './objects.js';

/** Deepest array/dict nesting accepted; deeper input is refused, never recursed into. */
export const MAX_DEPTH = 200;

/** Thrown when the window ended before the object did (internal; the reader grows the window). */
export class NeedMoreData extends Error {
  constructor(
    /** Total window size (from the window start) known to be needed, when known. */
    readonly needed = 0,
  ) {
    super('need more data');
  }
}

/** True for PDF whitespace bytes. */
export function isWhite(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
}

/** True for PDF delimiter bytes. */
export function isDelim(c: number): boolean {
  return c === 0x28 || c === 0x29 || c === 0x3c || c === 0x3e || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x2f || c === 0x25;
}

const hexVal = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 55 : c >= 0x61 && c <= 0x66 ? c - 87 : -1);

/** Marker for a bare keyword in content streams (operators) or structure (obj, stream...). */
export class Keyword {
  constructor(readonly value: string) {}
}

/** The head of an indirect object: its numbers, value, and where stream data would start. */
export interface IndirectHead {
  num: number;
  gen: number;
  value: PdfObject;
  /** Absolute offset of the first stream data byte, when the object is a stream. */
  streamOffset?: number;
  /** Absolute offset just after the parsed value (or after `endobj` when present). */
  end: number;
}

/** Absolute byte span `[start, end)` of a parsed value in the file (delimiters included). */
export interface ValueSpan {
  start: number;
  end: number;
}

/** A byte-level parser over `buf`, whose first byte is at absolute offset `base` in the file. */
export class Parser {
  pos: number;
  /**
   * When set, the span of every string, array and dictionary parsed is recorded here. Off by
   * default (no cost); validation turns it on to check where /Contents really is.
   */
  spans: WeakMap<object, ValueSpan> | null = null;
  constructor(
    readonly buf: Uint8Array,
    pos = 0,
    readonly base = 0,
    /** True when the window reaches the real end of the file (end of data is then an error). */
    readonly atEof = true,
  ) {
    this.pos = pos;
  }

  /** Absolute file offset of the cursor. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Throws a malformed-PDF error at the cursor. */
  fail(detail: string): never {
    throw new KysoError('pdfMalformed', { offset: this.offset, detail });
  }

  private eof(): never {
    if (!this.atEof) throw new NeedMoreData();
    this.fail('unexpected end of file');
  }

  /** Skips whitespace and comments. */
  skipWs(): void {
    const b = this.buf;
    for (;;) {
      if (this.pos >= b.length) return;
      const c = b[this.pos]!;
      if (isWhite(c)) this.pos++;
      else if (c === 0x25) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else return;
    }
  }

  /** Peeks the next byte after whitespace, or -1 at end of window. */
  peek(): number {
    this.skipWs();
    return this.pos < this.buf.length ? this.buf[this.pos]! : -1;
  }

  /** Reads a regular-character run (number or keyword) at the cursor. */
  private word(): string {
    const b = this.buf;
    const start = this.pos;
    while (this.pos < b.length && !isWhite(b[this.pos]!) && !isDelim(b[this.pos]!)) this.pos++;
    if (this.pos >= b.length && !this.atEof) throw new NeedMoreData();
    return Buffer.from(b.subarray(start, this.pos)).toString('latin1');
  }

  /** Reads the next object, or a Keyword (operators in content streams, `endobj`, `stream`). */
  parseAny(depth = 0): PdfObject | Keyword {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const c = this.peek();
    if (c < 0) this.eof();
    switch (c) {
      case 0x2f: return this.parseName();
      case 0x28: return this.parseLiteral();
      case 0x5b: return this.parseArray(depth);
      case 0x3c:
        if (this.buf[this.pos + 1] === 0x3c) return this.parseDict(depth);
        if (this.pos + 1 >= this.buf.length) this.eof();
        return this.parseHex();
      case 0x5d: case 0x3e: case 0x29: case 0x7b: case 0x7d:
        this.pos++;
        return new Keyword(String.fromCharCode(c));
    }
    const w = this.word();
    if (w === '') {
      this.pos++;
      this.fail('unexpected byte');
    }
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(w)) {
      const n = Number(w);
      // An integer may start "num gen R": look ahead without consuming on mismatch.
      if (/^\d+$/.test(w)) {
        const save = this.pos;
        const r = this.tryRef(n);
        if (r) return r;
        this.pos = save;
      }
      return n;
    }
    if (/^[+-]?[\d.+-]+$/.test(w)) return parseFloat(w.replace(/^([+-])[+-]+/, '$1')) || 0;
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    return new Keyword(w);
  }

  private tryRef(num: number): PdfRef | null {
    const b = this.buf;
    let p = this.pos;
    const skip = (): void => {
      while (p < b.length && isWhite(b[p]!)) p++;
    };
    skip();
    const gs = p;
    while (p < b.length && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
    if (p >= b.length && !this.atEof) throw new NeedMoreData();
    if (p === gs || p - gs > 5) return null;
    const gen = Number(Buffer.from(b.subarray(gs, p)).toString('latin1'));
    if (p >= b.length || !isWhite(b[p]!)) return null;
    skip();
    if (p >= b.length && !this.atEof) throw new NeedMoreData();
    if (b[p] !== 0x52) return null;
    if (p + 1 < b.length && !isWhite(b[p + 1]!) && !isDelim(b[p + 1]!)) return null;
    if (p + 1 >= b.length && !this.atEof) throw new NeedMoreData();
    this.pos = p + 1;
    return new PdfRef(num, gen);
  }

  /** Reads the next object; a stray keyword is an error. */
  parseObject(depth = 0): PdfObject {
    const o = this.parseAny(depth);
    if (o instanceof Keyword) this.fail(`unexpected keyword ${o.value.slice(0, 20)}`);
    return o;
  }

  private parseName(): PdfName {
    this.pos++;
    const raw = this.word();
    if (!raw.includes('#')) return PdfName.of(raw);
    const bytes: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      const ch = raw.charCodeAt(i);
      const h1 = hexVal(raw.charCodeAt(i + 1));
      const h2 = hexVal(raw.charCodeAt(i + 2));
      if (ch === 0x23 && h1 >= 0 && h2 >= 0) {
        bytes.push(h1 * 16 + h2);
        i += 2;
      } else bytes.push(ch);
    }
    return PdfName.of(Buffer.from(bytes).toString('latin1'));
  }

  /** Records `o`'s span from `start` (window-relative) to the cursor when spans are on. */
  private span<T extends object>(o: T, start: number): T {
    this.spans?.set(o, { start: this.base + start, end: this.offset });
    return o;
  }

  private parseLiteral(): PdfString {
    const b = this.buf;
    const start = this.pos;
    this.pos++;
    const out: number[] = [];
    let nest = 1;
    for (;;) {
      if (this.pos >= b.length) this.eof();
      const c = b[this.pos++]!;
      if (c === 0x5c) {
        if (this.pos >= b.length) this.eof();
        const e = b[this.pos++]!;
        const map: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12 };
        if (map[e] !== undefined) out.push(map[e]);
        else if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let k = 0; k < 2 && this.pos < b.length && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37; k++) v = v * 8 + (b[this.pos++]! - 0x30);
          out.push(v & 0xff);
        } else if (e === 0x0d) {
          if (b[this.pos] === 0x0a) this.pos++;
        } else if (e !== 0x0a) out.push(e);
      } else if (c === 0x28) {
        nest++;
        out.push(c);
      } else if (c === 0x29) {
        if (--nest === 0) break;
        out.push(c);
      } else if (c === 0x0d) {
        if (b[this.pos] === 0x0a) this.pos++;
        out.push(0x0a);
      } else out.push(c);
    }
    return this.span(new PdfString(Uint8Array.from(out)), start);
  }

  private parseHex(): PdfString {
    const b = this.buf;
    const start = this.pos;
    // Fast path (signature /Contents: tens of thousands of digits): one run of hex digits.
    const close = b.indexOf(0x3e, start + 1);
    if (close > start && (close - start - 1) % 2 === 0) {
      const text = Buffer.from(b.buffer, b.byteOffset + start + 1, close - start - 1).toString('latin1');
      if (/^[0-9a-fA-F]*$/.test(text)) {
        this.pos = close + 1;
        return this.span(new PdfString(Buffer.from(text, 'hex'), true), start);
      }
    }
    this.pos++;
    const out: number[] = [];
    let hi = -1;
    for (;;) {
      if (this.pos >= b.length) this.eof();
      const c = b[this.pos++]!;
      if (c === 0x3e) break;
      if (isWhite(c)) continue;
      const v = hexVal(c);
      if (v < 0) {
        this.pos--;
        this.fail('bad hex string');
      }
      if (hi < 0) hi = v;
      else {
        out.push(hi * 16 + v);
        hi = -1;
      }
    }
    if (hi >= 0) out.push(hi * 16);
    return this.span(new PdfString(Uint8Array.from(out), true), start);
  }

  private parseArray(depth: number): PdfObject[] {
    const start = this.pos;
    this.pos++;
    const out: PdfObject[] = [];
    for (;;) {
      const c = this.peek();
      if (c < 0) this.eof();
      if (c === 0x5d) {
        this.pos++;
        return this.span(out, start);
      }
      out.push(this.parseObject(depth + 1));
    }
  }

  private parseDict(depth: number): PdfDict {
    const start = this.pos;
    this.pos += 2;
    const d = new PdfDict();
    for (;;) {
      const c = this.peek();
      if (c < 0) this.eof();
      if (c === 0x3e) {
        if (this.pos + 1 >= this.buf.length) this.eof();
        if (this.buf[this.pos + 1] !== 0x3e) this.fail('expected >>');
        this.pos += 2;
        return this.span(d, start);
      }
      if (c !== 0x2f) this.fail('expected a name key in dictionary');
      const k = this.parseName();
      if (this.peek() === 0x3e) {
        d.set(k.value, null); // key without value: tolerated as null
        continue;
      }
      d.set(k.value, this.parseObject(depth + 1));
    }
  }

  /** Expects a keyword at the cursor; returns false (cursor unchanged) when absent. */
  acceptKeyword(kw: string): boolean {
    const save = this.pos;
    if (this.peek() < 0) {
      if (!this.atEof) throw new NeedMoreData();
      return false;
    }
    const w = this.word();
    if (w === kw) return true;
    this.pos = save;
    return false;
  }

  /** Reads a non-negative integer token, or fails. */
  expectInt(what: string): number {
    this.skipWs();
    const w = this.word();
    if (!/^\d+$/.test(w)) this.fail(`expected ${what}`);
    return Number(w);
  }

  /** Parses `num gen obj value [stream|endobj]` at the cursor. */
  parseIndirect(): IndirectHead {
    const num = this.expectInt('object number');
    const gen = this.expectInt('generation');
    if (!this.acceptKeyword('obj')) this.fail('expected obj');
    const value = this.parseObject();
    const save = this.pos;
    if (value instanceof PdfDict && this.acceptKeyword('stream')) {
      // Data starts after CRLF or LF (a lone CR is tolerated as broken writers emit it).
      if (this.pos >= this.buf.length) this.eof();
      if (this.buf[this.pos] === 0x0d) this.pos++;
      if (this.pos >= this.buf.length && !this.atEof) throw new NeedMoreData();
      if (this.buf[this.pos] === 0x0a) this.pos++;
      return { num, gen, value, streamOffset: this.offset, end: this.offset };
    }
    this.pos = save;
    const end = this.acceptKeyword('endobj') ? this.offset : this.base + save;
    return { num, gen, value, end };
  }
}
