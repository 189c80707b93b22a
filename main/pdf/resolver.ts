/**
 * Object resolution as of one revision: xref entry -> object (direct or in an object stream),
 * with lazy stream data, /Length checks, a bounded cache and cycle detection.
 */
import { KysoError } from '../api/errors.js';
import { decodeFilters } from './filters.js';
import { readIndirectAt } from './object-at.js';
import { PdfDict, PdfRef, PdfStream, type PdfObject, type StreamSource } from './objects.js';
import { Parser, type ValueSpan } from './parser.js';
import { lookupEntry, type Revision } from './revisions.js';
import type { FileSource } from './source.js';
import type { XrefEntry } from './xref.js';
import type { DocumentCrypt } from './crypt/document.js';

/** Shared state of one open file: the source, revisions and caches. */
export interface ResolverContext {
  src: FileSource;
  revisions: Revision[];
  cache: Lru<PdfObject>;
  objStreams: Lru<ObjStmIndex>;
  /** Fallback offsets from a repair scan, used when an xref offset is wrong. */
  fallback?: (num: number) => Promise<number | undefined>;
  /** Set when a fallback offset was needed. */
  usedFallback: boolean;
  /** Decryption of an encrypted document (strings and stream data of every loaded object). */
  crypt?: DocumentCrypt;
}

/** A decoded object stream: its data and the offset of each member object. */
export interface ObjStmIndex {
  data: Uint8Array;
  members: { num: number; offset: number }[];
}

/** A small LRU map: reading a big file must not grow memory without bound. */
export class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  /** Returns and refreshes an entry. */
  get(k: string): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  /** Adds an entry, evicting the oldest beyond capacity. */
  set(k: string, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  /** Number of cached entries. */
  get size(): number {
    return this.map.size;
  }
}

/** An indirect object as written in the file, with the byte spans of the values inside it. */
export interface LocatedObject {
  num: number;
  gen: number;
  /** The object's value; a stream's dictionary for streams (data stays in the file). */
  value: PdfObject;
  /** Offset named by the xref entry (the `num gen obj` header, or whitespace before it). */
  start: number;
  /** Offset just after `endobj` (after the value when it is missing; stream data start for streams). */
  end: number;
  /** Span of a string, array or dictionary of `value` (by identity), delimiters included. */
  spanOf(o: PdfObject | undefined): ValueSpan | undefined;
}

/** Largest number of refs followed in one resolve() before declaring a cycle. */
const MAX_HOPS = 64;

/** Resolves objects as of revision `rev` of a file. */
export class RevisionResolver {
  constructor(
    private readonly ctx: ResolverContext,
    /** Index into ctx.revisions. */
    readonly rev: number,
  ) {}

  /** The xref entry of `num` as of this revision. */
  entry(num: number): XrefEntry | undefined {
    return lookupEntry(this.ctx.revisions, this.rev, num);
  }

  /** Loads an indirect object; missing, free or generation-mismatched objects are null. */
  async getObject(ref: PdfRef | number): Promise<PdfObject> {
    return this.load(typeof ref === 'number' ? new PdfRef(ref, 0) : ref, []);
  }

  /** `stack` holds the keys being loaded on this path (a /Length or object stream cycle). */
  private async load(r: PdfRef, stack: string[]): Promise<PdfObject> {
    const e = this.entry(r.num);
    if (!e || e.type === 'free' || e.gen !== r.gen) return null;
    // The number is part of the key: two entries aimed at one offset must not share a value.
    const key = e.type === 'offset' ? `o${e.offset}:${r.num}` : `c${this.objStmKey(e.stream)}:${e.index}:${r.num}`;
    const hit = this.ctx.cache.get(key);
    if (hit !== undefined) return hit;
    if (stack.includes(key) || stack.length > 16) throw new KysoError('pdfCircular', { ref: r.key });
    const inner = [...stack, key];
    const v = e.type === 'offset' ? await this.loadAt(r, e.offset, inner) : await this.loadCompressed(r, e.stream, e.index, inner);
    this.ctx.cache.set(key, v);
    return v;
  }

