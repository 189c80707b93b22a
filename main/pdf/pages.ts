/** The page tree: counting pages and finding one page with its inherited attributes. */
import { KysoError } from '../api/errors.js';
import { PdfDict, PdfRef, type PdfObject } from './objects.js';
import type { RevisionResolver } from './resolver.js';

/** A page with the attributes it inherits from its ancestors resolved. */
export interface PageInfo {
  /** 0-based page index. */
  index: number;
  /** The page object's reference (pages are always indirect). */
  ref: PdfRef;
  dict: PdfDict;
  /** [llx, lly, urx, ury] in default user space. */
  mediaBox: [number, number, number, number];
  /** CropBox, defaulting to MediaBox (clipped to it). */
  cropBox: [number, number, number, number];
  /** 0, 90, 180 or 270. */
  rotate: number;
  /** The page's resources (inherited when absent), resolved; empty when none. */
  resources: PdfDict;
  /** The /Resources value as written (a ref when shared), or undefined when inherited/absent. */
  resourcesRef: PdfObject | undefined;
}

const MAX_TREE_DEPTH = 64;

/** Number of pages, from /Count of the root (validated by walking when implausible). */
export async function countPages(r: RevisionResolver, catalog: PdfDict): Promise<number> {
  const root = await r.dictOf(catalog.get('Pages'));
  if (!root) throw new KysoError('pdfNoPages');
  const c = await r.resolve(root.get('Count'));
  if (typeof c === 'number' && Number.isSafeInteger(c) && c > 0) return c;
  throw new KysoError('pdfNoPages');
}

async function box(r: RevisionResolver, o: PdfObject | undefined): Promise<[number, number, number, number] | undefined> {
  const v = await r.resolve(o);
  if (!Array.isArray(v) || v.length !== 4) return undefined;
  const n = await Promise.all(v.map((x) => r.resolve(x)));
  if (!n.every((x): x is number => typeof x === 'number')) return undefined;
  const [a, b, c, d] = n as [number, number, number, number];
  return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
}

/** Finds page `index` by descending with /Count, so only one branch of the tree is read. */
export async function findPage(r: RevisionResolver, catalog: PdfDict, index: number): Promise<PageInfo> {
  const total = await countPages(r, catalog);
  if (!Number.isInteger(index) || index < 0 || index >= total) throw new KysoError('pdfPageNotFound', { page: index + 1, count: total });
  const inherited: Record<string, PdfObject | undefined> = {};
  let node: PdfObject | undefined = catalog.get('Pages');
  let remaining = index;
  const seen = new Set<string>();
  for (let depth = 0; depth < MAX_TREE_DEPTH; depth++) {
    if (!(node instanceof PdfRef)) throw new KysoError('pdfMalformed', { offset: -1, detail: 'page tree node is not indirect' });
    if (seen.has(node.key)) throw new KysoError('pdfCircular', { ref: node.key });
    seen.add(node.key);
    const d = await r.dictOf(node);
    if (!d) throw new KysoError('pdfMalformed', { offset: -1, detail: `page tree node ${node.key} missing` });
    for (const k of ['Resources', 'MediaBox', 'CropBox', 'Rotate']) if (d.has(k)) inherited[k] = d.get(k);
    const kids = await r.resolve(d.get('Kids'));
    if (d.getName('Type') === 'Page' || !Array.isArray(kids)) {
      if (remaining !== 0) break;
      return pageInfo(r, index, node, d, inherited);
    }
    let next: PdfObject | undefined;
    for (const kid of kids) {
      const kd = await r.dictOf(kid);
      if (!kd) continue;
      const isPages = kd.getName('Type') === 'Pages' || (kd.getName('Type') !== 'Page' && kd.has('Kids'));
      const cnt = isPages ? await r.resolve(kd.get('Count')) : 1;
      const n = typeof cnt === 'number' && cnt >= 0 ? cnt : 0;
      if (remaining < n) {
        next = kid;
        break;
      }
      remaining -= n;
    }
    if (next === undefined) break;
    node = next;
  }
  throw new KysoError('pdfMalformed', { offset: -1, detail: `page ${index + 1} not found in the page tree` });
}

async function pageInfo(r: RevisionResolver, index: number, ref: PdfRef, d: PdfDict, inh: Record<string, PdfObject | undefined>): Promise<PageInfo> {
  // Missing MediaBox is an error in the spec; viewers assume US Letter, so do we.
  const mediaBox = (await box(r, inh.MediaBox)) ?? [0, 0, 612, 792];
  const crop = (await box(r, inh.CropBox)) ?? mediaBox;
  const cropBox: [number, number, number, number] = [
    Math.max(crop[0], mediaBox[0]), Math.max(crop[1], mediaBox[1]), Math.min(crop[2], mediaBox[2]), Math.min(crop[3], mediaBox[3]),
  ];
  const rot = await r.resolve(inh.Rotate);
  const rotate = typeof rot === 'number' && Number.isInteger(rot) ? (((rot % 360) + 360) % 360) : 0;
  const resources = (await r.dictOf(inh.Resources)) ?? new PdfDict();
  return { index, ref, dict: d, mediaBox, cropBox, rotate: rotate % 90 === 0 ? rotate : 0, resources, resourcesRef: d.get('Resources') };
}
