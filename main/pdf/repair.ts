/**
 * Repair by scanning: when the xref chain is missing or wrong, find every `n g obj` in the
 * file (streaming, constant memory) and the last trailer, to rebuild the object map.
 */
import type { FileSource } from './source.js';
import { PdfDict } from './objects.js';
import { Parser } from './parser.js';
import type { XrefEntry } from './xref.js';

/** What a scan found: latest offset per object number, and the last trailer-like dict. */
export interface ScanResult {
  entries: Map<number, XrefEntry & { type: 'offset' }>;
  trailer: PdfDict | null;
  /** Offsets of xref streams seen (their dicts may serve as trailers). */
  xrefStreams: number[];
  /** Objects that look like object streams (/Type /ObjStm), by number. */
  objectStreams: number[];
}

const CHUNK = 4 * 1024 * 1024;
const OVERLAP = 64;

/**
 * Scans the file (or its bytes `[from, to)`) for object headers and trailers. Linear time,
 * bounded memory. `headers`, when given, receives every header offset of each number.
 */
export async function scanObjects(src: FileSource, from = 0, to = src.size, headers?: Map<number, number[]>): Promise<ScanResult> {
  const entries = new Map<number, XrefEntry & { type: 'offset' }>();
  const trailers: number[] = [];
  const xrefStreams: number[] = [];
  const objectStreams: number[] = [];
  const objRe = /(?:^|[\r\n\s])(\d{1,7})[ \t\r\n\f\0]+(\d{1,5})[ \t\r\n\f\0]+obj\b/g;
  const trailerRe = /trailer[\s]*<</g;
  for (let pos = from; pos < to; pos += CHUNK) {
    const start = Math.max(from, pos - OVERLAP);
    const buf = await src.read(start, Math.min(CHUNK + OVERLAP, to - start));
    const text = buf.toString('latin1');
    for (const m of text.matchAll(objRe)) {
      const at = start + m.index + m[0].length - m[0].trimStart().length;
      // The previous buffer ended exactly at `pos`: whatever ended there was already seen.
      if (pos > from && start + m.index + m[0].length <= pos) continue;
      const num = Number(m[1]);
      const gen = Number(m[2]);
      entries.set(num, { type: 'offset', offset: at, gen });
      if (headers) headers.set(num, [...(headers.get(num) ?? []), at]);
      const tail = text.slice(m.index + m[0].length, m.index + m[0].length + 200);
      if (/\/Type\s*\/XRef\b/.test(tail)) xrefStreams.push(at);
      if (/\/Type\s*\/ObjStm\b/.test(tail)) objectStreams.push(num);
    }
    for (const m of text.matchAll(trailerRe)) {
      const at = start + m.index;
      if (pos > from && start + m.index + m[0].length <= pos) continue;
      trailers.push(at + 'trailer'.length);
    }
  }
  let trailer: PdfDict | null = null;
  // Last trailer wins; trailers of earlier revisions are merged under it (Root may sit in one only).
  for (const at of trailers) {
    const buf = await src.read(at, Math.min(8192, to - at));
    try {
      const o = new Parser(buf, 0, at, true).parseObject();
      if (o instanceof PdfDict) {
        if (!trailer) trailer = o.clone();
        else for (const [k, v] of o.map) trailer.set(k, v);
      }
    } catch {
      // A damaged trailer is skipped; another one or the catalog search may still work.
    }
  }
  return { entries, trailer, xrefStreams, objectStreams };
}
