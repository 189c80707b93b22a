/**
 * PdfFile: a lazy, read-only view of a PDF on disk. Opening reads the header, the tail and the
 * xref chain only; objects are read on demand through positional reads.
 */
import { KysoError, isKysoError } from '../api/errors.js';
import { PdfDict, PdfRef, PdfStream, type PdfObject } from './objects.js';
import { scanObjects } from './repair.js';
import { recoverRevisions, type RecoveryKind } from './recover.js';
import { Lru, RevisionResolver, type ObjStmIndex, type ResolverContext } from './resolver.js';
import { buildRevisions, findEofAfter, type Revision, type SharedParse } from './revisions.js';
import { FileSource } from './source.js';
import { readXrefSection, type XrefEntry, type XrefSection } from './xref.js';
import { findPage, countPages, type PageInfo } from './pages.js';
import { readAcroForm, type AcroFormInfo } from './acroform.js';
import { t } from '../../resources/locales/index.js';
import type { DocumentCrypt, EncryptionInfo } from './crypt/open.js';

/** Largest object number PDF readers handle (ISO 32000-1, Annex C). */
const MAX_OBJECT_NUMBER = 8_388_607;

/** Options of PdfFile.open. */
export interface OpenOptions {
  /** Rebuild the object map by scanning when the xref is broken (default true). */
  repair?: boolean;
  /** Maximum number of parsed objects kept in memory (default 4096). */
  cacheSize?: number;
  /** Reads only the prefix `[0, limit)`: the document as a signature over that prefix saw it. */
  limit?: number;
  /** Password of an encrypted document (the empty user password is always tried first). */
  password?: string;
  /** Parsed sections shared by several opens of the same file (prefix views in validation). */
  shared?: SharedParse;
}

/** Objects visited at most when checking a repaired file for missing objects. */
const MAX_CLOSURE = 200_000;

/** Longest /Prev chain followed (each link is one incremental update). */
const MAX_SECTIONS = 10_000;

/** A PDF file opened for lazy reading. Call close() when done. */
export class PdfFile {
  /** Version from the header, e.g. "1.7". */
  version = '';
  /** Revisions, oldest first. */
  revisions: Revision[] = [];
  /** True when the xref was rebuilt by scanning (the next update must write a full xref). */
  repaired = false;
  /** Bytes before `%PDF-` (readers tolerate some; offsets in such files are ambiguous). */
  headerOffset = 0;
  /** Why the xref had to be rebuilt, when repaired. */
  repairReason: string | null = null;
  /**
   * What the repair did: revisions recovered from their `%%EOF` markers (a broken /Prev
   * chain, or a damaged section rebuilt from its revision's bytes), a whole-file rebuild as
   * one revision, or a wrong object offset corrected by a scan. Null when not repaired.
   */
  repairKind: RecoveryKind | 'rebuilt' | 'wrongOffset' | null = null;
  /** Encryption of the document (null when not encrypted): algorithm, permissions, owner access. */
  encryption: EncryptionInfo | null = null;
  private ctx!: ResolverContext;
  private password: string | undefined;
  private cacheSize = 4096;
  private shared: SharedParse | undefined;
  /** The repair scan, when one was needed after a normal open. */
  private scan: Promise<Map<number, XrefEntry & { type: 'offset' }>> | null = null;
  private latest!: RevisionResolver;

  private constructor(private readonly src: FileSource) {}

  /** Opens and indexes a PDF; throws KysoError (pdfNotPdf, pdfEncrypted, pdfUnrepairable...). */
  static async open(path: string, opts: OpenOptions = {}): Promise<PdfFile> {
    const src = await FileSource.open(path, opts.limit);
    if (opts.shared) src.blocks = opts.shared.blocks;
    const f = new PdfFile(src);
    try {
      await f.init(opts);
      return f;
    } catch (e) {
      await src.close();
      throw e;
    }
  }