  /**
   * Re-reads object `ref` at its xref offset with value spans recorded (uncached: used for a
   * few signature dictionaries). Null when missing, free, generation-mismatched or inside an
   * object stream (such objects have no span of their own in the file).
   */
  async locate(ref: PdfRef | number): Promise<LocatedObject | null> {
    const r = typeof ref === 'number' ? new PdfRef(ref, 0) : ref;
    const e = this.entry(r.num);
    if (!e || e.type !== 'offset' || e.gen !== r.gen) return null;
    const spans = new WeakMap<object, ValueSpan>();
    const h = await readIndirectAt(this.ctx.src, e.offset, 4096, spans);
    // No repair fallback here: a located object must be exactly where the xref says.
    if (h.num !== r.num) throw new KysoError('pdfMalformed', { offset: e.offset, detail: `expected object ${r.num}, found ${h.num}` });
    // Decrypted copies keep the spans of the strings they replace.
    const value = this.ctx.crypt ? this.ctx.crypt.decryptObject(h.num, h.gen, h.value, (from, to) => {
      const sp = spans.get(from);
      if (sp) spans.set(to, sp);
    }) : h.value;
    const copySpans = (from: PdfObject, to: PdfObject, depth: number): void => {
      if (depth > 64 || from === to || from === null || typeof from !== 'object' || to === null || typeof to !== 'object') return;
      const sp = spans.get(from);
      if (sp) spans.set(to, sp);
      if (Array.isArray(from) && Array.isArray(to)) from.forEach((x, i) => copySpans(x, to[i]!, depth + 1));
      else if (from instanceof PdfDict && to instanceof PdfDict) for (const [k, v] of from.map) copySpans(v, to.get(k) ?? null, depth + 1);
    };
    copySpans(h.value, value, 0);
    return {
      num: h.num,
      gen: h.gen,
      value,
      start: e.offset,
      end: h.streamOffset ?? h.end,
      spanOf: (o) => (o !== null && typeof o === 'object' ? spans.get(o) : undefined),
    };
  }

  /** Follows references until a direct value; undefined stays undefined. */
  async resolve(o: PdfObject | undefined): Promise<PdfObject | undefined> {
    let v = o;
    for (let hops = 0; v instanceof PdfRef; hops++) {
      if (hops >= MAX_HOPS) throw new KysoError('pdfCircular', { ref: v.key });
      v = await this.getObject(v);
    }
    return v;
  }

  /** Resolves `d[key]` and returns it when it is a dictionary (or a stream's dictionary when asked). */
  async dictOf(o: PdfObject | undefined): Promise<PdfDict | undefined> {
    const v = await this.resolve(o);
    return v instanceof PdfDict ? v : undefined;
  }

  /** Decoded stream data (parameters in /DecodeParms are resolved first). */
  async decodeStream(s: PdfStream): Promise<Uint8Array> {
    const filter = await this.resolve(s.dict.get('Filter'));
    let parms = await this.resolve(s.dict.get('DecodeParms'));
    if (Array.isArray(parms)) parms = await Promise.all(parms.map(async (p) => (await this.resolve(p)) ?? null));
    return decodeFilters(await s.raw(), filter, parms);
  }

  private objStmKey(num: number): string {
    const e = this.entry(num);
    return e && e.type === 'offset' ? String(e.offset) : `?${num}`;
  }

  private async loadAt(ref: PdfRef, offset: number, stack: string[]): Promise<PdfObject> {
    const { src } = this.ctx;
    let h;
    try {
      h = await readIndirectAt(src, offset);
      if (h.num !== ref.num) throw new KysoError('pdfMalformed', { offset, detail: `expected object ${ref.num}, found ${h.num}` });
    } catch (err) {
      // A wrong xref offset: try the repair scan's offset for this object once.
      const alt = this.ctx.fallback ? await this.ctx.fallback(ref.num) : undefined;
      if (alt === undefined || alt === offset) throw err;
      h = await readIndirectAt(src, alt);
      if (h.num !== ref.num) throw err;
      this.ctx.usedFallback = true;
    }
    const crypt = this.ctx.crypt;
    const value = crypt ? crypt.decryptObject(h.num, h.gen, h.value) : h.value;
    if (h.streamOffset === undefined) return value;
    const d = value as PdfDict;
    // /Length of the raw (encrypted) data, read before decryption.
    const length = await this.streamLength(h.value as PdfDict, h.streamOffset, stack);
    return new PdfStream(d, this.source(h.streamOffset, length, crypt && ((raw) => crypt.decryptStream(h.num, h.gen, h.value as PdfDict, raw))));
  }

