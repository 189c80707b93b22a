/**
 * Signs validation fixtures independently of Kyso's signer: a hand-made incremental update
 * with the field, widget and /Contents placeholder, then `openssl cms -sign -cades` over the
 * byte ranges (and `openssl ts` for timestamps). Hooks let tests forge broken variants.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PdfView } from './pdf/document.js';
import { PdfRef } from './pdf/objects.js';
import { run } from '../../../bed/run.js';
import { appendUpdate, docParts, nextNum, ser, serWith, type NewObject } from './pdf-edit.js';

/** Sends a DER TimeStampReq and returns the DER TimeStampResp. */
export type TsaFn = (query: Buffer) => Promise<Buffer>;

/** How to sign a fixture. */
export interface FixtureSign {
  cert: string;
  key: string;
  /** PEM file with the chain to embed (issuing CA). */
  chain?: string;
  field?: string;
  m?: Date;
  subFilter?: string;
  docMdp?: 1 | 2 | 3;
  /** Stamp other bytes than the signature value (a forged signature timestamp). */
  tsaWrongData?: boolean;
  /** FieldMDP lock on these field names (Action /Include). */
  lockFields?: string[];
  tsa?: TsaFn;
  contentsSize?: number;
  /** Replaces the CMS before embedding (universal forgery tests). */
  mutateCms?: (der: Buffer) => Buffer;
  /** Rewrites the byte range before signing (the CMS then signs those exact ranges). */
  byteRange?: (range: number[]) => number[];
  /** Extra or replaced trailer entries of the signature's update (a producer writing /Prev 0). */
  trailerExtra?: Record<string, string>;
  /** Makes the CMS another way than `openssl cms -sign -cades` (legacy and foreign formats). */
  makeCms?: (data: Buffer, o: FixtureSign) => Promise<Buffer>;
}

const BR_PLACEHOLDER = '[0 0000000000 0000000000 0000000000]' + ' '.repeat(36);