  /** File path. */
  get path(): string {
    return this.src.path;
  }
  /** File size in bytes. */
  get size(): number {
    return this.src.size;
  }
  /** The newest trailer (for xref streams: the stream dictionary). */
  get trailer(): PdfDict {
    return this.revisions.at(-1)!.trailer;
  }
  /** Kind of the newest xref section: an update should use the same. */
  get lastXrefKind(): 'table' | 'stream' {
    return this.revisions.at(-1)!.kind;
  }
  /** The underlying positional reader (for hashing byte ranges without loading the file). */
  get source(): FileSource {
    return this.src;
  }

  private async init(opts: OpenOptions): Promise<void> {
    const { src } = this;
    if (src.size === 0) throw new KysoError('pdfEmpty', { path: src.path });
    const head = (await src.read(0, 1024)).toString('latin1');
    const hv = /%PDF-(\d\.\d)/.exec(head);
    if (!hv) throw new KysoError('pdfNotPdf', { path: src.path });
    this.password = opts.password;
    this.shared = opts.shared;
    this.cacheSize = opts.cacheSize ?? 4096;
    this.version = hv[1]!;
    this.headerOffset = hv.index;
    this.ctx = {
      src,
      revisions: [],
      cache: new Lru<PdfObject>(opts.cacheSize ?? 4096),
      objStreams: new Lru<ObjStmIndex>(16),
      usedFallback: false,
    };
    let chain: XrefSection[] | null = null;
    let failure: unknown = null;
    try {
      chain = await this.readChain(opts.shared);
      this.ctx.revisions = await buildRevisions(src, chain, opts.shared);
    } catch (e) {
      failure = e;
    }
    if (chain) {
      this.latest = new RevisionResolver(this.ctx, this.ctx.revisions.length - 1);
      this.revisions = this.ctx.revisions;
      await this.openEncryption(this.trailer);
      // Cheap sanity check: the catalog must load from the xref as written.
      try {
        await this.catalogStrict();
        // Without repair a wrong offset stays an error (validation must see exactly what is written).
        if (opts.repair !== false) this.ctx.fallback = this.lazyFallback();
        return;
      } catch (e) {
        failure = e;
      }
    }
    if (opts.repair === false) throw new KysoError('pdfUnrepairable', { detail: describe(failure) }, { cause: failure });
    if (await this.recover(describe(failure))) return;
    await this.rebuild(describe(failure));
  }

  /**
   * Recovers the revisions from their `%%EOF` markers (see recover.ts); false when that does
   * not give a document with a catalog, and the whole file must be rebuilt instead.
   */
  private async recover(reason: string): Promise<boolean> {
    const rec = await recoverRevisions(this.src, this.shared).catch(() => null);
    if (!rec) return false;
    this.ctx.revisions = rec.revisions;
    this.revisions = rec.revisions;
    this.latest = new RevisionResolver(this.ctx, rec.revisions.length - 1);
    await this.openEncryption(this.trailer);
    try {
      await this.catalogStrict();
    } catch {
      return false;
    }
    this.repaired = true;
    this.repairKind = rec.kind;
    this.repairReason = reason;
    this.ctx.fallback = this.lazyFallback();
    return true;
  }

  /**
   * Sets up decryption when the trailer names /Encrypt (crypt/ is loaded only then). Throws
   * pdfPasswordRequired, pdfPasswordWrong, pdfEncryptedCertificate or pdfEncryptedUnsupported.
   */
  private async openEncryption(trailer: PdfDict): Promise<void> {
    this.ctx.crypt = undefined;
    this.encryption = null;
    if (!trailer.has('Encrypt')) return;
    const { openCrypt } = await import('./crypt/open.js');
    const resolver = new RevisionResolver(this.ctx, this.ctx.revisions.length - 1);
    const crypt: DocumentCrypt = await openCrypt(trailer, (o) => resolver.resolve(o), this.password);
    // Objects read before (the /Encrypt dictionary itself) stay as read; everything else decrypts.
    this.ctx.cache = new Lru<PdfObject>(this.cacheSize);
    this.ctx.objStreams = new Lru<ObjStmIndex>(16);
    this.ctx.crypt = crypt;
    this.encryption = crypt.info;
  }

