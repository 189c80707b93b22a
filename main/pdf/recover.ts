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
import type { Revision } from './revisions.js';
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
}

const CHUNK = 4 * 1024 * 1024;
const MARKER = /startxref\s+(\d{1,15})\s+%%EOF/g;

/** Every `startxref N %%EOF` marker of the file, in file order (chunked, bounded memory). */
export async function findMarkers(src: FileSource): Promise<EofMarker[]> {
  const out: EofMarker[] = [];
  const overlap = 64;
  for (let pos = 0; pos < src.size; pos += CHUNK) {
    const start = Math.max(0, pos - overlap);
    const buf = await src.read(start, Math.min(CHUNK + overlap + 2, src.size - start));
    const text = buf.toString('latin1');
    for (const m of text.matchAll(MARKER)) {
      const at = start + m.index;
      if (out.length && at <= out.at(-1)!.at) continue;
      let end = m.index + m[0].length;
      if (text.charCodeAt(end) === 0x0d) end++;
      if (text.charCodeAt(end) === 0x0a) end++;
      out.push({ xref: Number(m[1]), at, end: start + end });
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
export async function recoverRevisions(src: FileSource): Promise<Recovered | null> {
  const markers = await findMarkers(src);
  if (!markers.length) return null;
  const revisions: Revision[] = [];
  const rebuilt: number[] = [];
  let start = 0;
  for (const m of markers) {
    let sec: XrefSection | null = null;
    if (m.xref >= start && m.xref < m.at) sec = await readXrefSection(src, m.xref).catch(() => null);
    if (!sec) {
      sec = await rebuildSection(src, start, m.at);
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
