/**
 * Revisions: the xref chain grouped into incremental updates, each with its byte range, so the
 * validator can resolve objects as they were at signature N and diff revisions.
 */
import type { PdfDict } from './objects.js';
import type { EofMarker } from './recover.js';
import { BlockCache, type FileSource } from './source.js';
import type { XrefEntry, XrefSection } from './xref.js';

/** One revision: an original document or one incremental update. */
export interface Revision {
  /** 0 for the original document, then 1, 2... in file order. */
  index: number;
  /** First byte of this revision (0, or the previous revision's endOffset). */
  startOffset: number;
  /** The `startxref` value that opens this revision's xref chain. */
  xrefOffset: number;
  /** Offset just after this revision's `%%EOF` (and its end-of-line, if any). */
  endOffset: number;
  /** The newest trailer of the revision (for xref streams: the stream dictionary). */
  trailer: PdfDict;
  kind: 'table' | 'stream';
  /** The xref sections of this revision, newest first (two for linearized originals). */
  sections: XrefSection[];
  /**
   * True for a recovered revision whose section has no /Prev although older revisions exist:
   * it lists every object, so lookups stop there (a reader following the chain sees no more).
   */
  complete?: boolean;
}

/** Groups sections (newest first, as the /Prev chain yields them) into revisions, oldest first. */
/**
 * What several opens of one file (its prefix views) can share: parsed xref sections by offset
 * and `%%EOF` positions. A section is reused only when it lies within the view's bytes.
 */
export interface SharedParse {
  sections: Map<number, XrefSection>;
  eofs: Map<number, number>;
  /** File blocks read by any of the views. */
  blocks: BlockCache;
  /** Revision recovery (recover.ts): the markers of the largest view scanned, sections rebuilt from a byte range. */
  markers?: { size: number; list: EofMarker[] };
  rebuilt?: Map<string, XrefSection | null>;
}

/** A new, empty SharedParse. */
export function sharedParse(): SharedParse {
  return { sections: new Map(), eofs: new Map(), blocks: new BlockCache(), rebuilt: new Map() };
}

export async function buildRevisions(src: FileSource, chain: XrefSection[], shared?: SharedParse): Promise<Revision[]> {
  const groups: XrefSection[][] = [];
  for (let i = 0; i < chain.length; i++) {
    const s = chain[i]!;
    const prevInGroup = groups.at(-1)?.at(-1);
    // A newer section lying *before* its /Prev is the first-page table of a linearized file:
    // both belong to one revision.
    if (prevInGroup && prevInGroup.offset < s.offset && prevInGroup === chain[i - 1]) groups.at(-1)!.push(s);
    else groups.push([s]);
  }
  groups.reverse();
  const revs: Revision[] = [];
  let start = 0;
  for (const [index, g] of groups.entries()) {
    const newest = g[0]!;
    const maxEnd = Math.max(...g.map((s) => s.end));
    let endOffset = shared?.eofs.get(maxEnd);
    if (endOffset === undefined || endOffset > src.size) {
      endOffset = await findEofAfter(src, maxEnd);
      // Only an %%EOF actually found is the same in every view (else it is the view's size).
      if (shared && endOffset < src.size) shared.eofs.set(maxEnd, endOffset);
    }
    revs.push({ index, startOffset: start, xrefOffset: newest.offset, endOffset, trailer: newest.trailer, kind: newest.kind, sections: g });
    start = endOffset;
  }
  return revs;
}

/** Offset after the first `%%EOF` (plus CR, LF or CRLF) at or after `from`, else file size. */
export async function findEofAfter(src: FileSource, from: number): Promise<number> {
  // Usually a few bytes after the trailer: read a small window first, then wider ones (up to
  // 1 MB in all), so opening a file with many revisions does not read a megabyte per revision.
  for (let pos = from, win = 256; pos < Math.min(src.size, from + (1 << 20)); pos += win - 8, win = Math.min(win * 8, 1 << 20)) {
    const buf = await src.read(pos, win);
    const i = buf.indexOf('%%EOF', 0, 'latin1');
    if (i >= 0) {
      let end = i + 5;
      // The end-of-line may lie just past this window.
      const eol = buf.length >= end + 2 ? buf : await src.read(pos, end + 2);
      if (eol[end] === 0x0d) end++;
      if (eol[end] === 0x0a) end++;
      return pos + end;
    }
    if (buf.length < win) break;
  }
  return src.size;
}

/** Looks up object `num` as of revision `upTo` (inclusive), newest section first. */
export function lookupEntry(revs: Revision[], upTo: number, num: number): XrefEntry | undefined {
  for (let r = upTo; r >= 0; r--) {
    for (const s of revs[r]!.sections) {
      const e = s.entries.get(num);
      if (e) return e;
    }
    if (revs[r]!.complete) break;
  }
  return undefined;
}

/** The object numbers a revision's own sections define (in use or freed). */
export function objectNumbers(rev: Revision): number[] {
  const set = new Set<number>();
  for (const s of rev.sections) for (const k of s.entries.keys()) set.add(k);
  return [...set].sort((a, b) => a - b);
}