  /** The SharedParse given to open(), for opening other views of the same file. */
  get sharedParse(): SharedParse | undefined {
    return this.shared;
  }

  /** The password given to open(), for opening other views of the same file. */
  get openedWith(): string | undefined {
    return this.password;
  }

  /** The document's encryption for writing updates (null when not encrypted). */
  get crypt(): DocumentCrypt | null {
    return this.ctx.crypt ?? null;
  }

  private async readChain(shared?: SharedParse): Promise<XrefSection[]> {
    const { src } = this;
    // Usually within the last KB; some producers append junk after %%EOF, so look further once.
    let tail = '';
    let at = -1;
    for (const len of [4096, 65536]) {
      const tailLen = Math.min(src.size, len);
      tail = (await src.read(src.size - tailLen, tailLen)).toString('latin1');
      at = tail.lastIndexOf('startxref');
      if (at >= 0 || tailLen === src.size) break;
    }
    if (at < 0) throw new KysoError('pdfTruncated', { detail: 'no startxref at the end' });
    const m = /^startxref\s+(\d+)/.exec(tail.slice(at));
    if (!m) throw new KysoError('pdfTruncated', { detail: 'bad startxref' });
    const chain: XrefSection[] = [];
    const seen = new Set<number>();
    for (let off: number | undefined = Number(m[1]); off !== undefined; ) {
      if (seen.has(off)) break; // a /Prev loop: the chain is complete once it repeats
      if (chain.length >= MAX_SECTIONS) throw new KysoError('pdfLimit', { detail: 'too many xref sections' });
      seen.add(off);
      const known: XrefSection | undefined = shared?.sections.get(off);
      const sec: XrefSection = known && known.end <= src.size ? known : await readXrefSection(src, off);
      if (shared && !known) shared.sections.set(off, sec);
      chain.push(sec);
      const prev = sec.trailer.get('Prev');
      off = typeof prev === 'number' ? prev : undefined;
    }
    return chain;
  }

  private async catalogStrict(): Promise<PdfDict> {
    const root = this.trailer.get('Root');
    const cat = await this.latest.resolve(root);
    if (!(root instanceof PdfRef) || !(cat instanceof PdfDict)) throw new KysoError('pdfMalformed', { offset: -1, detail: 'no document catalog' });
    return cat;
  }

  /** A repair scan run at most once, only if some xref offset proves wrong later. */
  private lazyFallback(): (num: number) => Promise<number | undefined> {
    return async (num) => {
      this.scan ??= scanObjects(this.src).then((r) => r.entries);
      const e = (await this.scan).get(num);
      if (e) {
        this.repaired = true;
        this.repairKind ??= 'wrongOffset';
        this.repairReason ??= `wrong xref offset for object ${num}`;
      }
      return e?.offset;
    };
  }

  /**
   * Every object's location as the next update must list it after a repair: the newest entry
   * of each object, with offsets corrected by the scan. (Without repair, only new objects are
   * listed and /Prev links the rest.)
   */
  async fullXref(): Promise<Map<number, XrefEntry>> {
    const out = new Map<number, XrefEntry>();
    for (let r = this.revisions.length - 1; r >= 0; r--) {
      for (const s of this.revisions[r]!.sections) for (const [num, e] of s.entries) if (!out.has(num)) out.set(num, e);
      if (this.revisions[r]!.complete) break;
    }
    if (this.scan) {
      const scanned = await this.scan;
      for (const [num, e] of out) {
        const f = scanned.get(num);
        if (e.type === 'offset' && f) out.set(num, f);
      }
      for (const [num, f] of scanned) if (!out.has(num)) out.set(num, f);
    }
    return out;
  }

