/**
 * What the older revision of a diff looks like: its pages, the role of every object that
 * contributes to what is displayed (content, resources, fonts, XObjects, appearances), its
 * form fields and signature dictionaries. Roles let a rejected change name a precise reason.
 */
import { PdfDict, PdfRef, PdfStream, type PdfObject } from '../../pdf/objects.js';
import type { PdfView } from '../doc.js';
import { dictOf, nameOf, textOf } from '../values.js';

/** Role of an object in the displayed document. */
export type ObjectRole = 'pageTree' | 'page' | 'pageContent' | 'pageResources' | 'font' | 'xobject' | 'resource' | 'appearance' | 'annotation';

/** A form field of the older revision. */
export interface FieldInfo {
  name: string;
  ft: string | undefined;
  filled: boolean;
}

/** Facts about one revision used to classify changes made after it. */
export interface RevisionContext {
  rootNum: number | undefined;
  acroFormNum: number | undefined;
  fieldsArrayNum: number | undefined;
  annotsArrayNums: Set<number>;
  pages: Map<number, number>;
  roles: Map<number, ObjectRole>;
  fields: Map<number, FieldInfo>;
  sigDicts: Set<number>;
  /** Document information dictionary and XMP metadata stream (not displayed content). */
  infoNum: number | undefined;
  metadataNum: number | undefined;
}

const MAX_NODES = 200_000;

/** Builds the context of a revision (bounded walks; unreadable parts are skipped). */
export async function buildContext(view: PdfView): Promise<RevisionContext> {
  const ctx: RevisionContext = {
    rootNum: view.rootNum(),
    acroFormNum: undefined,
    fieldsArrayNum: undefined,
    annotsArrayNums: new Set(),
    pages: new Map(),
    roles: new Map(),
    fields: new Map(),
    sigDicts: new Set(),
    infoNum: undefined,
    metadataNum: undefined,
  };
  const info = view.trailer.get('Info');
  if (info instanceof PdfRef) ctx.infoNum = info.num;
  let budget = MAX_NODES;
  const safe = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch {
      return undefined;
    }
  };
  const cat = await safe(() => view.catalog());
  if (!cat) return ctx;
  const meta = cat.get('Metadata');
  if (meta instanceof PdfRef) ctx.metadataNum = meta.num;
  const setRole = (v: PdfObject | undefined, role: ObjectRole): boolean => {
    if (!(v instanceof PdfRef) || ctx.roles.has(v.num)) return !(v instanceof PdfRef) ? true : false;
    ctx.roles.set(v.num, role);
    return true;
  };
  const walkResources = async (res: PdfObject | undefined, depth: number): Promise<void> => {
    if (depth > 16 || --budget < 0) return;
    setRole(res, 'pageResources');
    const d = await safe(() => view.dict(res));
    if (!d) return;
    for (const [key, sub] of d.map) {
      const sd = await safe(() => view.dict(sub));
      if (sub instanceof PdfRef) setRole(sub, 'resource');
      if (!sd) continue;
      for (const item of sd.map.values()) {
        const role: ObjectRole = key === 'Font' ? 'font' : key === 'XObject' ? 'xobject' : 'resource';
        if (!setRole(item, role)) continue;
        const obj = await safe(() => view.resolve(item));
        // Form XObjects and Type3 fonts have their own resources.
        const od = dictOf(obj ?? undefined);
        if (od?.get('Resources')) await walkResources(od.get('Resources'), depth + 1);
        if (key === 'Font' && od) for (const k of ['FontDescriptor', 'DescendantFonts', 'Encoding', 'ToUnicode']) setRole(od.get(k), 'font');
      }
    }
  };
  const walkAppearance = async (ap: PdfObject | undefined, depth: number): Promise<void> => {
    if (depth > 3 || --budget < 0) return;
    setRole(ap, 'appearance');
    const v = await safe(() => view.resolve(ap));
    if (v instanceof PdfStream) {
      await walkResources(v.dict.get('Resources'), 1);
      return;
    }
    if (v instanceof PdfDict) for (const x of v.map.values()) await walkAppearance(x, depth + 1);
  };
  const walkPages = async (node: PdfObject | undefined, depth: number, inherited: PdfObject | undefined): Promise<void> => {
    if (depth > 64 || --budget < 0 || !(node instanceof PdfRef)) return;
    if (ctx.pages.has(node.num) || ctx.roles.get(node.num) === 'pageTree') return;
    const d = await safe(() => view.dict(node));
    if (!d) return;
    const res = d.get('Resources') ?? inherited;
    if (nameOf(d.get('Type')) === 'Pages' || d.get('Kids') !== undefined) {
      ctx.roles.set(node.num, 'pageTree');
      const kids = await safe(() => view.resolve(d.get('Kids')));
      if (Array.isArray(kids)) for (const k of kids) await walkPages(k, depth + 1, res);
      return;
    }
    ctx.pages.set(node.num, ctx.pages.size + 1);
    ctx.roles.set(node.num, 'page');
    const contents = d.get('Contents');
    setRole(contents, 'pageContent');
    const cv = await safe(() => view.resolve(contents));
    if (Array.isArray(cv)) for (const c of cv) setRole(c, 'pageContent');
    await walkResources(res, 0);
    const annots = d.get('Annots');
    if (annots instanceof PdfRef) ctx.annotsArrayNums.add(annots.num);
    const av = await safe(() => view.resolve(annots));
    if (Array.isArray(av)) {
      for (const a of av) {
        setRole(a, 'annotation');
        const ad = await safe(() => view.dict(a));
        if (ad) await walkAppearance(ad.get('AP'), 0);
      }
    }
  };
  await walkPages(cat.get('Pages'), 0, undefined);
  const af = cat.get('AcroForm');
  if (af instanceof PdfRef) ctx.acroFormNum = af.num;
  const acro = await safe(() => view.dict(af));
  const fieldsRef = acro?.get('Fields');
  if (fieldsRef instanceof PdfRef) ctx.fieldsArrayNum = fieldsRef.num;
  const fields = await safe(() => view.resolve(fieldsRef));
  const walkField = async (ref: PdfObject, parent: string, ft: string | undefined, depth: number): Promise<void> => {
    if (depth > 32 || --budget < 0 || !(ref instanceof PdfRef) || ctx.fields.has(ref.num)) return;
    const f = await safe(() => view.dict(ref));
    if (!f) return;
    const t = textOf((await safe(() => view.resolve(f.get('T')))) ?? undefined);
    const name = t === undefined ? parent : parent ? `${parent}.${t}` : t;
    const myFt = nameOf(f.get('FT')) ?? ft;
    const v = f.get('V');
    ctx.fields.set(ref.num, { name, ft: myFt, filled: v !== undefined && v !== null });
    if (myFt === 'Sig' && v instanceof PdfRef) ctx.sigDicts.add(v.num);
    const kids = await safe(() => view.resolve(f.get('Kids')));
    if (Array.isArray(kids)) for (const k of kids) await walkField(k, name, myFt, depth + 1);
  };
  if (Array.isArray(fields)) for (const f of fields) await walkField(f, '', undefined, 0);
  return ctx;
}
