/**
 * Incremental update: new and replaced objects appended after the original bytes, with an xref
 * section of the same kind as the file's last one, a trailer with /Prev, startxref and %%EOF.
 * The original file stays an exact prefix. Fixed-size placeholders (/Contents, /ByteRange)
 * are reported by absolute offset so signing can patch them in place.
 */
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import { KysoError } from '../api/errors.js';
import { PdfDict, PdfRaw, PdfRef, PdfStream, PdfString, name, type PdfObject } from './objects.js';
import type { PdfFile } from './reader.js';
import type { XrefEntry } from './xref.js';
import { serializeIndirect, serializeObject } from './serialize.js';
import { copyForUpdate, writeFully } from './file-writes.js';

/** A fixed-width placeholder; its final text has exactly the same length as `text`. */
export class PdfPlaceholder extends PdfRaw {
  constructor(
    /** Unique marker text written first, then located and replaced by `fill`. */
    marker: string,
    /** What the placeholder reads as in the output before patching. */
    readonly fill: string,
  ) {
    super(marker);
  }
}

/** Location of a placeholder in the output file: [start, end) in absolute bytes. */
export interface PlaceholderSpan {
  start: number;
  end: number;
}

/** The bytes to append to the original file, with placeholder offsets. */
export interface UpdateBytes {
  /** Size of the original file (the prefix kept as is). */
  prefixLength: number;
  /** Bytes to append after the prefix. */
  appendix: Buffer;
  /** Absolute offsets in the output of each placeholder. */
  spans: Map<PdfPlaceholder, PlaceholderSpan>;
  /** Total output size. */
  size: number;
  /** Offset of the new xref section. */
  xrefOffset: number;
}

interface Pending {
  gen: number;
  obj: PdfObject;
}

/** Default width of a /ByteRange placeholder: [0 + 3 numbers of 10 digits. */
const BYTE_RANGE_WIDTH = 36;

/** Builds one incremental update of an open PdfFile. */
export class IncrementalUpdate {
  private readonly objects = new Map<number, Pending>();
  /** Objects deleted by this update: number -> generation to record in the free entry. */
  private readonly freed = new Map<number, number>();
  private next: number;
  private seq = 0;
  private readonly tag = randomBytes(6).toString('hex');
  /** Extra trailer entries (e.g. a new /Info); Root, Info and ID are kept from the file. */
  readonly trailer = new PdfDict();

  constructor(readonly pdf: PdfFile) {
    this.next = Math.max(1, pdf.nextObjectNumber);
  }

  /** Allocates a new object number for `obj` (from /Size). */
  add(obj: PdfObject): PdfRef {
    const ref = this.reserve();
    this.objects.set(ref.num, { gen: 0, obj });
    return ref;
  }

  /** Allocates a number now (for objects that refer to each other); call set() later. */
  reserve(): PdfRef {
    const ref = new PdfRef(this.next++, 0);
    this.objects.set(ref.num, { gen: 0, obj: null });
    return ref;
  }

  /** Replaces (or fills) object `ref`. An in-use object keeps its number and generation. */
  set(ref: PdfRef, obj: PdfObject): void {
    this.freed.delete(ref.num);
    this.objects.set(ref.num, { gen: ref.gen, obj });
  }

  /** Deletes object `ref`: a free entry with the generation incremented, as ISO 32000 asks. */
  free(ref: PdfRef): void {
    this.objects.delete(ref.num);
    this.freed.set(ref.num, Math.min(ref.gen + 1, 65535));
  }

  /** Loads `ref` from the file and registers a shallow copy of its dict to be edited and rewritten. */
  async edit(ref: PdfRef): Promise<PdfDict> {
    const cur = this.objects.get(ref.num)?.obj ?? (await this.pdf.getObject(ref));
    if (!(cur instanceof PdfDict)) throw new KysoError('pdfMalformed', { offset: -1, detail: `object ${ref.key} is not a dictionary` });
    const copy = this.objects.has(ref.num) ? cur : cur.clone();
    this.set(ref, copy);
    return copy;
  }

  /** A hex-string placeholder `<00…>` for `bytes` bytes of content (2×bytes hex digits). */
  placeholder(bytes: number): PdfPlaceholder {
    const fill = '<' + '0'.repeat(bytes * 2) + '>';
    return new PdfPlaceholder(this.marker(fill.length), fill);
  }

  /** A `/ByteRange` placeholder, `[0 0 0 0 …]` padded with spaces to a fixed width. */
  byteRangePlaceholder(width = BYTE_RANGE_WIDTH): PdfPlaceholder {
    return new PdfPlaceholder(this.marker(width), '[0 0 0 0' + ' '.repeat(width - 9) + ']');
  }