  /** Rebuilds a single revision from a scan of the whole file. */
  private async rebuild(reason: string): Promise<void> {
    const scan = await scanObjects(this.src);
    const entries = new Map<number, XrefEntry>(scan.entries);
    let trailer = scan.trailer ?? new PdfDict();
    const ctx = this.ctx;
    const tmpRev = (): Revision[] => [
      { index: 0, startOffset: 0, xrefOffset: -1, endOffset: this.src.size, trailer, kind: 'table', sections: [{ offset: -1, kind: 'table', entries, trailer, end: this.src.size }] },
    ];
    ctx.revisions = tmpRev();
    const r = new RevisionResolver(ctx, 0);
    // Xref stream dictionaries carry the trailer keys in files without a classic trailer.
    for (const off of scan.xrefStreams) {
      for (const [num, e] of scan.entries) {
        if (e.offset !== off) continue;
        const x = await r.getObject(new PdfRef(num, e.gen)).catch(() => null);
        const d = x && 'dict' in (x as object) ? (x as PdfStream).dict : null;
        if (d) for (const k of ['Root', 'Info', 'ID', 'Encrypt']) if (d.has(k) && !trailer.has(k)) trailer.set(k, d.get(k));
      }
    }
    await this.openEncryption(trailer);
    // Members of object streams, unless a direct object with that number exists.
    for (const stm of scan.objectStreams) {
      const s = await r.getObject(new PdfRef(stm, 0)).catch(() => null);
      if (!s || !('dict' in (s as object))) continue;
      try {
        const data = await r.decodeStream(s as PdfStream);
        const n = (s as PdfStream).dict.getNumber('N') ?? 0;
        const nums = Buffer.from(data.subarray(0, Math.min(data.length, 20 * n + 64))).toString('latin1').trim().split(/\s+/).map(Number);
        for (let i = 0; i < n; i++) {
          const num = nums[2 * i];
          if (num !== undefined && Number.isSafeInteger(num) && !entries.has(num)) entries.set(num, { type: 'compressed', stream: stm, index: i, gen: 0 });
        }
      } catch {
        // An unreadable object stream loses its members; the catalog check below decides.
      }
    }
    if (!(trailer.get('Root') instanceof PdfRef)) {
      for (const [num, e] of entries) {
        if (e.type === 'free') continue;
        const o = await r.getObject(new PdfRef(num, e.gen)).catch(() => null);
        if (o instanceof PdfDict && o.getName('Type') === 'Catalog') {
          trailer = trailer.clone().set('Root', new PdfRef(num, e.gen));
          break;
        }
      }
    }
    trailer.set('Prev', undefined).set('XRefStm', undefined);
    ctx.revisions = tmpRev();
    ctx.revisions[0]!.endOffset = await findEofAfter(this.src, Math.max(0, this.src.size - 1024)).then((e) => Math.max(e, this.src.size));
    ctx.cache = new Lru<PdfObject>(ctx.cache.size + 4096);
    this.revisions = ctx.revisions;
    this.latest = new RevisionResolver(ctx, 0);
    this.repaired = true;
    this.repairKind = 'rebuilt';
    this.repairReason = reason;
    try {
      const cat = await this.catalogStrict();
      await countPages(this.latest, cat);
      await this.checkClosure(entries);
    } catch (e) {
      if (isKysoError(e) && e.code === 'pdfTruncated') throw e;
      throw new KysoError('pdfUnrepairable', { detail: `${reason}; ${describe(e)}` }, { cause: e });
    }
  }

