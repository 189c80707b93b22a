/**
 * The one reader of certificate files: PEM (one certificate or a bundle, also PKCS#7 blocks),
 * DER, and PKCS#7 / CMS certificate bags (.p7b, .p7c, DER or PEM). Every place that takes
 * certificates from a user's file or from bytes (kyso sign --chain, trust add and --trust,
 * token import-cert, server user add and anchors, the trust store, AIA downloads) goes through
 * it, so a file accepted in one place is accepted in all of them.
 */
import { readFileSync, statSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KysoError, isKysoError } from '../api/errors.js';
import { certView } from './cert.js';

/** PEM labels that hold one certificate (TRUSTED CERTIFICATE is OpenSSL's, with trust settings after it). */
const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
/** PEM labels that hold a PKCS#7 / CMS bag of certificates. */
const BAG_LABELS = new Set(['PKCS7', 'PKCS #7 SIGNED DATA', 'CMS']);

/** The formats named in error messages. */
const FORMATS = 'PEM, DER, PKCS#7/P7B';

/** The first DER element of `der` (drops what follows, such as OpenSSL's trust settings). */
function firstElement(der: Buffer): Buffer {
  const asn = asn1js.fromBER(new Uint8Array(der));
  if (asn.offset === -1) throw new Error(asn.result.error);
  return der.subarray(0, asn.offset);
}

/** Certificates of a PKCS#7 / CMS SignedData (a certificate bag); throws when it is not one. */
function bagCertificates(der: Buffer): Buffer[] {
  const asn = asn1js.fromBER(new Uint8Array(der));
  if (asn.offset === -1) throw new Error(asn.result.error);
  const ci = new pkijs.ContentInfo({ schema: asn.result });
  if (ci.contentType !== '1.2.840.113549.1.7.2') throw new Error('not a PKCS#7 signed-data bag');
  const sd = new pkijs.SignedData({ schema: ci.content });
  return (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate).map((c) => Buffer.from(c.toSchema().toBER()));
}

/**
 * The PEM blocks of a text: each BEGIN with the first END of the same label after it, in order;
 * a BEGIN without one is skipped. One pass over the markers (a regex matching each BEGIN up to
 * its END searched the rest of the text for every unterminated BEGIN: a 1 MB file of BEGIN
 * lines, such as an AIA server can send, took minutes).
 */
function pemBlocks(text: string): Array<{ label: string; body: string }> {
  const markers = [...text.matchAll(/-----(BEGIN|END) ([A-Z0-9# ]{1,64})-----/g)].map((m) => ({ begin: m[1] === 'BEGIN', label: m[2]!, at: m.index, end: m.index + m[0].length }));
  // For each marker, the index of the next END marker of the same label after it.
  const nextEnd = new Array<number>(markers.length);
  const ahead = new Map<string, number>();
  for (let i = markers.length - 1; i >= 0; i--) {
    const m = markers[i]!;
    nextEnd[i] = ahead.get(m.label) ?? -1;
    if (!m.begin) ahead.set(m.label, i);
  }
  const out: Array<{ label: string; body: string }> = [];
  for (let i = 0; i < markers.length; i++) {
    const m = markers[i]!;
    const j = nextEnd[i]!;
    if (!m.begin || j < 0) continue;
    out.push({ label: m.label, body: text.slice(m.end, markers[j]!.at) });
    i = j;
  }
  return out;
}

/** Checks every certificate parses (X.509 with node:crypto and pkijs), so a bad one is caught here and named. */
function checked(ders: Buffer[]): Buffer[] {
  return ders.map((d) => certView(d).der);
}

/**
 * Every certificate (DER, in file order) in the bytes of a PEM bundle, a DER certificate or a
 * PKCS#7 bag. Other PEM blocks (keys, CRLs) are skipped. Throws KysoError certUnreadable when
 * there is no certificate or one of them is damaged.
 */
export function parseCertificates(bytes: Uint8Array): Buffer[] {
  const data = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  let out: Buffer[];
  try {
    const text = data.toString('latin1');
    if (text.includes('-----BEGIN ')) {
      out = [];
      for (const b of pemBlocks(text)) {
        const der = Buffer.from(b.body.replace(/\s+/g, ''), 'base64');
        if (CERT_LABELS.has(b.label)) out.push(firstElement(der));
        else if (BAG_LABELS.has(b.label)) out.push(...bagCertificates(der));
      }
      out = checked(out);
    } else {
      let single: Buffer | undefined;
      try {
        single = certView(data).der;
      } catch {
        // Not one certificate: a PKCS#7 bag, or garbage.
      }
      out = single ? [single] : checked(bagCertificates(data));
    }
  } catch (e) {
    throw new KysoError('certUnreadable', { formats: FORMATS }, { cause: e });
  }
  if (out.length === 0) throw new KysoError('certUnreadable', { formats: FORMATS });
  return out;
}

/**
 * Every certificate in a file the user named. fileNotFound when it is missing, fileNotRegular
 * for a folder, pipe or device (a FIFO would block the read forever), certFileUnreadable (with
 * the path) when it cannot be read or holds no usable certificate (see isNoCertificate).
 */
export function readCertFile(file: string): Buffer[] {
  let data: Buffer;
  try {
    if (!statSync(file).isFile()) throw new KysoError('fileNotRegular', { path: file });
    data = readFileSync(file);
  } catch (e) {
    if (isKysoError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw code === 'ENOENT' ? new KysoError('fileNotFound', { path: file }) : new KysoError('certFileUnreadable', { path: file, detail: code ?? String(e) });
  }
  try {
    return parseCertificates(data);
  } catch (e) {
    throw new KysoError('certFileUnreadable', { path: file, detail: FORMATS }, { cause: e });
  }
}

/** True for readCertFile's error when the file was read but holds no usable certificate. */
export function isNoCertificate(e: unknown): boolean {
  return isKysoError(e) && e.code === 'certFileUnreadable' && isKysoError(e.cause) && e.cause.code === 'certUnreadable';
}

/** The certificates of several files, in order (see readCertFile). */
export function readCertFiles(files: string[]): Buffer[] {
  return files.flatMap((f) => readCertFile(f));
}
