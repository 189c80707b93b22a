/**
 * The validator's view of a PDF as of one revision, on top of main/pdf's lazy reader: the
 * whole file, or the prefix a signature covers (`PdfFile.open(path, { limit })`), read
 * through its own xref chain. The reader policy is the signer's (one policy, main/pdf): a
 * broken /Prev chain or a damaged section is recovered revision by revision from the `%%EOF`
 * markers, and the view says so (`repairKind`), so the report can warn and the analysis can
 * look for objects a repairing reader would read differently (shadow-defs.ts).
 */
import { PdfFile } from '../pdf/reader.js';
import type { SharedParse } from '../pdf/revisions.js';
import { PdfDict, PdfRef, type PdfObject, type PdfStream } from '../pdf/objects.js';
import type { LocatedObject } from '../pdf/resolver.js';
import type { FileSource } from '../pdf/source.js';
import type { XrefEntry } from '../pdf/xref.js';
import { dictOf } from './values.js';

/** One revision's view of a PDF file. */
export class PdfView {
  /** Every object's newest xref entry as of this view. */
  readonly entries = new Map<number, XrefEntry>();
  /** Offsets of the xref sections, newest first. */
  readonly sectionOffsets: number[];

  private constructor(readonly pdf: PdfFile) {
    // A recovered revision that lists every object (no /Prev) hides the older ones.
    const from = Math.max(0, pdf.revisions.findLastIndex((r) => r.complete));
    for (const r of pdf.revisions.slice(from)) for (let i = r.sections.length - 1; i >= 0; i--) for (const [n, e] of r.sections[i]!.entries) this.entries.set(n, e);
    this.sectionOffsets = pdf.revisions.flatMap((r) => r.sections.map((s) => s.offset)).reverse();
  }

  /** Opens `path` (up to `limit` bytes when given); throws KysoError when unreadable. */
  static async open(path: string, limit?: number, password?: string, shared?: SharedParse): Promise<PdfView> {
    return new PdfView(await PdfFile.open(path, { limit, cacheSize: 2048, password, ...(shared ? { shared } : {}) }));
  }

  /** Parsed sections shared with the other views of this file. */
  get shared(): SharedParse | undefined {
    return this.pdf.sharedParse;
  }

  /** The password that opened this view (prefix views of an encrypted file need it too). */
  get password(): string | undefined {
    return this.pdf.openedWith;
  }

  /** What the reader had to repair (null: the file reads as written). */
  get repairKind(): PdfFile['repairKind'] {
    return this.pdf.repairKind;
  }

  /** Size in bytes of what this view reads. */
  get size(): number {
    return this.pdf.size;
  }
  /** Positional reader of the file (for streamed hashing). */
  get source(): FileSource {
    return this.pdf.source;
  }
  /** The newest trailer. */
  get trailer(): PdfDict {
    return this.pdf.trailer;
  }

  /** The value of object `num` (generation from its entry); null when absent or free. */
  async get(num: number): Promise<PdfObject> {
    const e = this.entries.get(num);
    if (!e || e.type === 'free') return null;
    return this.pdf.getObject(new PdfRef(num, e.gen));
  }

  /** Object `num` re-read with the byte spans of its values; null when free or in an object stream. */
  async object(num: number): Promise<LocatedObject | null> {
    const e = this.entries.get(num);
    if (!e || e.type !== 'offset') return null;
    return this.pdf.resolver.locate(new PdfRef(num, e.gen));
  }

  /** Follows references (bounded, cycle-safe) to a direct value. */
  resolve(v: PdfObject | undefined): Promise<PdfObject | undefined> {
    return this.pdf.resolve(v);
  }

  /** Resolves and returns a dictionary (of a dict or stream), else undefined. */
  async dict(v: PdfObject | undefined): Promise<PdfDict | undefined> {
    return dictOf(await this.resolve(v));
  }

  /** Decoded data of a stream. */
  decode(s: PdfStream): Promise<Uint8Array> {
    return this.pdf.decodeStream(s);
  }

  /** The document catalog. */
  catalog(): Promise<PdfDict> {
    return this.pdf.catalog();
  }

  /** Object number of the catalog when it is indirect. */
  rootNum(): number | undefined {
    const r = this.trailer.get('Root');
    return r instanceof PdfRef ? r.num : undefined;
  }

  /** Releases the file handle. */
  close(): Promise<void> {
    return this.pdf.close();
  }
}

/** Offsets just after each `%%EOF` marker (and its end-of-line) of the first `size` bytes, read in chunks. */
export async function eofOffsets(src: FileSource, size = src.size): Promise<number[]> {
  const out: number[] = [];
  const chunk = 1 << 20;
  for (let pos = 0; pos < size; pos += chunk) {
    // 6 extra bytes: a marker (and its EOL) straddling two chunks is seen whole once.
    const buf = await src.read(pos, Math.min(chunk + 6, size - pos));
    let at = buf.indexOf('%%EOF', 0, 'latin1');
    while (at >= 0 && at < chunk) {
      let end = at + 5;
      if (buf[end] === 0x0d) end++;
      if (buf[end] === 0x0a) end++;
      out.push(pos + end);
      at = buf.indexOf('%%EOF', at + 5, 'latin1');
    }
  }
  return out;
}

/** True when bytes `[from, to)` of the file hold anything but PDF whitespace. */
export async function nonWhite(src: FileSource, from: number, to: number): Promise<boolean> {
  const chunk = 1 << 20;
  for (let pos = from; pos < to; pos += chunk) {
    const buf = await src.read(pos, Math.min(chunk, to - pos));
    for (const c of buf) if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0x0c && c !== 0x00) return true;
    if (buf.length === 0) break;
  }
  return false;
}