  private marker(len: number): string {
    const m = `(KYSO${this.tag}${(this.seq++).toString().padStart(4, '0')}`;
    if (len < m.length + 1) throw new RangeError('placeholder too small');
    return m + '_'.repeat(len - m.length - 1) + ')';
  }

  /** Serializes the update; nothing is written. */
  async build(): Promise<UpdateBytes> {
    const { pdf } = this;
    const prefix = pdf.size;
    const parts: Buffer[] = [];
    let pos = prefix;
    const push = (b: Buffer): void => {
      parts.push(b);
      pos += b.length;
    };
    if (!(await pdf.endsWithEol())) push(Buffer.from('\n'));
    const offsets = new Map<number, { offset: number; gen: number }>();
    for (const [num, p] of [...this.objects].sort((a, b) => a[0] - b[0])) {
      if (p.obj === null && !this.isReplacement(num)) throw new KysoError('pdfWrite', { detail: `object ${num} reserved but never set` });
      offsets.set(num, { offset: pos, gen: p.gen });
      let data = p.obj instanceof PdfStream ? await p.obj.raw() : undefined;
      let obj = p.obj;
      // An encrypted document's new objects are encrypted with their own keys (ISO 32000 7.6).
      const crypt = pdf.crypt;
      if (crypt) {
        if (p.obj instanceof PdfStream && data) data = crypt.encryptStream(num, p.gen, p.obj.dict, data);
        obj = crypt.encryptObject(num, p.gen, p.obj);
      }
      push(serializeIndirect(num, p.gen, obj, data));
    }
    const xrefOffset = pos;
    const full = pdf.repaired ? await pdf.fullXref() : null;
    const useStream = pdf.lastXrefKind === 'stream' || (!!full && [...full.values()].some((e) => e.type === 'compressed'));
    const rows = this.allEntries(offsets, full);
    push(useStream ? this.xrefStream(rows, xrefOffset) : this.xrefTable(rows));
    push(Buffer.from(`startxref\n${xrefOffset}\n%%EOF\n`, 'latin1'));
    const appendix = Buffer.concat(parts);
    const spans = this.patchPlaceholders(appendix, prefix);
    return { prefixLength: prefix, appendix, spans, size: prefix + appendix.length, xrefOffset };
  }

