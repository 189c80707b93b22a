/**
 * Revision recovery: when the /Prev chain is broken (`/Prev 0`, an offset pointing nowhere)
 * or one update's cross-reference section is damaged, the revisions are found again from the
 * file itself. Every incremental update ends with `startxref N` and `%%EOF`; each such marker
 * delimits one revision, whose own section is read at N without following /Prev, or, when
 * that section is unreadable, rebuilt by scanning the objects written in the revision's bytes.
 * Unlike a whole-file rebuild, earlier revisions stay what they were, so signatures over them
 * can still be checked revision by revision (qpdf and poppler recover such files too).
 */
import { PdfDict, PdfRef } from './objects.js';
import { scanObjects } from './repair.js';
import type { Revision, SharedParse } from './revisions.js';
import type { FileSource } from './source.js';
import { readXrefSection, type XrefEntry, type XrefSection } from './xref.js';

/** A `startxref N %%EOF` marker: where one revision says its section is, and where it ends. */
export interface EofMarker {
  /** The value after `startxref`. */
  xref: number;
  /** Offset of the `startxref` keyword. */
  at: number;
  /** Offset just after `%%EOF` and its end-of-line. */
  end: number;
  /** Offset just after `%%EOF`. */
  eof: number;
}

const CHUNK = 4 * 1024 * 1024;
const MARKER = /startxref\s+(\d{1,15})\s+%%EOF/g;
/** Most revisions recovered (as many as the /Prev chain may have): beyond, the file is rebuilt as one. */
const MAX_MARKERS = 10_000;

/**
 * Every `startxref N %%EOF` marker of the file, in file order (chunked, bounded memory). With
 * `shared`, the markers of the largest view scanned serve the smaller ones: validation opens a
 * view per revision, and each used to read the file again.
 */
export async function findMarkers(src: FileSource, shared?: SharedParse): Promise<EofMarker[]> {
  const known = shared?.markers;
  if (known && known.size >= src.size) {
    // A marker counts when its %%EOF is inside the view; its end-of-line may be cut off.
    return known.list.filter((m) => m.eof <= src.size).map((m) => (m.end > src.size ? { ...m, end: src.size } : m));
  }
  const out = await scanMarkers(src);
  if (shared) shared.markers = { size: src.size, list: out };
  return out;
}

async function scanMarkers(src: FileSource): Promise<EofMarker[]> {
  const out: EofMarker[] = [];
  const overlap = 64;
  for (let pos = 0; pos < src.size; pos += CHUNK) {
    const start = Math.max(0, pos - overlap);
    const buf = await src.read(start, Math.min(CHUNK + overlap + 2, src.size - start));
    const text = buf.toString('latin1');
    for (const m of text.matchAll(MARKER)) {
      const at = start + m.index;
      if (out.length && at <= out.at(-1)!.at) continue;
      const eof = m.index + m[0].length;
      let end = eof;
      if (text.charCodeAt(end) === 0x0d) end++;
      if (text.charCodeAt(end) === 0x0a) end++;
      out.push({ xref: Number(m[1]), at, end: start + end, eof: start + eof });
    }
  }
  return out;
}

/** Why the revisions had to be recovered. */
export type RecoveryKind = 'brokenPrev' | 'xrefDamaged';

/** Revisions found again from the markers, and whether some section had to be rebuilt. */
export interface Recovered {
  revisions: Revision[];
  kind: RecoveryKind;
  /** 1-based numbers of the revisions whose section was rebuilt from their bytes. */
  rebuilt: number[];
}

/** The section at `offset`, parsed once for all views that hold it; null when unreadable. */
async function sectionAt(src: FileSource, offset: number, shared?: SharedParse): Promise<XrefSection | null> {
  const known = shared?.sections.get(offset);
  if (known && known.end <= src.size) return known;
  const sec = await readXrefSection(src, offset).catch(() => null);
  if (sec && shared && !known) shared.sections.set(offset, sec);
  return sec;
}

/** A section made from the objects written in `[from, to)` (its own section was unreadable). */
async function rebuildSection(src: FileSource, from: number, to: number): Promise<XrefSection | null> {
  const scan = await scanObjects(src, from, to);
  const entries = new Map<number, XrefEntry>(scan.entries);
  const trailer = scan.trailer ?? new PdfDict();
  // Xref streams carry the trailer keys when there is no classic trailer.
  for (const off of scan.xrefStreams) {
    const sec = await readXrefSection(src, off).catch(() => null);
    if (sec) for (const k of ['Root', 'Info', 'ID', 'Encrypt', 'Prev', 'Size']) if (sec.trailer.has(k) && !trailer.has(k)) trailer.set(k, sec.trailer.get(k));
  }
  if (!entries.size && !(trailer.get('Root') instanceof PdfRef)) return null;
  return { offset: from, kind: 'table', entries, trailer, end: to, rebuilt: true };
}

/**
 * The revisions of a file whose /Prev chain could not be followed, one per `%%EOF` marker.
 * Null when the markers do not describe the file (none, or the newest revision unusable).
 */
export async function recoverRevisions(src: FileSource, shared?: SharedParse): Promise<Recovered | null> {
  const markers = await findMarkers(src, shared);
  if (!markers.length || markers.length > MAX_MARKERS) return null;
  const revisions: Revision[] = [];
  const rebuilt: number[] = [];
  let start = 0;
  for (const m of markers) {
    let sec: XrefSection | null = null;
    if (m.xref >= start && m.xref < m.at) sec = await sectionAt(src, m.xref, shared);
    if (!sec) {
      // Sections rebuilt from a byte range inside the view are the same for every view.
      const key = `${start}:${m.at}`;
      sec = shared?.rebuilt?.has(key) ? shared.rebuilt.get(key)! : await rebuildSection(src, start, m.at);
      shared?.rebuilt?.set(key, sec);
      if (!sec) continue;
      rebuilt.push(revisions.length + 1);
    }
    const index = revisions.length;
    revisions.push({
      index,
      startOffset: start,
      xrefOffset: sec.offset,
      endOffset: m.end,
      trailer: sec.trailer,
      kind: sec.kind,
      sections: [sec],
      // A section without /Prev claims to list every object: older revisions are not consulted.
      complete: index > 0 && !sec.rebuilt && !sec.trailer.has('Prev'),
    });
    start = m.end;
  }
  if (!revisions.length) return null;
  return { revisions, kind: rebuilt.length ? 'xrefDamaged' : 'brokenPrev', rebuilt };
}
