/**
 * Reject-by-default classification of one changed object between two revisions. Only the
 * changes PAdES and DocMDP justify are allowed; everything else is named precisely.
 */
import { PdfDict, PdfRef, PdfStream, type PdfObject } from '../../pdf/objects.js';
import type { PdfView } from '../doc.js';
import { changedKeys, dictOf, nameOf } from '../values.js';
import type { ModificationClass } from '../types.js';
import type { RevisionContext } from './context.js';

/** A classified change before it gets its revision number. */
export interface Verdict {
  object?: number;
  class: ModificationClass;
  allowed: boolean;
  code: string;
  detail: string;
}

/** What the rules need besides the two revisions. */
export interface RuleEnv {
  older: PdfView;
  newer: PdfView;
  ctx: RevisionContext;
  /** DocMDP permission level in force (1, 2 or 3). */
  p: number;
  /** Field names locked by FieldMDP of the signature being analysed. */
  locked: (name: string) => boolean;
}

const no = (object: number | undefined, code: string, detail: string): Verdict => ({ object, class: 'notAllowed', allowed: false, code, detail });
const yes = (object: number | undefined, cls: ModificationClass, code: string, detail: string): Verdict => ({ object, class: cls, allowed: true, code, detail });

async function safeDict(view: PdfView, v: PdfObject | undefined): Promise<PdfDict | undefined> {
  try {
    return await view.dict(v);
  } catch {
    return undefined;
  }
}

async function isSigField(view: PdfView, d: PdfDict): Promise<boolean> {
  if (nameOf(d.get('FT')) === 'Sig') return true;
  const parent = await safeDict(view, d.get('Parent'));
  return !!parent && nameOf(parent.get('FT')) === 'Sig';
}

/**
 * True when a new signature field holds a document timestamp and shows nothing. ISO 32000-2
 * (12.8.2.2.2) does not count updates that only add DSS data or document timestamps as
 * changes, whatever the DocMDP level, so a B-LTA timestamp after a P=1 certification is
 * allowed; a visible widget would change what is displayed and stays refused.
 */
async function holdsDocTimestamp(view: PdfView, d: PdfDict): Promise<boolean> {
  const parent = await safeDict(view, d.get('Parent'));
  const v = (await safeDict(view, d.get('V'))) ?? (parent ? await safeDict(view, parent.get('V')) : undefined);
  if (!v || (nameOf(v.get('Type')) !== 'DocTimeStamp' && nameOf(v.get('SubFilter')) !== 'ETSI.RFC3161')) return false;
  const rect = await view.resolve(d.get('Rect')).catch(() => undefined);
  if (!Array.isArray(rect)) return rect === undefined;
  const [x1, y1, x2, y2] = rect.map((x) => (typeof x === 'number' ? x : NaN));
  return Math.abs((x2! - x1!) * (y2! - y1!)) === 0;
}

/** Checks an annotation newly added to a page. */
async function addedAnnot(env: RuleEnv, ref: PdfObject, page: number): Promise<Verdict> {
  const num = ref instanceof PdfRef ? ref.num : undefined;
  const d = await safeDict(env.newer, ref);
  if (!d) return no(num, 'annotationUnreadable', `unreadable annotation added to page ${page}`);
  if (nameOf(d.get('Subtype')) === 'Widget') {
    if (!(await isSigField(env.newer, d))) return no(num, 'fieldAdded', `non-signature form field widget added to page ${page}`);
    if (env.p === 1 && !(await holdsDocTimestamp(env.newer, d))) return no(num, 'docMdpNoChanges', 'new signature field while DocMDP P=1 forbids any change');
    return yes(num, 'signatureField', 'signatureFieldAdded', `signature widget added to page ${page}`);
  }
  if (env.p >= 3) return yes(num, 'annotation', 'annotationAdded', `annotation ${nameOf(d.get('Subtype')) ?? '?'} added to page ${page}`);
  return no(num, 'annotationNotPermitted', `annotation ${nameOf(d.get('Subtype')) ?? '?'} added to page ${page} without DocMDP P=3`);
}