function pdfDate(d: Date): string {
  return `D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** Appends an empty-signature update; returns the file and the byte range placeholders. */
function prepare(buf: Buffer, sigBody: (br: string) => string, field: string, trailerExtra?: Record<string, string>): { out: Buffer; sigNum: number } {
  const { view, rootNum, catalog, pageNum, page } = docParts(buf);
  const n = nextNum(buf);
  const sigNum = n;
  const widgetNum = n + 1;
  const objs: NewObject[] = [];
  objs.push({ num: sigNum, body: sigBody(BR_PLACEHOLDER) });
  objs.push({ num: widgetNum, body: `<</Type /Annot /Subtype /Widget /FT /Sig /T (${field}) /V ${sigNum} 0 R /F 132 /P ${pageNum} 0 R /Rect [0 0 0 0]>>` });
  const annots = view.resolve(page.get('Annots'));
  const annotList = [...(Array.isArray(annots) ? annots.map(ser) : []), `${widgetNum} 0 R`];
  objs.push({ num: pageNum, body: serWith(page, { Annots: `[${annotList.join(' ')}]` }) });
  const afRaw = catalog.get('AcroForm');
  const af = view.dict(afRaw);
  const fields = af ? view.resolve(af.get('Fields')) : undefined;
  const fieldList = [...(Array.isArray(fields) ? fields.map(ser) : []), `${widgetNum} 0 R`];
  if (afRaw instanceof PdfRef && af) {
    objs.push({ num: afRaw.num, body: serWith(af, { Fields: `[${fieldList.join(' ')}]`, SigFlags: '3' }) });
  } else {
    const extra: Record<string, string | null> = { AcroForm: `<</Fields [${fieldList.join(' ')}] /SigFlags 3>>` };
    objs.push({ num: rootNum, body: serWith(catalog, extra) });
  }
  return { out: appendUpdate(buf, objs, trailerExtra), sigNum };
}

/** Fills the placeholder: patches /ByteRange, signs the ranges with `makeContents`, embeds hex. */
async function fill(buf: Buffer, sigNum: number, makeContents: (data: Buffer) => Promise<Buffer>, rewrite?: (r: number[]) => number[]): Promise<Buffer> {
  const view = new PdfView(buf);
  const obj = view.object(sigNum)!;
  const text = buf.toString('latin1', obj.start, obj.end);
  const b = obj.start + text.indexOf('/Contents <') + 10;
  const c = buf.indexOf('>', b) + 1;
  const natural = [0, b, c, buf.length - c];
  const range = rewrite ? rewrite(natural) : natural;
  const brAt = obj.start + text.indexOf('[0 0000000000');
  const brText = `[${range.map((x) => String(x).padStart(10, '0')).join(' ')}]`.padEnd(BR_PLACEHOLDER.length, ' ');
  if (brText.length > BR_PLACEHOLDER.length) throw new Error('byte range too long');
  const out = Buffer.from(buf);
  out.write(brText, brAt, 'latin1');
  const parts: Buffer[] = [];
  for (let i = 0; i + 1 < range.length; i += 2) parts.push(out.subarray(range[i]!, range[i]! + range[i + 1]!));
  const data = Buffer.concat(parts);
  const der = await makeContents(data);
  const hex = der.toString('hex');
  if (hex.length > c - b - 2) throw new Error('contents too large');
  out.write(hex, b + 1, 'latin1');
  return out;
}

/** Requests a timestamp token over `data` from the TSA function. */
export async function timestampToken(tsa: TsaFn, data: Buffer): Promise<Buffer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-vts-'));
  try {
    writeFileSync(path.join(dir, 'd'), data);
    const q = (await run('openssl', ['ts', '-query', '-data', path.join(dir, 'd'), '-sha256', '-cert'])).stdout;
    const resp = pkijs.TimeStampResp.fromBER(await tsa(q));
    if (!resp.timeStampToken) throw new Error('TSA returned no token');
    return Buffer.from(resp.timeStampToken.toSchema().toBER());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Adds the signature-time-stamp unsigned attribute to a CMS SignedData. */
export async function addSignatureTimestamp(cms: Buffer, tsa: TsaFn, wrongData = false): Promise<Buffer> {
  const ci = pkijs.ContentInfo.fromBER(cms);
  const sd = new pkijs.SignedData({ schema: ci.content });
  const si = sd.signerInfos[0]!;
  const stamped = Buffer.from(si.signature.valueBlock.valueHexView);
  if (wrongData) stamped[0] = stamped[0]! ^ 0xff;
  const token = await timestampToken(tsa, stamped);
  si.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 1,
    attributes: [new pkijs.Attribute({ type: '1.2.840.113549.1.9.16.2.14', values: [asn1js.fromBER(new Uint8Array(token)).result] })],
  });
  return Buffer.from(new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: sd.toSchema(true) }).toSchema().toBER());
}

/** Signs `buf` with an approval (or certification) signature using OpenSSL. */
export async function signFixture(buf: Buffer, o: FixtureSign): Promise<Buffer> {
  const field = o.field ?? `Sig${nextNum(buf)}`;
  const size = o.contentsSize ?? 24_000;
  const refs: string[] = [];
  if (o.docMdp) refs.push(`<</Type /SigRef /TransformMethod /DocMDP /TransformParams <</Type /TransformParams /P ${o.docMdp} /V /1.2>>>>`);
  if (o.lockFields) refs.push(`<</Type /SigRef /TransformMethod /FieldMDP /TransformParams <</Type /TransformParams /Action /Include /Fields [${o.lockFields.map((f) => `(${f})`).join(' ')}] /V /1.2>>>>`);
  const ref = refs.length ? ` /Reference [${refs.join(' ')}]` : '';
  const { out, sigNum } = prepare(
    buf,
    (br) => `<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /${o.subFilter ?? 'ETSI.CAdES.detached'} /ByteRange ${br} /Contents <${'0'.repeat(size)}> /M (${pdfDate(o.m ?? new Date())})${ref}>>`,
    field,
    o.trailerExtra,
  );
  return fill(out, sigNum, async (data) => {
    if (o.makeCms) {
      const der = await o.makeCms(data, o);
      return o.mutateCms ? o.mutateCms(der) : der;
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-vsig-'));
    try {
      writeFileSync(path.join(dir, 'data'), data);
      const args = ['cms', '-sign', '-binary', '-in', path.join(dir, 'data'), '-signer', o.cert, '-inkey', o.key, '-outform', 'DER', '-out', path.join(dir, 'sig'), '-md', 'sha256', '-cades', '-nosmimecap'];
      if (o.chain) args.push('-certfile', o.chain);
      await run('openssl', args);
      let der: Buffer = readFileSync(path.join(dir, 'sig'));
      if (o.tsa) der = await addSignatureTimestamp(der, o.tsa, o.tsaWrongData);
      return o.mutateCms ? o.mutateCms(der) : der;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, o.byteRange);
}

/** Adds a document timestamp (/DocTimeStamp, ETSI.RFC3161) over the whole file. */
export async function docTimestampFixture(buf: Buffer, tsa: TsaFn): Promise<Buffer> {
  const { out, sigNum } = prepare(buf, (br) => `<</Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 /ByteRange ${br} /Contents <${'0'.repeat(24_000)}>>>`, `DocTs${nextNum(buf)}`);
  return fill(out, sigNum, (data) => timestampToken(tsa, data));
}

/** Adds a DSS with the given certificates, OCSP responses and CRLs (DER). */
export function dssFixture(buf: Buffer, data: { certs?: Buffer[]; ocsps?: Buffer[]; crls?: Buffer[] }): Buffer {
  const { rootNum, catalog } = docParts(buf);
  let n = nextNum(buf);
  const objs: NewObject[] = [];
  const refs = (list: Buffer[] | undefined): string =>
    `[${(list ?? [])
      .map((d) => {
        const num = n++;
        objs.push({ num, body: '<<>>', stream: d });
        return `${num} 0 R`;
      })
      .join(' ')}]`;
  const dss = `<</Type /DSS /Certs ${refs(data.certs)} /OCSPs ${refs(data.ocsps)} /CRLs ${refs(data.crls)}>>`;
  const dssNum = n++;
  objs.push({ num: dssNum, body: dss });
  objs.push({ num: rootNum, body: serWith(catalog, { DSS: `${dssNum} 0 R` }) });
  return appendUpdate(buf, objs);
}
