/** X.509 parse helpers shared by signing and the fetch clients (pkijs under the hood). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KysoError } from '../api/errors.js';
import { crlUrlsOf, ocspUrlsOf } from './cert-extensions.js';
import { DerCache } from './der-cache.js';

// Short names as OpenSSL prints them (-nameopt RFC2253); Vietnamese CAs put the citizen ID or
// tax code in UID and the official's position in title.
const rdnNames: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.9': 'street', '2.5.4.10': 'O', '2.5.4.11': 'OU',
  '2.5.4.12': 'title', '2.5.4.4': 'SN', '2.5.4.42': 'GN', '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'E', '2.5.4.5': 'serialNumber', '0.9.2342.19200300.100.1.1': 'UID',
};

/** Accepts DER or PEM bytes of one certificate and returns DER. */
export function toDer(data: Uint8Array | string): Uint8Array {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  const m = /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----/.exec(text);
  if (m) return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  return typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'latin1')) : data;
}

/** Splits a PEM bundle into DER certificates, in file order. */
export function pemBundleToDer(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  }
  return out;
}

/**
 * Parsed certificates by DER buffer: a batch signs hundreds of files with the same signer
 * certificate and chain, and pkijs schema parsing is the main per-file CPU cost otherwise.
 * Callers must treat the returned objects as read-only.
 */
const parsedCache = new DerCache<pkijs.Certificate>();
const infoCache = new DerCache<CertInfo>();

/** Parses DER into a pkijs Certificate (cached by content; do not mutate it); a clear KysoError on garbage. */
export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return parsedCache.get(der, () => parseCertificateUncached(der));
}

function parseCertificateUncached(der: Uint8Array): pkijs.Certificate {
  try {
    const asn = asn1js.fromBER(toArrayBuffer(der));
    if (asn.offset === -1) throw new Error(asn.result.error);
    return new pkijs.Certificate({ schema: asn.result });
  } catch (e) {
    throw new KysoError('certInvalid', { detail: e instanceof Error ? e.message : String(e) });
  }
}

/** Copies bytes into a standalone ArrayBuffer (asn1js wants one, not a view on a pool). */
export function toArrayBuffer(u: Uint8Array): ArrayBuffer {
  const ab = new ArrayBuffer(u.byteLength);
  new Uint8Array(ab).set(u);
  return ab;
}

/** Escapes an attribute value as RFC 4514 asks (so a comma inside an O stays inside it). */
function escapeDnValue(v: string): string {
  return v.replace(/[,+"\\<>;]/g, (c) => `\\${c}`).replace(/^[ #]/, (c) => `\\${c}`).replace(/ $/, '\\ ');
}

/** Renders a distinguished name as `CN=..., O=..., C=..` (most specific first, RFC 4514). */
export function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => `${rdnNames[tv.type] ?? tv.type}=${escapeDnValue(String(tv.value.valueBlock.value))}`)
    .reverse()
    .join(', ');
}

/** The (first) common name of a distinguished name, unescaped; '' when there is none. */
export function commonNameOf(name: pkijs.RelativeDistinguishedNames): string {
  const cn = name.typesAndValues.find((tv) => tv.type === '2.5.4.3');
  return cn ? String(cn.value.valueBlock.value) : '';
}

/** Serial number as lower-case hex without leading zeros. */
export function serialHex(cert: pkijs.Certificate): string {
  const hex = Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex').replace(/^0+(?=.)/, '');
  return hex || '0';
}

/** Summary of a certificate for display, matching and logs (never secret). */
export interface CertInfo {
  subject: string;
  /** The subject's CN, unescaped ('' when absent). */
  commonName: string;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  sha256: string;
  ocspUrls: string[];
  crlUrls: string[];
  selfSigned: boolean;
}

/** Extracts the fields Kyso shows and uses (AIA OCSP, CRL distribution points). */
export function certInfo(der: Uint8Array): CertInfo {
  return infoCache.get(der, () => certInfoUncached(der));
}

function certInfoUncached(der: Uint8Array): CertInfo {
  const c = parseCertificate(der);
  const subject = nameToString(c.subject);
  const issuer = nameToString(c.issuer);
  return {
    subject,
    commonName: commonNameOf(c.subject),
    issuer,
    serial: serialHex(c),
    notBefore: c.notBefore.value,
    notAfter: c.notAfter.value,
    sha256: createHash('sha256').update(der).digest('hex'),
    ocspUrls: ocspUrlsOf(c),
    crlUrls: crlUrlsOf(c),
    selfSigned: Buffer.from(c.subject.toSchema().toBER()).equals(Buffer.from(c.issuer.toSchema().toBER())),
  };
}

/** True when `issuer`'s subject is the issuer name of `cert` (name match only). */
export function isIssuedBy(cert: pkijs.Certificate, issuer: pkijs.Certificate): boolean {
  return Buffer.from(cert.issuer.toSchema().toBER()).equals(Buffer.from(issuer.subject.toSchema().toBER()));
}

/** Finds the issuer of `cert` among `candidates` by name; undefined when absent. */
export function findIssuer(der: Uint8Array, candidates: Uint8Array[]): Uint8Array | undefined {
  const c = parseCertificate(der);
  return candidates.find((d) => d !== der && isIssuedBy(c, parseCertificate(d)));
}

/** Builds the issuer chain of `cert` from candidate CA certificates (closest issuer first). */
export function chainFor(cert: Uint8Array, candidates: Uint8Array[]): Uint8Array[] {
  const chain: Uint8Array[] = [];
  let cur = cert;
  for (let i = 0; i < 10; i++) {
    const issuer = findIssuer(cur, candidates.filter((c) => c !== cur && !chain.includes(c)));
    if (!issuer) break;
    chain.push(issuer);
    cur = issuer;
  }
  return chain;
}

/** The bytes of a certificate file the user named: fileNotFound or certFileUnreadable otherwise. */
export function readCertFile(f: string): Buffer {
  try {
    return readFileSync(f);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw code === 'ENOENT' ? new KysoError('fileNotFound', { path: f }) : new KysoError('certFileUnreadable', { path: f, detail: code ?? String(e) });
  }
}

/** Reads CA certificates from PEM bundles or DER files. */
export function readCertFiles(files: string[]): Uint8Array[] {
  return files.flatMap((f) => {
    const raw = readCertFile(f);
    const text = raw.toString('latin1');
    const ders = text.includes('-----BEGIN CERTIFICATE-----') ? pemBundleToDer(text) : [toDer(new Uint8Array(raw))];
    // Parsed here so a wrong file is named, not reported later as an anonymous bad certificate.
    for (const der of ders) {
      try {
        parseCertificate(der);
      } catch {
        throw new KysoError('certFileUnreadable', { path: f, detail: 'PEM/DER' });
      }
    }
    return ders;
  });
}