/** Checks a field newly added to /AcroForm /Fields. */
async function addedField(env: RuleEnv, ref: PdfObject): Promise<Verdict> {
  const num = ref instanceof PdfRef ? ref.num : undefined;
  const d = await safeDict(env.newer, ref);
  if (!d || !(await isSigField(env.newer, d))) return no(num, 'fieldAdded', 'non-signature form field added');
  if (env.p === 1 && !(await holdsDocTimestamp(env.newer, d))) return no(num, 'docMdpNoChanges', 'new signature field while DocMDP P=1 forbids any change');
  return yes(num, 'signatureField', 'signatureFieldAdded', 'signature field added');
}

function refKey(v: PdfObject): string {
  return v instanceof PdfRef ? `${v.num} ${v.gen}` : JSON.stringify(String(v));
}

/** An array that may only grow (annotations, fields): kept entries unchanged, additions checked. */
async function growOnly(object: number | undefined, before: PdfObject | undefined, after: PdfObject | undefined, check: (added: PdfObject) => Promise<Verdict>, what: string): Promise<Verdict[]> {
  const a = Array.isArray(before) ? before : before === undefined || before === null ? [] : undefined;
  if (!a || !Array.isArray(after)) return [no(object, 'arrayReplaced', `${what} replaced by a non-array`)];
  const keep = new Set(after.map(refKey));
  const removed = a.filter((x) => !keep.has(refKey(x)));
  if (removed.length) return [no(object, 'entriesRemoved', `${removed.length} entries removed from ${what}`)];
  const old = new Set(a.map(refKey));
  const out: Verdict[] = [];
  for (const x of after) if (!old.has(refKey(x))) out.push(await check(x));
  return out;
}

async function acroForm(env: RuleEnv, object: number | undefined, before: PdfDict | undefined, after: PdfDict | undefined): Promise<Verdict[]> {
  if (!after) return [no(object, 'acroFormRemoved', 'AcroForm removed')];
  const keys = before ? await changedKeys(before, after) : [...after.map.keys()];
  // /DR and /DA are defaults for generating field appearances; many signers add fonts there.
  const bad = keys.filter((k) => k !== 'Fields' && k !== 'SigFlags' && k !== 'DR' && k !== 'DA');
  if (bad.length) return [no(object, 'acroFormModified', `AcroForm keys changed: ${bad.join(', ')}`)];
  if (!keys.includes('Fields')) return [yes(object, 'signatureField', 'sigFlagsSet', 'AcroForm /SigFlags set')];
  const fb = before ? await safeResolve(env.older, before.get('Fields')) : undefined;
  const fa = await safeResolve(env.newer, after.get('Fields'));
  const out = await growOnly(object, fb, fa, (r) => addedField(env, r), 'AcroForm /Fields');
  return out.length ? out : [yes(object, 'signatureField', 'fieldsReordered', 'AcroForm /Fields updated')];
}

async function safeResolve(view: PdfView, v: PdfObject | undefined): Promise<PdfObject | undefined> {
  try {
    return await view.resolve(v);
  } catch {
    return undefined;
  }
}

/** The page's content streams as a list of values (a stream reference or an array of them). */
async function contentList(view: PdfView, v: PdfObject | undefined): Promise<PdfObject[] | undefined> {
  const r = await safeResolve(view, v);
  if (Array.isArray(r)) return r;
  return v instanceof PdfRef ? [v] : undefined;
}

/** How many `q` (or `Q`) operators a stream holds when it holds nothing else. */
async function onlyOperator(view: PdfView, v: PdfObject, op: 'q' | 'Q'): Promise<number> {
  try {
    const s = await view.resolve(v);
    if (!(s instanceof PdfStream)) return 0;
    const text = Buffer.from(await view.decode(s)).toString('latin1');
    const m = new RegExp(`^\\s*(?:${op}\\s*)+$`).exec(text);
    return m ? text.split(op).length - 1 : 0;
  } catch {
    return 0;
  }
}

/**
 * True when the page's content only got wrapped in q ... Q (what pdf-lib does to every page it
 * saves): the signed streams, unchanged and in order, between new streams holding nothing but
 * balanced `q` before and `Q` after. Drawing is the same.
 */
