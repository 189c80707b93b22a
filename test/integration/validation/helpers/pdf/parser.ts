/**
 * Bounded PDF object parser: reads one value or indirect object at an offset. Every loop is
 * bounded by the buffer and a nesting limit, so hostile files fail with PdfFormatError
 * instead of hanging or overflowing the stack.
 */
import { PdfDict, PdfFormatError, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from './objects.js';

const MAX_DEPTH = 64;

/** True for PDF whitespace bytes. */
export function isWhite(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
}

/** True for PDF delimiter bytes. */
function isDelim(c: number | undefined): boolean {
  return c === 0x28 || c === 0x29 || c === 0x3c || c === 0x3e || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x2f || c === 0x25;
}

/** Resolves a /Length given as a reference (returns undefined when it cannot). */
export type LengthResolver = (ref: PdfRef) => number | undefined;

/** A cursor over a PDF buffer. */
export class Lexer {
  pos: number;

  constructor(
    readonly buf: Buffer,
    pos = 0,
    readonly end = buf.length,
  ) {
    this.pos = pos;
  }

  /** Skips whitespace and comments. */
  skipSpace(): void {
    const b = this.buf;
    while (this.pos < this.end) {
      const c = b[this.pos];
      if (isWhite(c)) this.pos++;
      else if (c === 0x25) {
        while (this.pos < this.end && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else break;
    }
  }

  /** Reads a bare keyword or number token without consuming anything else. */
  regularToken(): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.end && !isWhite(this.buf[this.pos]) && !isDelim(this.buf[this.pos])) this.pos++;
    return this.buf.toString('latin1', start, this.pos);
  }

  /** Reads a value; numbers followed by `gen R` become references. */
  value(depth = 0): PdfValue {
    if (depth > MAX_DEPTH) throw new PdfFormatError('nesting too deep');
    this.skipSpace();
    if (this.pos >= this.end) throw new PdfFormatError('unexpected end of data');
    const b = this.buf;
    const c = b[this.pos]!;
    const start = this.pos;
    if (c === 0x2f) return this.name();
    if (c === 0x28) return this.literalString();
    if (c === 0x3c) {
      if (b[this.pos + 1] === 0x3c) return this.dict(depth);
      return this.hexString();
    }
    if (c === 0x5b) {
      this.pos++;
      const arr: PdfValue[] = [];
      for (;;) {
        this.skipSpace();
        if (this.pos >= this.end) throw new PdfFormatError('unterminated array');
        if (b[this.pos] === 0x5d) {
          this.pos++;
          return arr;
        }
        arr.push(this.value(depth + 1));
      }
    }
    const tok = this.regularToken();
    if (tok === '') throw new PdfFormatError(`unexpected byte 0x${c.toString(16)} at ${start}`);
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (tok === 'null') return null;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(tok)) {
      const n = Number(tok);
      if (/^\d+$/.test(tok)) {
        // Look ahead for `gen R` without committing.
        const save = this.pos;
        const gen = this.regularToken();
        if (/^\d+$/.test(gen)) {
          const r = this.regularToken();
          if (r === 'R') return new PdfRef(n, Number(gen));
        }
        this.pos = save;
      }
      return n;
    }
    throw new PdfFormatError(`unexpected token "${tok.slice(0, 20)}" at ${start}`);
  }

  private name(): PdfName {
    this.pos++;
    const start = this.pos;
    while (this.pos < this.end && !isWhite(this.buf[this.pos]) && !isDelim(this.buf[this.pos])) this.pos++;
    const raw = this.buf.toString('latin1', start, this.pos);
    return new PdfName(raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
  }

  private dict(depth: number): PdfDict {
    const start = this.pos;
    this.pos += 2;
    const map = new Map<string, PdfValue>();
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.end) throw new PdfFormatError('unterminated dictionary');
      if (this.buf[this.pos] === 0x3e && this.buf[this.pos + 1] === 0x3e) {
        this.pos += 2;
        return new PdfDict(map, start, this.pos);
      }
      const key = this.value(depth + 1);
      if (!(key instanceof PdfName)) throw new PdfFormatError(`dictionary key is not a name at ${this.pos}`);
      map.set(key.name, this.value(depth + 1));
    }
  }

  private hexString(): PdfString {
    const start = this.pos;
    const close = this.buf.indexOf(0x3e, this.pos + 1);
    if (close < 0 || close >= this.end) throw new PdfFormatError('unterminated hex string');
    let hex = this.buf.toString('latin1', this.pos + 1, close).replace(/[\s\0]/g, '');
    if (!/^[0-9a-fA-F]*$/.test(hex)) throw new PdfFormatError(`invalid hex string at ${start}`);
    if (hex.length % 2) hex += '0';
    this.pos = close + 1;
    return new PdfString(Buffer.from(hex, 'hex'), true, start, this.pos);
  }

  private literalString(): PdfString {
    const start = this.pos;
    const b = this.buf;
    const out: number[] = [];
    let nest = 1;
    this.pos++;
    while (this.pos < this.end) {
      const c = b[this.pos++]!;
      if (c === 0x5c) {
        const n = b[this.pos++];
        if (n === undefined) break;
        const map: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12 };
        if (map[n] !== undefined) out.push(map[n]);
        else if (n >= 0x30 && n <= 0x37) {
          let v = n - 0x30;
          for (let k = 0; k < 2 && (b[this.pos] ?? 0) >= 0x30 && (b[this.pos] ?? 0) <= 0x37; k++) v = v * 8 + (b[this.pos++]! - 0x30);
          out.push(v & 0xff);
        } else if (n === 0x0d) {
          if (b[this.pos] === 0x0a) this.pos++;
        } else if (n !== 0x0a) out.push(n);
      } else if (c === 0x28) {
        nest++;
        out.push(c);
      } else if (c === 0x29) {
        if (--nest === 0) return new PdfString(Buffer.from(out), false, start, this.pos);
        out.push(c);
      } else out.push(c);
    }
    throw new PdfFormatError('unterminated literal string');
  }
}

