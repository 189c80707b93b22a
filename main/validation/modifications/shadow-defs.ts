/**
 * Objects a repairing reader reads differently. When a file's cross-reference data is
 * damaged (a broken /Prev chain, a damaged section), viewers such as poppler or MuPDF rebuild
 * it by scanning the file, where the LAST definition of an object number wins. A definition
 * written after the one the cross-reference data names is then what those viewers display:
 * the shadow attack that breaks the xref on purpose. Only run on files that needed repair.
 */
import { scanObjects } from '../../pdf/repair.js';
import { nonWhite, type PdfView } from '../doc.js';

/** An object whose last definition in the file is not the one the cross-reference names. */
export interface ShadowDefinition {
  num: number;
  /** Offset of the later (unlisted) definition. */
  offset: number;
}

/** Largest gap of whitespace tolerated between an xref offset and the object header. */
const SLACK = 64;

/** Later unlisted definitions of objects in use, in object-number order. */
export async function shadowDefinitions(view: PdfView): Promise<ShadowDefinition[]> {
  const headers = new Map<number, number[]>();
  await scanObjects(view.source, 0, view.size, headers);
  const out: ShadowDefinition[] = [];
  for (const [num, offs] of [...headers].sort((a, b) => a[0] - b[0])) {
    const e = view.entries.get(num);
    if (!e || e.type === 'free') continue;
    const last = offs.at(-1)!;
    let listed: number;
    if (e.type === 'offset') listed = e.offset;
    else {
      const s = view.entries.get(e.stream);
      if (s?.type !== 'offset') continue;
      // A member of an object stream: any direct definition after that stream wins when rebuilt.
      if (last > s.offset) out.push({ num, offset: last });
      continue;
    }
    if (last <= listed) continue;
    // The listed offset may point at whitespace just before the same header.
    if (last - listed <= SLACK && !(await nonWhite(view.source, listed, last))) continue;
    out.push({ num, offset: last });
  }
  return out;
}