async function contentsWrapped(env: RuleEnv, before: PdfObject | undefined, after: PdfObject | undefined): Promise<boolean> {
  const old = await contentList(env.older, before);
  const neu = await contentList(env.newer, after);
  if (!old || !neu || old.length === 0 || neu.length <= old.length) return false;
  const keys = neu.map(refKey);
  const at = keys.findIndex((_, i) => old.every((o, j) => keys[i + j] === refKey(o)));
  if (at < 0 || old.some((o) => !(o instanceof PdfRef))) return false;
  let q = 0;
  let Q = 0;
  for (const v of neu.slice(0, at)) {
    const n = await onlyOperator(env.newer, v, 'q');
    if (!n) return false;
    q += n;
  }
  for (const v of neu.slice(at + old.length)) {
    const n = await onlyOperator(env.newer, v, 'Q');
    if (!n) return false;
    Q += n;
  }
  return q === Q;
}

const ROLE_CODES: Record<string, string> = {
  page: 'pageModified',
  pageTree: 'pageTreeModified',
  pageContent: 'pageContentModified',
  pageResources: 'pageResourcesModified',
  font: 'fontModified',
  xobject: 'xobjectModified',
  resource: 'pageResourcesModified',
  appearance: 'appearanceModified',
  annotation: 'annotationModified',
};

/** Classifies object `num`, changed from `before` (older) to `after` (newer). */
export async function classifyChanged(env: RuleEnv, num: number, before: PdfObject, after: PdfObject): Promise<Verdict[]> {
  const { ctx } = env;
  if (num === ctx.rootNum) {
    const b = dictOf(before);
    const a = dictOf(after);
    if (!b || !a) return [no(num, 'catalogModified', 'catalog replaced')];
    const keys = await changedKeys(b, a);
    const bad = keys.filter((k) => k !== 'DSS' && k !== 'AcroForm' && k !== 'Extensions' && k !== 'Metadata');
    if (bad.length) return [no(num, 'catalogModified', `catalog keys changed: ${bad.join(', ')}`)];
    const out: Verdict[] = [];
    if (keys.includes('DSS')) out.push(yes(num, 'dss', 'dssAdded', 'document security store added or updated'));
    if (keys.includes('AcroForm')) {
      const ab = b.get('AcroForm');
      const aa = a.get('AcroForm');
      // A different AcroForm object is compared as a whole against the old one.
      if (!(ab instanceof PdfRef && aa instanceof PdfRef && ab.num === aa.num)) out.push(...(await acroForm(env, num, await safeDict(env.older, ab), await safeDict(env.newer, aa))));
    }
    if (keys.includes('Extensions')) out.push(yes(num, 'dss', 'extensionsUpdated', 'catalog /Extensions updated'));
    if (keys.includes('Metadata')) out.push(yes(num, 'auxiliary', 'metadataUpdated', 'XMP metadata replaced'));
    return out;
  }
  if (num === ctx.acroFormNum) return acroForm(env, num, dictOf(before), dictOf(after));
  // Signing tools routinely refresh /Info (ModDate, Producer) and the XMP packet.
  if (num === ctx.infoNum) return [yes(num, 'auxiliary', 'infoUpdated', 'document information (/Info) updated')];
  if (num === ctx.metadataNum) return [yes(num, 'auxiliary', 'metadataUpdated', 'XMP metadata updated')];
  if (num === ctx.fieldsArrayNum) return growOnly(num, before, after, (r) => addedField(env, r), 'AcroForm /Fields');
  if (ctx.sigDicts.has(num)) return [no(num, 'signatureDictModified', `signature dictionary ${num} modified`)];
  const page = ctx.pages.get(num);
  if (page !== undefined) {
    const b = dictOf(before);
    const a = dictOf(after);
    if (!b || !a) return [no(num, 'pageModified', `page ${page} replaced`)];
    let bad = (await changedKeys(b, a)).filter((k) => k !== 'Annots');
    const wrapped = bad.includes('Contents') && (await contentsWrapped(env, b.get('Contents'), a.get('Contents')));
    if (wrapped) bad = bad.filter((k) => k !== 'Contents');
    if (bad.length) return [no(num, bad.includes('Contents') ? 'pageContentModified' : bad.includes('Resources') ? 'pageResourcesModified' : 'pageModified', `page ${page} keys changed: ${bad.join(', ')}`)];
    const annots = await growOnly(num, await safeResolve(env.older, b.get('Annots')), await safeResolve(env.newer, a.get('Annots')), (r) => addedAnnot(env, r, page), `annotations of page ${page}`);
    return wrapped ? [yes(num, 'auxiliary', 'pageContentWrapped', `content of page ${page} wrapped in q/Q`), ...annots] : annots;
  }
  if (ctx.annotsArrayNums.has(num)) return growOnly(num, before, after, (r) => addedAnnot(env, r, 0), 'page annotations');
  const field = ctx.fields.get(num);
  const b = dictOf(before);
  const a = dictOf(after);
  if (field && b && a) {
    const keys = await changedKeys(b, a);
    const onlyFill = keys.every((k) => k === 'V' || k === 'AP' || k === 'AS');
    if (field.ft === 'Sig' && !field.filled && onlyFill) {
      if (env.p === 1) return [no(num, 'docMdpNoChanges', `signature field ${field.name} signed while DocMDP P=1 forbids any change`)];
      return [yes(num, 'signature', 'signatureAdded', `signature field ${field.name} signed`)];
    }
    if (field.ft !== 'Sig' && onlyFill) {
      if (env.p < 2) return [no(num, 'docMdpNoChanges', `field ${field.name} filled while DocMDP P=1 forbids any change`)];
      if (env.locked(field.name)) return [no(num, 'fieldLocked', `field ${field.name} is locked by FieldMDP`)];
      const filled = yes(num, 'formFill', 'formFilled', `field ${field.name} filled`);
      const page = (keys.includes('AP') || keys.includes('AS')) && visibleWidget(a) ? widgetPage(env, a) : undefined;
      // Allowed, but what the page shows is no longer what the signer saw: the report says so.
      return page === undefined ? [filled] : [filled, yes(num, 'formFill', 'fieldAppearanceChanged', `page ${page} looks different from what was signed: the appearance of field ${field.name} changed`)];
    }
    return [no(num, 'fieldModified', `field ${field.name} keys changed: ${keys.join(', ')}`)];
  }
  const role = ctx.roles.get(num);
  if (role === 'annotation' && env.p >= 3) return [yes(num, 'annotation', 'annotationModified', `annotation ${num} modified (DocMDP P=3)`)];
  const code = role ? ROLE_CODES[role] ?? 'objectModified' : 'objectModified';
  return [no(num, code, `object ${num}${role ? ` (${role})` : ''} redefined with different content`)];
}