/** An indirect object as read from the file. */
export interface IndirectObject {
  num: number;
  gen: number;
  value: PdfValue;
  /** Offset of the `num gen obj` header. */
  start: number;
  /** Offset just after `endobj` (or after the value when endobj is missing). */
  end: number;
}

/** Reads `num gen obj ... endobj` at `offset`, including stream data. */
export function parseIndirect(buf: Buffer, offset: number, resolveLength: LengthResolver, limit = buf.length): IndirectObject {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= limit) throw new PdfFormatError(`object offset ${offset} out of range`);
  const lx = new Lexer(buf, offset, limit);
  lx.skipSpace();
  const start = lx.pos;
  const num = lx.regularToken();
  const gen = lx.regularToken();
  const kw = lx.regularToken();
  if (!/^\d+$/.test(num) || !/^\d+$/.test(gen) || kw !== 'obj') throw new PdfFormatError(`no object header at ${offset}`);
  let value = lx.value();
  const afterValue = lx.pos;
  const next = lx.regularToken();
  if (next === 'stream' && value instanceof PdfDict) {
    let p = lx.pos;
    if (buf[p] === 0x0d) p++;
    if (buf[p] === 0x0a) p++;
    value = readStreamData(buf, value, p, resolveLength, limit);
    lx.pos = p + value.data.length;
    const es = lx.regularToken();
    if (es !== 'endstream') throw new PdfFormatError(`missing endstream at ${lx.pos}`);
    return finishObject(lx, num, gen, value, start);
  }
  lx.pos = afterValue;
  return finishObject(lx, num, gen, value, start);
}

function finishObject(lx: Lexer, num: string, gen: string, value: PdfValue, start: number): IndirectObject {
  const save = lx.pos;
  if (lx.regularToken() !== 'endobj') lx.pos = save;
  return { num: Number(num), gen: Number(gen), value, start, end: lx.pos };
}

function readStreamData(buf: Buffer, dict: PdfDict, dataStart: number, resolveLength: LengthResolver, limit: number): PdfStream {
  const raw = dict.get('Length');
  const len = raw instanceof PdfRef ? resolveLength(raw) : typeof raw === 'number' ? raw : undefined;
  // Trust the declared length only when it fits and `endstream` follows; huge or wrong
  // lengths fall back to searching for the keyword (bounded by the buffer).
  if (len !== undefined && Number.isSafeInteger(len) && len >= 0 && dataStart + len <= limit) {
    const lx = new Lexer(buf, dataStart + len, limit);
    if (lx.regularToken() === 'endstream') return new PdfStream(dict, buf.subarray(dataStart, dataStart + len), dataStart);
  }
  const es = buf.indexOf('endstream', dataStart, 'latin1');
  if (es < 0 || es > limit) throw new PdfFormatError(`stream without endstream at ${dataStart}`);
  let end = es;
  if (buf[end - 1] === 0x0a) end--;
  if (buf[end - 1] === 0x0d) end--;
  return new PdfStream(dict, buf.subarray(dataStart, Math.max(dataStart, end)), dataStart);
}
