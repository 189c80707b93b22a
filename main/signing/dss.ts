/**
 * B-LT: gathers what a validator needs offline (certificates, OCSP responses, CRLs for the
 * signer chain and the TSA chain) and writes the Document Security Store (/DSS in the catalog,
 * with /Certs, /OCSPs, /CRLs and a /VRI entry per signature) into an incremental update.
 */
import { createHash } from 'node:crypto';
import { KysoError, isKysoError } from '../api/errors.js';
import { certView } from '../pki/cert.js';
import { issuersOf } from '../pki/chain.js';
import { fetchCrl } from '../pki/crl.js';
import { fetchOcsp } from '../pki/ocsp.js';
import { PdfDict, PdfName, PdfStream, dict, name, type PdfObject } from '../pdf/objects.js';
import type { PdfFile } from '../pdf/reader.js';
import { catalogRef, type UpdateLike } from './sig-objects.js';

/** Validation material for one DSS update. */
export interface ValidationData {
  certs: Uint8Array[];
  ocsps: Uint8Array[];
  crls: Uint8Array[];
}

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex').toUpperCase();

function uniq(list: Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  return list.filter((b) => {
    const k = sha1(b);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Fetches revocation data for every non-root certificate among `certs` whose issuer is also
 * there: OCSP first, CRL when OCSP is absent or fails. Throws the first failure when neither
 * works for a certificate that names a service (the caller decides about fallback).
 */
export async function collectValidationData(certs: Uint8Array[], options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ValidationData> {
  const all = uniq(certs);
  const out: ValidationData = { certs: [...all], ocsps: [], crls: [] };
  const http = { timeoutMs: options.timeoutMs ?? 15_000, ...(options.signal ? { signal: options.signal } : {}) };
  const views = all.map((der) => certView(der));
  for (const info of views) {
    if (info.selfSigned) continue;
    const issuer = issuersOf(info, views)[0];
    let firstError: unknown;
    if (issuer && info.ocspUrls.length) {
      try {
        const r = await fetchOcsp(info, issuer, http);
        if (r.status === 'revoked') throw new KysoError('signCertRevoked', { subject: info.subject });
        out.ocsps.push(r.response);
        out.certs.push(...r.certificates);
        continue;
      } catch (e) {
        if (isKysoError(e) && e.code === 'signCertRevoked') throw e;
        firstError = e;
      }
    }
    if (info.crlUrls.length) {
      try {
        const c = await fetchCrl(info, issuer, http);
        if (c) {
          if (c.status === 'revoked') throw new KysoError('signCertRevoked', { subject: info.subject });
          out.crls.push(c.crl);
          continue;
        }
      } catch (e) {
        if (isKysoError(e) && e.code === 'signCertRevoked') throw e;
        firstError ??= e;
      }
    }
    if (firstError) throw firstError;
  }
  out.certs = uniq(out.certs);
  return out;
}

/** Existing DSS array entries (refs kept as they are). */
async function existing(pdf: PdfFile, dss: PdfDict | undefined, key: string): Promise<PdfObject[]> {
  const v = await pdf.resolve(dss?.get(key));
  return Array.isArray(v) ? [...v] : [];
}

/**
 * Adds a DSS (merging any existing one) with the data, and VRI entries keyed by the SHA-1
 * of each signature's /Contents value (`signatureContents`).
 */
export async function addDss(pdf: PdfFile, up: UpdateLike, data: ValidationData, signatureContents: Uint8Array[]): Promise<void> {
  const catalog = (await pdf.catalog()).clone();
  const old = await pdf.resolve(catalog.get('DSS'));
  const oldDss = old instanceof PdfDict ? old : undefined;
  const stream = (b: Uint8Array) => up.add(PdfStream.of(dict({}), b));
  const certRefs = data.certs.map(stream);
  const ocspRefs = data.ocsps.map(stream);
  const crlRefs = data.crls.map(stream);
  const dss = oldDss ? oldDss.clone() : dict({ Type: name('DSS') });
  if (certRefs.length) dss.set('Certs', [...(await existing(pdf, oldDss, 'Certs')), ...certRefs]);
  if (ocspRefs.length) dss.set('OCSPs', [...(await existing(pdf, oldDss, 'OCSPs')), ...ocspRefs]);
  if (crlRefs.length) dss.set('CRLs', [...(await existing(pdf, oldDss, 'CRLs')), ...crlRefs]);
  const vriOld = await pdf.resolve(oldDss?.get('VRI'));
  const vri = vriOld instanceof PdfDict ? vriOld.clone() : dict({});
  for (const c of signatureContents) {
    const entry = dict({});
    if (certRefs.length) entry.set('Cert', certRefs);
    if (ocspRefs.length) entry.set('OCSP', ocspRefs);
    if (crlRefs.length) entry.set('CRL', crlRefs);
    vri.set(sha1(c), entry);
  }
  if (signatureContents.length) dss.set('VRI', vri);
  if (!(dss.get('Type') instanceof PdfName)) dss.set('Type', name('DSS'));
  catalog.set('DSS', up.add(dss));
  up.set(catalogRef(pdf), catalog);
}