  /** Copies the original (fs.copyFile, reflink when possible) and appends the update. */
  async writeTo(path: string, bytes?: UpdateBytes): Promise<UpdateBytes> {
    const u = bytes ?? (await this.build());
    try {
      await copyForUpdate(this.pdf.path, path);
      const fh = await open(path, 'r+');
      try {
        await writeFully(fh, u.appendix, u.prefixLength);
        await fh.truncate(u.size);
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw new KysoError('pdfWrite', { detail: (e as Error).message }, { cause: e });
    }
    return u;
  }

  private isReplacement(num: number): boolean {
    const e = this.pdf.entry(num);
    return !!e && e.type !== 'free';
  }

  private trailerDict(size: number): PdfDict {
    const old = this.pdf.trailer;
    const t = new PdfDict();
    t.set('Size', size);
    for (const k of ['Root', 'Info', 'ID', 'Encrypt']) if (old.has(k)) t.set(k, old.get(k));
    // An encrypted file's keys derive from its /ID: never invent one there.
    if (!t.has('ID') && !this.pdf.crypt) {
      const id = new PdfString(randomBytes(16), true);
      t.set('ID', [id, id]);
    }
    if (!this.pdf.repaired) t.set('Prev', this.pdf.revisions.at(-1)!.xrefOffset);
    for (const [k, v] of this.trailer.map) t.set(k, v);
    return t;
  }

  /** All entries to write: just ours, or (after a repair) every object of the file. */
  private allEntries(ours: Map<number, { offset: number; gen: number }>, full: Map<number, XrefEntry> | null): Map<number, Row> {
    const rows = new Map<number, Row>();
    for (const [num, e] of full ?? []) {
      if (e.type === 'offset') rows.set(num, { t: 1, a: e.offset, b: e.gen });
      else if (e.type === 'compressed') rows.set(num, { t: 2, a: e.stream, b: e.index });
    }
    for (const [num, o] of ours) rows.set(num, { t: 1, a: o.offset, b: o.gen });
    for (const [num, gen] of this.freed) rows.set(num, { t: 0, a: 0, b: gen });
    return rows;
  }

  private xrefTable(rows: Map<number, Row>): Buffer {
    const size = Math.max(this.next, this.pdf.nextObjectNumber, ...[...rows.keys()].map((n) => n + 1));
    let out = 'xref\n';
    const nums = [...rows.keys()].sort((a, b) => a - b);
    if (this.pdf.repaired) {
      // A full table from 0 so no earlier (broken) section is needed.
      out += `0 ${size}\n`;
      for (let n = 0; n < size; n++) {
        const r = rows.get(n);
        out += r && r.t === 1 ? `${String(r.a).padStart(10, '0')} ${String(r.b).padStart(5, '0')} n\r\n` : `0000000000 ${n === 0 ? '65535' : String(r?.b ?? 0).padStart(5, '0')} f\r\n`;
      }
    } else {
      out += '0 1\n0000000000 65535 f\r\n';
      for (const [start, len] of runs(nums)) {
        out += `${start} ${len}\n`;
        for (let n = start; n < start + len; n++) {
          const r = rows.get(n)!;
          out += `${String(r.a).padStart(10, '0')} ${String(r.b).padStart(5, '0')} ${r.t === 0 ? 'f' : 'n'}\r\n`;
        }
      }
    }
    out += `trailer\n${serializeObject(this.trailerDict(size))}\n`;
    return Buffer.from(out, 'latin1');
  }

  private xrefStream(rows: Map<number, Row>, at: number): Buffer {
    // The xref stream takes the next number; build() stays repeatable (nothing is consumed).
    const selfNum = this.next;
    rows.set(selfNum, { t: 1, a: at, b: 0 });
    const size = Math.max(this.pdf.nextObjectNumber, selfNum + 1);
    const full = this.pdf.repaired;
    const nums = full ? Array.from({ length: size }, (_, i) => i) : [...rows.keys()].sort((a, b) => a - b);
    const w2 = Math.max(1, bytesFor(Math.max(0, ...[...rows.values()].map((r) => r.b))));
    const w1 = Math.max(1, bytesFor(Math.max(at, ...[...rows.values()].map((r) => r.a))));
    const rowLen = 1 + w1 + w2;
    const data = Buffer.alloc(nums.length * rowLen);
    nums.forEach((n, i) => {
      const r = rows.get(n) ?? { t: 0, a: 0, b: n === 0 ? 65535 : 0 };
      const o = i * rowLen;
      data[o] = r.t;
      data.writeUIntBE(r.a, o + 1, w1);
      data.writeUIntBE(Math.min(r.b, 2 ** (8 * w2) - 1), o + 1 + w1, w2);
    });
    const index: PdfObject[] = [];
    for (const [start, len] of runs(nums)) index.push(start, len);
    const d = this.trailerDict(size);
    d.set('Type', name('XRef')).set('W', [1, w1, w2]).set('Index', index).set('Filter', name('FlateDecode'));
    const z = deflateSync(data);
    return serializeIndirect(selfNum, 0, PdfStream.of(d, z), z);
  }

  private patchPlaceholders(appendix: Buffer, prefix: number): Map<PdfPlaceholder, PlaceholderSpan> {
    const spans = new Map<PdfPlaceholder, PlaceholderSpan>();
    const visit = (o: PdfObject, depth: number): void => {
      if (depth > 64) return;
      if (o instanceof PdfPlaceholder) {
        const i = appendix.indexOf(o.text, 0, 'latin1');
        if (i < 0) throw new KysoError('pdfWrite', { detail: 'placeholder not written (not reachable from an object of the update)' });
        appendix.write(o.fill, i, 'latin1');
        spans.set(o, { start: prefix + i, end: prefix + i + o.fill.length });
      } else if (Array.isArray(o)) o.forEach((x) => visit(x, depth + 1));
      else if (o instanceof PdfDict) for (const v of o.map.values()) visit(v, depth + 1);
      else if (o instanceof PdfStream) visit(o.dict, depth + 1);
    };
    for (const p of this.objects.values()) visit(p.obj, 0);
    visit(this.trailer, 0);
    return spans;
  }
}

interface Row {
  /** 0 free, 1 offset, 2 compressed. */
  t: number;
  a: number;
  b: number;
}

function bytesFor(n: number): number {
  let b = 1;
  while (n >= 2 ** (8 * b)) b++;
  return b;
}

/** Groups sorted numbers into [start, count] runs for xref subsections. */
function runs(nums: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of nums) {
    const last = out.at(-1);
    if (last && last[0] + last[1] === n) last[1]++;
    else out.push([n, 1]);
  }
  return out;
}

/** Formats a /ByteRange value padded with spaces to `width` (for patching a placeholder). */
export function byteRangeText(range: [number, number, number, number], width = BYTE_RANGE_WIDTH): string {
  const s = `[${range.join(' ')}`;
  if (s.length + 1 > width) throw new RangeError('byte range does not fit its placeholder');
  return s + ' '.repeat(width - s.length - 1) + ']';
}