  private source(offset: number, length: number, decrypt?: (raw: Uint8Array) => Uint8Array): StreamSource {
    const src = this.ctx.src;
    return { offset, length, read: async () => (decrypt ? decrypt(await src.read(offset, length)) : src.read(offset, length)) };
  }

  /** Checks /Length against `endstream`; a wrong or huge /Length is corrected by a bounded scan. */
  private async streamLength(d: PdfDict, start: number, stack: string[]): Promise<number> {
    const { src } = this.ctx;
    let declared: PdfObject | undefined = d.get('Length');
    try {
      if (declared instanceof PdfRef) declared = await this.load(declared, stack);
    } catch (e) {
      if (!(e instanceof KysoError) || e.code !== 'pdfCircular') throw e;
      declared = undefined;
    }
    if (typeof declared === 'number' && Number.isSafeInteger(declared) && declared >= 0 && start + declared <= src.size) {
      const after = (await src.read(start + declared, 32)).toString('latin1');
      if (/^\s*endstream/.test(after)) return declared;
    }
    // Scan for endstream (bounded by the file size; chunked so memory stays flat).
    const chunk = 1 << 20;
    for (let pos = start; pos < src.size; pos += chunk - 16) {
      const buf = await src.read(pos, chunk);
      const i = buf.indexOf('endstream', 0, 'latin1');
      if (i >= 0) {
        let end = pos + i;
        const prev = await src.read(Math.max(start, end - 2), Math.min(2, end - start));
        if (prev.length && prev[prev.length - 1] === 0x0a) end--;
        if (prev.length === 2 && prev[0] === 0x0d && end > start && prev[1] === 0x0a) end--;
        else if (prev.length && prev[prev.length - 1] === 0x0d) end--;
        return end - start;
      }
      if (buf.length < chunk) break;
    }
    throw new KysoError('pdfMalformed', { offset: start, detail: 'stream without endstream' });
  }

  private async loadCompressed(ref: PdfRef, stmNum: number, index: number, stack: string[]): Promise<PdfObject> {
    const idx = await this.objStm(stmNum, stack);
    const m = idx.members[index];
    const member = m && m.num === ref.num ? m : idx.members.find((x) => x.num === ref.num);
    if (!member) return null;
    const p = new Parser(idx.data, member.offset, 0, true);
    return p.parseObject();
  }

  private async objStm(num: number, stack: string[]): Promise<ObjStmIndex> {
    const key = this.objStmKey(num);
    const hit = this.ctx.objStreams.get(key);
    if (hit) return hit;
    const s = await this.load(new PdfRef(num, 0), stack);
    if (!(s instanceof PdfStream) || s.dict.getName('Type') !== 'ObjStm') {
      throw new KysoError('pdfMalformed', { offset: -1, detail: `object ${num} is not an object stream` });
    }
    const n = await this.resolve(s.dict.get('N'));
    const first = await this.resolve(s.dict.get('First'));
    if (typeof n !== 'number' || typeof first !== 'number' || n < 0 || n > 1_000_000 || first < 0) {
      throw new KysoError('pdfMalformed', { offset: -1, detail: `bad object stream ${num}` });
    }
    const data = await this.decodeStream(s);
    const p = new Parser(data, 0, 0, true);
    const members: { num: number; offset: number }[] = [];
    for (let i = 0; i < n; i++) {
      const on = p.expectInt('object number');
      const off = p.expectInt('offset');
      members.push({ num: on, offset: first + off });
    }
    const idx = { data, members };
    // Huge object streams are not cached, so memory stays bounded (16 x 16 MB at most).
    if (data.length <= 16 << 20) this.ctx.objStreams.set(key, idx);
    return idx;
  }
}