/** Classifies an object that did not exist in the older revision. */
export function classifyNew(env: RuleEnv, num: number, after: PdfObject): Verdict {
  const d = dictOf(after);
  const type = nameOf(d?.get('Type'));
  if (type === 'DocTimeStamp' || (type === 'Sig' && nameOf(d?.get('SubFilter')) === 'ETSI.RFC3161')) return yes(num, 'documentTimestamp', 'documentTimestampAdded', 'document timestamp added');
  if (type === 'Sig') {
    if (env.p === 1) return no(num, 'docMdpNoChanges', 'new signature while DocMDP P=1 forbids any change');
    return yes(num, 'signature', 'signatureAdded', 'signature added');
  }
  if (type === 'DSS' || type === 'VRI') return yes(num, 'dss', 'dssAdded', 'document security store data added');
  // Unreferenced new objects cannot change the display; whoever references them is checked.
  return yes(num, 'auxiliary', 'objectAdded', 'new object');
}

/** A widget drawn on its page: a /Rect with area and not hidden (/F bit 2) or no-view (bit 6). */
function visibleWidget(d: PdfDict): boolean {
  const r = d.get('Rect');
  const f = d.get('F');
  const flags = typeof f === 'number' ? f : 0;
  if (flags & 0x22) return false;
  if (!Array.isArray(r) || r.length !== 4 || !r.every((x) => typeof x === 'number')) return false;
  const [x1, y1, x2, y2] = r as number[];
  return Math.abs(x2! - x1!) > 0 && Math.abs(y2! - y1!) > 0;
}

/** The 1-based page of a widget (its /P, else the page whose /Annots lists it), 0 when unknown. */
function widgetPage(env: RuleEnv, d: PdfDict): number {
  const p = d.get('P');
  return p instanceof PdfRef ? env.ctx.pages.get(p.num) ?? 0 : 0;
}