  /**
   * After a rebuild, every object reachable from the trailer must exist and parse: a truncated
   * file (fonts, pages or streams cut off) is refused instead of being signed half-missing.
   */
  private async checkClosure(entries: Map<number, XrefEntry>): Promise<void> {
    const seen = new Set<string>();
    const todo: PdfObject[] = [this.trailer.get('Root') ?? null, this.trailer.get('Info') ?? null];
    while (todo.length) {
      const o = todo.pop()!;
      if (o instanceof PdfRef) {
        if (seen.has(o.key)) continue;
        if (seen.size >= MAX_CLOSURE) return; // enough evidence; huge documents are not walked fully
        seen.add(o.key);
        const e = entries.get(o.num);
        if (!e || e.type === 'free') throw new KysoError('pdfTruncated', { detail: `object ${o.key} is missing` });
        todo.push(await this.latest.getObject(o));
      } else if (Array.isArray(o)) todo.push(...o);
      else if (o instanceof PdfDict) todo.push(...o.map.values());
      else if (o instanceof PdfStream) todo.push(o.dict);
    }
  }

  /** Loads an object of the newest revision (null when missing or free). */
  getObject(ref: PdfRef | number): Promise<PdfObject> {
    return this.latest.getObject(ref);
  }
  /** Follows references to a direct value (newest revision). */
  resolve(o: PdfObject | undefined): Promise<PdfObject | undefined> {
    return this.latest.resolve(o);
  }
  /** Decodes a stream's data through its filters. */
  decodeStream(s: PdfStream): Promise<Uint8Array> {
    return this.latest.decodeStream(s);
  }
  /** The xref entry of an object number in the newest revision. */
  entry(num: number): XrefEntry | undefined {
    return this.latest.entry(num);
  }
  /** A resolver that sees the document as of revision `index` (0 = original). */
  atRevision(index: number): RevisionResolver {
    if (!Number.isInteger(index) || index < 0 || index >= this.revisions.length) throw new RangeError(`no revision ${index}`);
    return index === this.revisions.length - 1 ? this.latest : new RevisionResolver(this.ctx, index);
  }
  /** The newest revision's resolver. */
  get resolver(): RevisionResolver {
    return this.latest;
  }
  /** The document catalog (/Root). */
  async catalog(): Promise<PdfDict> {
    return this.catalogStrict();
  }
  /** Number of pages. */
  async pageCount(): Promise<number> {
    return countPages(this.latest, await this.catalog());
  }
  /** Page `index` (0-based) with inherited attributes resolved. */
  async page(index: number): Promise<PageInfo> {
    return findPage(this.latest, await this.catalog(), index);
  }
  /** The interactive form (AcroForm) with its fields, or null when the document has none. */
  async acroForm(): Promise<AcroFormInfo | null> {
    return readAcroForm(this.latest, await this.catalog());
  }
  /** Raw bytes of the file. */
  readRange(offset: number, length: number): Promise<Buffer> {
    return this.src.read(offset, length);
  }
  /** Highest object number + 1 over all revisions (the /Size an update must exceed). */
  get nextObjectNumber(): number {
    let max = 0;
    let declared = 0;
    for (const r of this.revisions) {
      declared = Math.max(declared, r.trailer.getNumber('Size') ?? 0);
      for (const s of r.sections) for (const k of s.entries.keys()) max = Math.max(max, k + 1);
    }
    // /Size beyond the 8,388,607 objects readers support (ISO 32000 Annex C) is not believed:
    // numbering new objects from there made the signed file unreadable to poppler.
    return declared <= MAX_OBJECT_NUMBER ? Math.max(max, declared) : max;
  }
  /** True when the file does not end with an end-of-line (an update must add one first). */
  async endsWithEol(): Promise<boolean> {
    const last = await this.src.read(this.src.size - 1, 1);
    return last[0] === 0x0a || last[0] === 0x0d;
  }
  /** Closes the file handle. */
  async close(): Promise<void> {
    await this.src.close();
  }
}

/** A cause as a sentence (its English message for a KysoError), for an error's `detail`. */
function describe(e: unknown): string {
  if (isKysoError(e)) return t('en', `error.${e.code}`, e.params);
  return e instanceof Error ? e.message : String(e);
}
